"""Moved from followup_manager/tests/test_touchpoints.py: the tests that need CRM."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.followup_manager.tests.test_touchpoints import TouchpointCase

from .common import FollowupCrmMixin


@tagged("post_install", "-at_install")
class TestQuestionReceivedCrm(FollowupCrmMixin, TouchpointCase):
    def _incoming(self, sender, subject, model="crm.lead", headers=""):
        """An e-mail as the gateway hands it over (raw RFC 5322 text)."""
        email = (
            f"From: {sender}\r\n"
            "To: sales@example.com\r\n"
            f"Subject: {subject}\r\n"
            f"Message-ID: <{abs(hash((sender, subject)))}@example.com>\r\n"
            f"{headers}"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "The desk arrived scratched. What can you do?\r\n"
        )
        return self.env["mail.thread"].message_process(model, email)

    def test_a_lead_created_from_an_e_mail_is_followed_up_until_an_employee_answers(self):
        lead = self.env["crm.lead"].browse(
            self._incoming("Carla Customer <carla@example.com>", "Scratched desk")
        )
        self.assertEqual(lead.partner_id, self.customer)
        enrollment = self._enrollments(self.sequence_question)
        self.assertEqual(enrollment.origin, lead)
        self.assertEqual(enrollment.state, "active", "her own e-mail is the question")
        lead.message_post(body="Call her back", subtype_xmlid="mail.mt_note")
        self.assertEqual(enrollment.state, "active", "a note is no answer")
        lead.with_user(self.user_salesman).message_post(
            body="We send a new desk today.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(enrollment.stop_reason, "employee_replied")

    def test_an_automatic_reply_that_creates_a_lead_asks_no_question(self):
        # Answering another responder's out-of-office would start a mail loop.
        for index, headers in enumerate(
            ("Auto-Submitted: auto-replied\r\n", "X-Autoreply: yes\r\n", "Precedence: bulk\r\n")
        ):
            lead = self.env["crm.lead"].browse(
                self._incoming(
                    "Carla Customer <carla@example.com>", f"Out of office {index}", headers=headers
                )
            )
            self.assertEqual(lead.partner_id, self.customer, "the lead is kept")
        self.assertFalse(self._enrollments(self.sequence_question))

    def test_an_e_mail_from_an_unknown_sender_enrolls_nobody(self):
        lead = self.env["crm.lead"].browse(
            self._incoming("Somebody <somebody@example.org>", "Question")
        )
        self.assertTrue(lead.exists())
        self.assertFalse(self._enrollments(self.sequence_question))

    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_a_broken_sequence_does_not_lose_the_incoming_e_mail(self):
        broken = self._broken_copy(self.sequence_question)
        lead = self.env["crm.lead"].browse(
            self._incoming("Carla Customer <carla@example.com>", "Broken desk")
        )
        self.assertIn("scratched", lead.message_ids[0].body)
        self.assertEqual(self._enrollments(self.sequence_question).origin, lead)
        self._assert_skipped(broken)


@tagged("post_install", "-at_install")
class TestStageReachedCrm(FollowupCrmMixin, TouchpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        step = [cls._call_step("Call", 1, "days")]
        cls.by_stage = {
            stage: cls._create_sequence(
                f"Stage {stage}", "stage_reached", step, trigger_stage=stage
            )
            for stage in ("prospect", "customer", "loyal", "inactive")
        }

    def _visitor(self, name="Vera Visitor"):
        return self.env["res.partner"].create({"name": name, "email": "vera@example.com"})

    def test_the_installation_pass_starts_nothing(self):
        vera = self._visitor()
        self._create_lead(partner=vera)
        self._enrollments(self.by_stage["prospect"]).unlink()
        self.env.cr.execute(
            "UPDATE res_partner SET lifecycle_stage = 'visitor' WHERE id = %s", [vera.id]
        )
        vera.invalidate_recordset()
        self.env["res.partner"]._followup_init_lifecycle()
        self.assertEqual(vera.lifecycle_stage, "prospect")
        self.assertFalse(self._enrollments(self.by_stage["prospect"]))
