"""What needs Sales and CRM together
(moved from followup_manager_sale/tests/test_step_preview.py)."""

import re

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase
from odoo.addons.followup_manager.tests.mail_gateway_common import FollowupGatewayCase
from odoo.addons.followup_manager.tests.test_step_preview import StepPreviewMixin
from odoo.addons.followup_manager_crm.tests.common import FollowupCrmMixin
from odoo.addons.followup_manager_sale.tests.common import FollowupSaleMixin

UNSUBSCRIBE_URL = re.compile(r"<(https?://[^>]+/followup/unsubscribe/(\d+)/([^>]+))>")


@tagged("post_install", "-at_install")
class TestStepPreviewSale(
    FollowupCrmMixin,
    FollowupSaleMixin,
    FollowupGatewayCase,
    FollowupSecurityCase,
    StepPreviewMixin,
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._preview_fixtures()
        # The cap counts: a real contact would show in the facts the dispatch reads.
        cls.env.company.followup_cap_count = 1

    def test_a_step_of_orders_renders_on_the_partners_order(self):
        step = self.sequence_sale.step_ids[0]
        order = self._create_order(self.mario)
        preview = self._preview(step, self.user_manager, self.mario, order)
        self.assertFalse(preview.error)
        self.assertEqual(preview.subject, f"Thank you for your order {order.name}")
        # Without a document: the person's latest order.
        self.assertEqual(
            self._preview(step, self.user_manager, self.mario).subject, preview.subject
        )
        # Nobody to render it on: said, not raised.
        olga = self._create_customer("Olga Other", "olga")
        self.assertIn("Olga Other has none", self._preview(step, self.user_manager, olga).error)
        # A document of another model: refused with a sentence.
        lead = self._create_lead(self.mario)
        self.assertIn(
            "cannot follow up", self._preview(step, self.user_manager, self.mario, lead).error
        )

    def _traces(self, partner):
        """Everything a test send must leave as it was."""
        facts = self.env["followup.facts"]
        return {
            "dispatches": self.env["followup.dispatch"].search_count([]),
            "deliveries": self.env["followup.delivery"].search_count([]),
            "consent events": self.env["followup.consent.event"].search_count([]),
            "enrollments": self.env["followup.enrollment"].search_read(
                [], ["state", "next_step_id", "next_date", "write_date"]
            ),
            "cap facts": facts._gather(
                partner | self.user_manager.partner_id, self.MONDAY_10_ROME
            ),
            "check": partner.followup_check("email"),
            "messages": self.env["mail.message"].search_count([]),
            "mails": self.env["mail.mail"].search_count([]),
            "attachments": self.env["ir.attachment"].search_count([]),
        }
