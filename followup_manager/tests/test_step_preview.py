"""Issue 15, point 5: a step rendered on a chosen person and document (subject, body,
footer, headers; the activity), and sent to yourself as a
test: one e-mail to the current user, marked, its links inert, and no trace in the
contact cap, the consent history, the dispatch log, the deliveries or the enrollments."""

import re
from email import message_from_bytes, policy

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import FollowupSecurityCase
from .mail_gateway_common import FollowupGatewayCase, wire_bytes

UNSUBSCRIBE_URL = re.compile(r"<(https?://[^>]+/followup/unsubscribe/(\d+)/([^>]+))>")


class StepPreviewMixin:
    """A sequence of an e-mail and a call (and the steps another add-on adds between
    them, ``_preview_steps``), an Italian and an English customer."""

    @classmethod
    def _preview_steps(cls):
        """The steps of the sequence: an e-mail first, a call last."""
        return [
            cls._email_step("Help", cls.template_partner),
            cls._call_step(
                "Call",
                2,
                "days",
                activity_summary="Call about the project",
                note="<p>Ask how the project is going.</p>",
                responsible_type="fixed_user",
                responsible_id=cls.user_salesman.id,
            ),
        ]

    @classmethod
    def _preview_fixtures(cls):
        cls.env["res.lang"]._activate_lang("it_IT")
        cls.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        cls.giulia = cls._create_customer("Giulia Bianchi", "giulia", lang="it_IT")
        cls.sequence = cls._create_sequence(
            "Care", "manual", cls._preview_steps(), purpose="service"
        )
        cls.step_email, cls.step_call = cls.sequence.step_ids[0], cls.sequence.step_ids[-1]

    def _preview(self, step, user, partner=None, origin=None):
        values = {"step_id": step.id}
        if partner:
            values["partner_id"] = partner.id
        if origin:
            values["origin_ref"] = f"{origin._name},{origin.id}"
        return self.env["followup.step.preview"].with_user(user).create(values)


