"""Issue 28: the manager's first hour. A sequence's steps read as a timeline and open
in a dialog that shows what their action needs; the condition is edited with Odoo's
domain editor on the followed-up document; a new sequence's purpose is chosen, not a
silent "Marketing"; the preview survives a report that cannot be printed, renders on
your own contact when nobody was followed up yet, sends its test to a typed address and
says a mail server's failure in plain words; hand enrollments belong to who enrolled;
a snoozed follow-up says so."""

from datetime import timedelta
from email import message_from_bytes, policy
from unittest.mock import patch

from lxml import etree

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.base.models.ir_mail_server import IrMailServer

from .common import FollowupDispatchCase, FollowupSecurityCase
from .mail_gateway_common import FollowupGatewayCase, wire_bytes
from .test_step_preview import StepPreviewMixin

SEQUENCE_UI = {"followup_choose_purpose": True}


@tagged("post_install", "-at_install")
class TestStepDialog(FollowupDispatchCase):
    def _sequence_form(self):
        Sequence = self.env["followup.sequence"].with_user(self.user_manager)
        return Form(Sequence.with_context(**SEQUENCE_UI))

    def test_a_step_built_in_its_dialog_reads_as_a_timeline(self):
        form = self._sequence_form()
        form.name = "Quote chase"
        form.purpose = "service"
        with form.step_ids.new() as step:
            step.name = "Reminder about your quotation"
            step.delay = 2
            step.delay_unit = "business_days"
            step.action = "email"
            step.mail_template_id = self.template_partner
        with form.step_ids.new() as step:
            step.name = "Call about the quotation"
            step.delay = 1
            step.delay_unit = "days"
            step.activity_type_id = self.activity_call
        sequence = form.save()
        email, call = sequence.step_ids
        self.assertEqual(
            (email.delay_label, email.what_label, email.who_label),
            (
                "After 2 business days",
                f"E-mail · “{self.template_partner.name}”",
                "The contact",
            ),
        )
        self.assertEqual(email.channel, "email")
        self.assertEqual(
            (call.delay_label, call.what_label, call.who_label),
            ("After 1 day", "Call", "Salesperson"),
        )

    def test_a_step_switched_to_another_action_keeps_only_what_it_needs(self):
        sequence = self._sequence("Care", [self._email_step("Help", self.template_partner)])
        form = Form(sequence.with_user(self.user_manager))
        with form.step_ids.edit(0) as step:
            step.action = "activity"
            self.assertFalse(step.mail_template_id)
        form.save()
        step = sequence.step_ids
        self.assertEqual((step.action, step.channel), ("activity", "phone"))
        self.assertFalse(step.mail_template_id)

    def test_the_steps_list_is_a_few_columns_and_rows_open_the_step_dialog(self):
        arch = self.env["followup.sequence"].get_views([(False, "form")])["views"]["form"]["arch"]
        steps_list = etree.fromstring(arch).xpath("//field[@name='step_ids']/list")[0]
        self.assertFalse(steps_list.get("editable"), "rows open the step's dialog")
        shown = [
            node.get("name")
            for node in steps_list.xpath("./field")
            if "column_invisible" not in node.attrib and node.get("optional") != "hide"
        ]
        self.assertLessEqual(len(shown), 8, shown)
        step_form = self.env["followup.step"].get_views([(False, "form")])["views"]["form"]
        condition = etree.fromstring(step_form["arch"]).xpath("//field[@name='condition_domain']")[
            0
        ]
        self.assertEqual(condition.get("widget"), "domain")
        self.assertIn("'model': 'origin_model'", condition.get("options"))
        # What an action does not need is hidden: the template of an activity step.
        template = etree.fromstring(step_form["arch"]).xpath(
            "//field[@name='mail_template_id']/.."
        )[0]
        self.assertIn("action == 'email'", template.get("invisible"))

    def test_the_condition_edited_in_the_dialog_is_still_checked(self):
        sequence = self._sequence("Care", [self._email_step("Help", self.template_partner)])
        form = Form(sequence.with_user(self.user_manager))
        with form.step_ids.edit(0) as step:
            step.condition_domain = "[('followup_preferred_channel', '=', 'sms')]"
        form.save()
        self.assertTrue(sequence.step_ids.has_condition)
        with self.assertRaisesRegex(ValidationError, "not a valid filter"):
            sequence.step_ids.condition_domain = "[('no_such_field', '=', 1)]"
        # The editor's last rule removed: no condition at all.
        with form.step_ids.edit(0) as step:
            step.condition_domain = "[]"
        form.save()
        self.assertFalse(sequence.step_ids.condition_domain)
        self.assertFalse(sequence.step_ids.has_condition)

    def test_a_new_sequence_starts_without_a_purpose(self):
        form = self._sequence_form()
        self.assertFalse(form.purpose, "marketing or service is the manager's choice")
        form.name = "Quote chase"
        with form.step_ids.new() as step:
            step.name = "Call"
        with self.assertRaisesRegex(AssertionError, "purpose"):
            form.save()
        form.purpose = "marketing"
        self.assertEqual(form.save().purpose, "marketing")
        # Over RPC, the field keeps its default: integrations are unchanged.
        rpc = self._sequence("Kept", [self._call_step("Call")], purpose="marketing")
        self.assertEqual(rpc.purpose, "marketing")


