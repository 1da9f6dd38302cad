"""What needs Sales and CRM together
(moved from followup_manager_sale/tests/test_triggers.py)."""

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase
from odoo.addons.followup_manager_crm.tests.common import FollowupCrmMixin
from odoo.addons.followup_manager_sale.tests.common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestTriggersSaleCrm(FollowupCrmMixin, FollowupSaleMixin, FollowupSequenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_won = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)

    def test_a_new_order_stops_re_engagement_sequences(self):
        lead = self._create_lead()
        lead.action_set_lost()
        self.customer._followup_enroll_inactive()
        nurture = self.env["followup.enrollment"].browse(
            self.sequence_manual.enroll(self.customer)
        )
        self._create_order().action_confirm()
        self.assertEqual(self._enrollments(self.sequence_lost).stop_reason, "new_order")
        self.assertEqual(self._enrollments(self.sequence_inactive).stop_reason, "new_order")
        # Not a re-engagement: it goes on.
        self.assertEqual(nurture.state, "active")