@tagged("post_install", "-at_install")
class TestStepPreview(FollowupGatewayCase, FollowupSecurityCase, StepPreviewMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._preview_fixtures()
        # The cap counts: a real contact would show in the facts the dispatch reads.
        cls.env.company.followup_cap_count = 1

    # ------------------------------------------------------------------ preview

    def test_the_preview_renders_the_email_in_the_partners_language(self):
        italian = self._preview(self.step_email, self.user_salesman, self.giulia)
        self.assertFalse(italian.error)
        self.assertEqual(italian.subject, "Aiutaci ad aiutarti, Giulia Bianchi")
        self.assertEqual(italian.email_to, self.giulia.email_formatted)
        self.assertIn("Giulia Bianchi", italian.body_html)
        self.assertIn("Gestisci le tue preferenze di contatto", italian.body_html, "footer")
        self.assertIn("List-Unsubscribe-Post: List-Unsubscribe=One-Click", italian.headers)
        english = self._preview(self.step_email, self.user_salesman, self.mario)
        self.assertEqual(english.subject, "Help us help you, Mario Rossi")
        self.assertIn("Manage your contact preferences or unsubscribe", english.body_html)

    def test_the_preview_renders_the_templates_as_the_user_as_odoo_does(self):
        # A template that reads a field the salesperson may not read (managers only):
        # Odoo's own template preview refuses to render it for them, and so does ours;
        # neither shows the value the superuser would read.
        self.mario.signup_type = "secret-kind"
        template = self.template_partner.copy(
            {"body_html": '<p>Kind: <t t-out="object.signup_type"/></p>'}
        )
        self.step_email.mail_template_id = template
        # As in a new request: nothing read beforehand as the superuser.
        self.env.invalidate_all()
        odoo_preview = (
            self.env["mail.template.preview"]
            .with_user(self.user_salesman)
            .create(
                {"mail_template_id": template.id, "resource_ref": f"res.partner,{self.mario.id}"}
            )
        )
        self.assertTrue(odoo_preview.error_msg)
        self.env.invalidate_all()
        preview = self._preview(self.step_email, self.user_salesman, self.mario)
        self.assertTrue(preview.error)
        self.assertNotIn("secret-kind", preview.body_html or "")
        # What the user may read renders as before.
        template.body_html = '<p>Kind: <t t-out="object.name"/></p>'
        preview = self._preview(self.step_email, self.user_salesman, self.mario)
        self.assertFalse(preview.error)
        self.assertIn("Kind: Mario Rossi", preview.body_html)

    def test_the_preview_opens_on_the_latest_follow_up(self):
        self._enroll(self.sequence, self.giulia)
        action = self.step_email.with_user(self.user_salesman).action_open_preview()
        self.assertEqual(action["res_model"], "followup.step.preview")
        Preview = self.env["followup.step.preview"].with_user(self.user_salesman)
        with Form(Preview.with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.giulia)
            self.assertTrue(form.subject.startswith("Aiutaci"))
            form.partner_id = self.mario
            self.assertEqual(form.subject, "Help us help you, Mario Rossi")

    def test_the_links_of_a_preview_are_inert(self):
        preview = self._preview(self.step_email, self.user_salesman, self.mario)
        url, partner_id, token = UNSUBSCRIBE_URL.search(preview.headers).groups()
        self.assertEqual(int(partner_id), self.mario.id)
        self.assertEqual(self.mario._followup_check_token("unsubscribe", token), "invalid")
        self.assertIn(url.replace("/unsubscribe/", "/preferences/"), preview.body_html)
        for scope in ("unsubscribe", "preferences"):
            real = self.mario._followup_token(scope)
            self.assertNotIn(real, preview.headers)
            self.assertNotIn(real, preview.body_html)

    def test_the_preview_of_an_activity(self):
        call = self._preview(self.step_call, self.user_salesman, self.mario)
        self.assertRecordValues(
            call,
            [
                {
                    "activity_summary": "Call about the project",
                    "activity_user_id": self.user_salesman.id,
                    "activity_type_id": self.activity_call.id,
                    "error": False,
                }
            ],
        )
        self.assertIn("Ask how the project is going.", call.activity_note)

    def test_a_preferred_channel_step_previews_the_channel_it_tries_first(self):
        step = self.step_email.copy(
            {
                "channel_choice": "preferred",
                "channel_order": "email_phone",
                "activity_type_id": self.activity_call.id,
            }
        )
        for preferred, action in (("phone", "activity"), (False, "email"), ("sms", "email")):
            with self.subTest(preferred=preferred):
                self.mario.followup_preferred_channel = preferred
                preview = self._preview(step, self.user_salesman, self.mario)
                self.assertRecordValues(preview, [{"action": action, "error": False}])
                if action == "activity":
                    self.assertTrue(preview.activity_type_id)
                    self.assertFalse(preview.subject)
                else:
                    self.assertTrue(preview.subject)

    # ------------------------------------------------------------------ test send

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

    def test_a_test_send_mails_the_current_user_only_and_leaves_no_trace(self):
        self.mario.followup_set_consent("email", "granted", "manual_writing")
        self._enroll(self.sequence, self.mario)
        before = self._traces(self.mario)
        with self._sent_messages() as sent:
            result = self.step_email.with_user(self.user_manager).action_send_test(self.mario.id)
        self.assertIs(result, True)
        self.assertEqual(len(sent), 1, "exactly one e-mail")
        raw = wire_bytes(sent[0])
        message = message_from_bytes(raw, policy=policy.SMTP)
        self.assertEqual(
            [address.addr_spec for address in message["To"].addresses], [self.user_manager.email]
        )
        self.assertIsNone(message["Cc"])
        self.assertEqual(message["Subject"], "[Test] Help us help you, Mario Rossi")
        self.assertEqual(message["X-Followup-Test"], "yes")
        self.assertIn(self.user_manager.email, message["Reply-To"])
        self.assertIsNone(message["References"], "replies never reach the document")
        # The unsubscribe headers as the person gets them: whole, on one line, inert.
        self.assertIn(b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", raw)
        line = re.search(rb"^List-Unsubscribe: (.*?)\r\n(?![ \t])", raw, re.MULTILINE)
        self.assertNotIn(b"=?", line.group(1))
        self.assertIn(b"mailto:catchall+unsubscribe@fm-gateway.example.com", line.group(1))
        token = UNSUBSCRIBE_URL.search(message["List-Unsubscribe"]).group(3)
        self.assertEqual(self.mario._followup_check_token("unsubscribe", token), "invalid")
        body = message.get_body(("html",)).get_content()
        self.assertIn("Manage your contact preferences or unsubscribe", body)
        self.assertEqual(self._traces(self.mario), before)

    def test_only_email_and_text_message_steps_are_sent_as_a_test(self):
        with self.assertRaisesRegex(UserError, "only previewed"):
            self.step_call.with_user(self.user_manager).action_send_test(self.mario.id)

    # ------------------------------------------------------------------ refused

    def test_people_without_follow_up_rights_are_refused(self):
        for user in (self.user_employee, self.user_auditor, self.user_portal, self.user_public):
            step = self.step_email.with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    step.action_send_test(self.mario.id)
                with self.assertRaises(AccessError):
                    step.action_open_preview()
                with self.assertRaises(AccessError):
                    self._preview(self.step_email, user, self.mario)

    def test_forged_and_wrong_arguments_are_refused_with_a_sentence(self):
        step = self.step_email.with_user(self.user_salesman)
        forged = self.env["followup.step"].browse(2**31 - 2).with_user(self.user_salesman)
        with self.assertRaisesRegex(UserError, "does not exist"):
            forged.action_send_test(self.mario.id)
        with self.assertRaises(AccessError):  # another company's step
            self.sequence_b.step_ids.with_user(self.user_salesman).action_send_test(self.mario.id)
        with self.assertRaisesRegex(UserError, "one follow-up step at a time"):
            self.sequence.step_ids.with_user(self.user_salesman).action_send_test(self.mario.id)
        for args in (
            ("mario",),
            ([self.mario.id],),
            (self.mario.id, "res.partner", "x"),
            (self.mario.id, ["res.partner"], self.mario.id),
        ):
            with self.subTest(args=args), self.assertRaises(ValidationError):
                step.action_send_test(*args)
        for args, sentence in (
            ((2**31 - 2,), "does not exist"),
            ((self.mario.id, "res.partner"), "or neither"),
            ((self.mario.id, "ir.config_parameter", 1), "cannot follow up"),
            ((self.mario.id, "res.partner", 2**31 - 2), "does not exist"),
        ):
            with self.subTest(args=args), self.assertRaisesRegex(UserError, sentence):
                step.action_send_test(*args)
        with self.assertRaises(AccessError):  # a person of another company
            step.action_send_test(self.customer_b.id)