@tagged("post_install", "-at_install")
class TestPreviewAndTest(FollowupGatewayCase, FollowupSecurityCase, StepPreviewMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._preview_fixtures()

    def _no_pdf_engine(self):
        """Printing fails as it does on a server without wkhtmltopdf."""
        return patch.object(
            type(self.env["ir.actions.report"]),
            "_render_qweb_pdf",
            side_effect=UserError(
                "Unable to find Wkhtmltopdf on this system. The PDF can not be created."
            ),
        )

    def test_the_preview_says_whether_the_person_would_get_the_step(self):
        news = self.sequence_manual.step_ids.filtered(lambda step: step.action == "email")
        self.assertEqual(self.sequence_manual.purpose, "marketing")
        with self._at(self.MONDAY_10_ROME):
            preview = self._preview(news, self.user_manager, self.mario)
            self.assertFalse(preview.verdict_allowed)
            self.assertIn("has not agreed to receive marketing by E-mail", preview.verdict)
            self.mario.followup_set_consent("email", "granted", "manual_writing")
            preview = self._preview(news, self.user_manager, self.mario)
            self.assertTrue(preview.verdict_allowed)
            self.assertIn("Allowed", preview.verdict)
            # A service sequence rests on the contract: no consent needed.
            self.mario.followup_set_consent("phone", "pending", "manual_writing")
            call = self._preview(self.step_call, self.user_manager, self.mario)
            self.assertTrue(call.verdict_allowed, call.verdict)

    def test_a_sequence_nobody_entered_renders_on_your_own_contact(self):
        sequence = self._sequence("New", [self._email_step("Hello", self.template_partner)])
        action = sequence.step_ids.with_user(self.user_manager).action_open_preview()
        Preview = self.env["followup.step.preview"].with_user(self.user_manager)
        with Form(Preview.with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.user_manager.partner_id)
            self.assertFalse(form.error)
            self.assertEqual(form.subject, f"Help us help you, {self.user_manager.name}")
            self.assertEqual(form.test_email_to, self.user_manager.email)

    def test_without_a_contact_the_step_renders_on_your_own(self):
        preview = self._preview(self.step_email, self.user_manager, self.mario)
        preview.partner_id = False
        self.assertFalse(preview.error)
        self.assertEqual(preview.subject, f"Help us help you, {self.user_manager.name}")
        # Over RPC, a sequence nobody entered yet: the test renders on your contact.
        sequence = self._sequence("New", [self._email_step("Hello", self.template_partner)])
        with self._sent_messages() as sent:
            sequence.step_ids.with_user(self.user_manager).action_send_test()
        self.assertEqual(len(sent), 1)
        self.assertIn(self.user_manager.name, sent[0]["Subject"])

    def test_the_test_goes_to_the_typed_address_and_says_where(self):
        preview = self._preview(self.step_email, self.user_manager, self.mario)
        preview.test_email_to = "Boss <boss@example.com>"
        with self._sent_messages() as sent:
            action = preview.action_send_test()
        self.assertEqual(len(sent), 1)
        message = message_from_bytes(wire_bytes(sent[0]), policy=policy.SMTP)
        self.assertEqual([a.addr_spec for a in message["To"].addresses], ["boss@example.com"])
        self.assertIn("boss@example.com", action["params"]["message"])
        preview.test_email_to = "not an address"
        with self.assertRaisesRegex(UserError, "not a valid e-mail address"):
            preview.action_send_test()

    def test_a_mail_server_failure_is_said_in_plain_words(self):
        preview = self._preview(self.step_email, self.user_manager, self.mario)
        refused = ConnectionRefusedError(111, "Connection refused")
        with (
            patch.object(IrMailServer, "connect", autospec=True, side_effect=refused),
            self.assertRaises(UserError) as raised,
        ):
            preview.action_send_test()
        sentence = raised.exception.args[0]
        self.assertIn("outgoing mail server cannot be reached", sentence)
        self.assertNotIn("111", sentence)


@tagged("post_install", "-at_install")
class TestEnrollmentsAtAGlance(FollowupDispatchCase):
    def test_a_hand_enrollment_belongs_to_who_enrolled_it(self):
        nobody = self._create_customer("Nora Nobody", "nora", user_id=False)
        sequence = self._sequence("Care", [self._call_step("Call")])
        ids = sequence.with_user(self.user_manager).enroll(nobody.ids)
        enrollment = self.env["followup.enrollment"].browse(ids)
        self.assertEqual(enrollment.user_id, self.user_manager)
        mine = (
            self.env["followup.enrollment"]
            .with_user(self.user_manager)
            .search([("user_id", "=", self.user_manager.id)])
        )
        self.assertIn(enrollment, mine, "My Follow-ups shows it")
        # A salesperson of the contact keeps the follow-up.
        ids = sequence.with_user(self.user_manager).enroll(self.mario.ids)
        self.assertEqual(self.env["followup.enrollment"].browse(ids).user_id, self.user_salesman)

    def test_the_enroll_dialog_gives_the_follow_ups_to_who_enrolled(self):
        nobody = self._create_customer("Nora Nobody", "nora", user_id=False)
        sequence = self._sequence("Care", [self._call_step("Call")])
        wizard = (
            self.env["followup.enroll.wizard"]
            .with_user(self.user_manager)
            .with_context(active_model="res.partner", active_ids=nobody.ids)
            .create({"sequence_id": sequence.id})
        )
        wizard.action_enroll()
        enrollment = self.env["followup.enrollment"].search([("partner_id", "=", nobody.id)])
        self.assertEqual(enrollment.user_id, self.user_manager)

    def test_a_snoozed_follow_up_reads_snoozed_until(self):
        sequence = self._sequence("Care", [self._call_step("Call", 1)])
        enrollment = self.env["followup.enrollment"].browse(sequence.enroll(self.mario.ids))
        self.assertEqual(enrollment.state_label, "Active")
        until = fields.Datetime.now().replace(microsecond=0) + timedelta(days=30)
        enrollment.with_user(self.user_manager).snooze(fields.Datetime.to_string(until))
        enrollment.invalidate_recordset(["state_label"])
        self.assertTrue(
            enrollment.state_label.startswith("Snoozed until "), enrollment.state_label
        )
        self.assertIn(str(until.year), enrollment.state_label)

    def test_a_stopped_follow_up_shows_no_next_step(self):
        for view in ("followup_enrollment_view_list", "followup_enrollment_view_list_mine"):
            arch = self.env.ref(f"followup_manager.{view}").arch
            with self.subTest(view=view):
                node = etree.fromstring(arch).xpath("//field[@name='state_label']")
                self.assertTrue(node, "the status column reads the snooze")
        arch = etree.fromstring(
            self.env.ref("followup_manager.followup_enrollment_view_list").arch
        )
        for name in ("next_step_id", "next_date"):
            self.assertIn("stopped", arch.xpath(f"//field[@name='{name}']")[0].get("invisible"))
