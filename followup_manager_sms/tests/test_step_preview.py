"""Issue 15, point 5, for text message steps: the text and the number in the preview, the
template rendered as the user, the preferred channel's text, and the test sent to the
user's own mobile only, leaving no trace."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase, FollowupSecurityCase
from odoo.addons.followup_manager.tests.mail_gateway_common import FollowupGatewayCase
from odoo.addons.followup_manager.tests.test_step_preview import StepPreviewMixin
from odoo.addons.sms.tests.common import SMSCase

from .common import SmsTemplateMixin


class SmsPreviewMixin(StepPreviewMixin, SmsTemplateMixin):
    """The preview's sequence with a text message between the e-mail and the call."""

    @classmethod
    def _preview_steps(cls):
        email, *others = super()._preview_steps()
        return [email, cls._sms_step("Check", cls.sms_template_partner, 1, "days"), *others]

    @classmethod
    def _preview_fixtures(cls):
        super()._preview_fixtures()
        cls.step_sms = cls.sequence.step_ids[1]


@tagged("post_install", "-at_install")
class TestStepPreviewSms(FollowupGatewayCase, FollowupSecurityCase, SmsPreviewMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._sms_fixtures()
        cls._preview_fixtures()
        cls.env.company.followup_cap_count = 1

    def test_the_preview_of_a_text_message(self):
        sms = self._preview(self.step_sms, self.user_salesman, self.mario)
        self.assertEqual(sms.sms_body, "Hello Mario Rossi, all good with your order?")
        self.assertEqual(sms.sms_number, "+393471234567")

    def test_the_preview_renders_the_sms_template_as_the_user_as_odoo_does(self):
        # A template that reads a field the salesperson may not read (managers only).
        self.mario.signup_type = "secret-kind"
        self.step_sms.sms_template_id = self.sms_template_partner.copy(
            {"body": "Kind: {{ object.signup_type }}"}
        )
        self.env.invalidate_all()
        preview = self._preview(self.step_sms, self.user_salesman, self.mario)
        self.assertTrue(preview.error)
        self.assertNotIn("secret-kind", preview.sms_body or "")

    def test_a_preferred_channel_step_previews_the_channel_it_tries_first(self):
        step = self.step_email.copy(
            {
                "channel_choice": "preferred",
                "channel_order": "email_sms",
                "sms_template_id": self.sms_template_partner.id,
            }
        )
        for preferred, action in (("sms", "sms"), (False, "email"), ("phone", "email")):
            with self.subTest(preferred=preferred):
                self.mario.followup_preferred_channel = preferred
                preview = self._preview(step, self.user_salesman, self.mario)
                self.assertRecordValues(preview, [{"action": action, "error": False}])
                if action == "sms":
                    self.assertEqual(
                        preview.sms_body, "Hello Mario Rossi, all good with your order?"
                    )
                    self.assertFalse(preview.subject)
                else:
                    self.assertTrue(preview.subject)


@tagged("post_install", "-at_install")
class TestStepTestSms(FollowupDispatchCase, SMSCase, SmsPreviewMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._sms_fixtures()
        cls._preview_fixtures()
        cls.user_manager.partner_id.mobile = "+39 333 000 1234"

    def test_a_test_text_message_goes_to_the_users_mobile_only(self):
        enrollment = self._enroll(self.sequence, self.mario)
        dispatches = self.env["followup.dispatch"].search_count([])
        messages = self.env["mail.message"].search_count([])
        with self.mockSMSGateway():
            self.step_sms.with_user(self.user_manager).action_send_test(self.mario.id)
        self.assertSMSIapSent(["+393330001234"], "[Test] Hello Mario Rossi, all good")
        self.assertEqual(len(self._sms), 1)
        self.assertEqual(self.env["followup.dispatch"].search_count([]), dispatches)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        self.assertEqual(enrollment.next_step_id, self.step_email)

    def test_without_a_mobile_number_the_user_is_told(self):
        self.user_manager.partner_id.write({"mobile": False, "phone": False})
        with self.assertRaisesRegex(UserError, "mobile number"):
            self.step_sms.with_user(self.user_manager).action_send_test(self.mario.id)
