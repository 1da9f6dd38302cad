"""A text message step's configuration: its SMS template, written for the followed-up
document or for contacts, and its channel, the text message; the timeline's line."""

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import FollowupSmsCase


@tagged("post_install", "-at_install")
class TestStepSms(FollowupSmsCase):
    def test_step_constraints_explain_what_is_wrong(self):
        step = self.sequence_manual.step_ids[0]
        users_template = self.env["sms.template"].create(
            {
                "name": "Users SMS",
                "model_id": self.env.ref("base.model_res_users").id,
                "body": "Hi",
            }
        )
        sms = {"action": "sms", "channel": "sms"}
        cases = [
            ("sms without template", {**sms, "sms_template_id": False}, "needs an SMS template"),
            (
                "sms template of another model",
                {**sms, "sms_template_id": users_template.id},
                "made for res.users records",
            ),
            (
                "sms on another channel",
                {**sms, "sms_template_id": self.sms_template_partner.id, "channel": "email"},
                "its channel must be SMS",
            ),
        ]
        for label, values, message in cases:
            with (
                self.subTest(label),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                step.write(values)
                step.flush_recordset()

    def test_a_text_message_step_reads_as_a_timeline_line(self):
        sequence = self._sequence(
            "Text", [self._sms_step("Quick check", self.sms_template_partner, 1, "days")]
        )
        step = sequence.step_ids
        self.assertRecordValues(
            step,
            [
                {
                    "channel": "sms",
                    "what_label": "SMS · “Follow-up: quick check”",
                    "who_label": "The contact",
                }
            ],
        )
        # Switched to an e-mail in the dialog, the step forgets its SMS template.
        with Form(step) as form:
            form.action = "email"
            form.mail_template_id = self.template_partner
        self.assertFalse(step.sms_template_id)
        self.assertEqual(step.channel, "email")
