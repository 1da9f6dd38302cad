"""Moved from followup_manager/tests/test_manager_screens.py: the tests that need Sales."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase
from odoo.addons.followup_manager.tests.mail_gateway_common import FollowupGatewayCase
from odoo.addons.followup_manager.tests.test_step_preview import StepPreviewMixin

from .common import FollowupSaleMixin

SEQUENCE_UI = {"followup_choose_purpose": True}


@tagged("post_install", "-at_install")
class TestPreviewAndTestSale(
    FollowupSaleMixin, FollowupGatewayCase, FollowupSecurityCase, StepPreviewMixin
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._preview_fixtures()
        cls.quote_step = cls.sequence_sale.step_ids[0]
        cls.quote_step.mail_template_id.report_template_ids = [
            (4, cls.env.ref("sale.action_report_saleorder").id)
        ]

    def _no_pdf_engine(self):
        """Printing fails as it does on a server without wkhtmltopdf."""
        return patch.object(
            type(self.env["ir.actions.report"]),
            "_render_qweb_pdf",
            side_effect=UserError(
                "Unable to find Wkhtmltopdf on this system. The PDF can not be created."
            ),
        )

    def test_the_preview_renders_the_body_when_a_report_cannot_be_printed(self):
        order = self._create_order(self.mario)
        with self._no_pdf_engine():
            preview = self._preview(self.quote_step, self.user_manager, self.mario, order)
            self.assertFalse(preview.error)
            self.assertEqual(preview.subject, f"Thank you for your order {order.name}")
            self.assertIn("could not be printed here", preview.report_error)
            self.assertIn("Wkhtmltopdf", preview.report_error)
            with self._sent_messages() as sent:
                action = preview.action_send_test()
        self.assertEqual(len(sent), 1, "the test goes, without the attachment")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("could not be printed", action["params"]["message"])

    def test_a_report_that_prints_is_attached(self):
        order = self._create_order(self.mario)
        preview = self._preview(self.quote_step, self.user_manager, self.mario, order)
        self.assertFalse(preview.error)
        self.assertFalse(preview.report_error)
        self.assertTrue(preview.attachment_names)
