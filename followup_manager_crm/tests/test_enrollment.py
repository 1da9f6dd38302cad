"""Moved from followup_manager/tests/test_enrollment.py: the tests that need CRM."""

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase

from .common import FollowupCrmMixin


@tagged("post_install", "-at_install")
class TestEnrollmentCrm(FollowupCrmMixin, FollowupSequenceCase):
    def _enroll(self, sequence, partners, origin=None):
        ids = sequence.enroll(
            partners.ids, origin._name if origin else False, origin.id if origin else False
        )
        return self.env["followup.enrollment"].browse(ids)

    def test_enrolling_leads_skips_those_without_partner(self):
        leads = self._create_lead() | self.env["crm.lead"].create({"name": "Anonymous"})
        wizard = (
            self.env["followup.enroll.wizard"]
            .with_context(active_model="crm.lead", active_ids=leads.ids)
            .create({"sequence_id": self.sequence_manual.id})
        )
        action = wizard.action_enroll()
        self.assertIn("1 skipped", action["params"]["message"])
        self.assertEqual(self._enrollments(self.sequence_manual).origin, leads[0])

    def _run_partner_action(self, xmlid, partners):
        """What the Contacts list's "Actions" menu does with the selected contacts."""
        action = self.env.ref(xmlid)
        return action.with_context(
            active_model="res.partner", active_ids=partners.ids, active_id=partners[0].id
        ).run()
