"""What needs Sales and CRM together
(moved from followup_manager_sale/tests/test_enrollment.py)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase
from odoo.addons.followup_manager_crm.tests.common import FollowupCrmMixin
from odoo.addons.followup_manager_sale.tests.common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestEnrollmentSaleCrm(FollowupCrmMixin, FollowupSaleMixin, FollowupSequenceCase):
    def _enroll(self, sequence, partners, origin=None):
        ids = sequence.enroll(
            partners.ids, origin._name if origin else False, origin.id if origin else False
        )
        return self.env["followup.enrollment"].browse(ids)

    def _run_partner_action(self, xmlid, partners):
        """What the Contacts list's "Actions" menu does with the selected contacts."""
        action = self.env.ref(xmlid)
        return action.with_context(
            active_model="res.partner", active_ids=partners.ids, active_id=partners[0].id
        ).run()

    def test_a_sequence_only_follows_up_the_documents_its_templates_fit(self):
        lead = self._create_lead()
        with self.assertRaisesRegex(UserError, "follows up sale.order documents"):
            self._enroll(self.sequence_sale, self.customer, lead)
        # Templates on contacts fit any document.
        self.assertTrue(self._enroll(self.sequence_manual, self.customer, lead))
