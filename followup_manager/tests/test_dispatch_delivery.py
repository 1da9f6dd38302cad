"""The why-log follows delivery: a done e-mail step (a text message step:
followup_manager_sms) shows what Odoo's queues learnt afterwards (sent, not sent with the
reason, bounced) next to the decision, which itself stays as decided; a failure gives the
salesperson one to-do."""

import smtplib
from contextlib import nullcontext
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import MockSmtplibCase

from .common import FollowupDispatchCase

# A delivery status notification (RFC 3464) as a mail server sends it back, quoting
# the headers of the e-mail it could not deliver.
DSN = """\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-{tag}@mx.example.com>
Date: Mon, 30 Nov 2026 10:05:00 +0100
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
    boundary="BOUNDARY"

--BOUNDARY
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--BOUNDARY
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:
    User unknown in virtual mailbox table

--BOUNDARY
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Message-Id: {message_id}
From: {sender}
To: {recipient}
Subject: {subject}

--BOUNDARY--
"""


class DeliveryCase(FollowupDispatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Delivery = cls.env["followup.delivery"]
        cls.sequence_care = cls._create_sequence(
            "Care",
            "manual",
            [cls._email_step("Check-in", cls.template_partner)],
            purpose="service",
        )

    def _queue_email(self, partner, sequence=None):
        """Enroll ``partner`` and dispatch: the decision that queued the e-mail."""
        self._enroll(sequence or self.sequence_care, partner)
        dispatch = self._dispatch().filtered(lambda row: row.partner_id == partner)
        self.assertRecordValues(dispatch, [{"state": "done", "delivery_state": "queued"}])
        return dispatch

    def _todos(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def assertDecisionUnchanged(self, dispatch, note):
        dispatch.invalidate_recordset()
        self.assertRecordValues(dispatch, [{"state": "done", "reason": False, "note": note}])


class DeliveryMailCase(DeliveryCase, MockSmtplibCase):
    """E-mails through Odoo's real sending path; only the SMTP connection is fake."""

    def _send_queue(self, dispatch, refuse=None):
        """Send the queued e-mail of ``dispatch`` as the mail queue's job does; ``refuse``:
        the exception the SMTP server raises on sending."""
        mail = dispatch.mail_id
        with self.mock_smtplib_connection():
            refusing = (
                patch.object(self.testing_smtp_session, "send_message", side_effect=refuse)
                if refuse is not None
                else nullcontext()
            )
            with refusing:
                self.env["mail.mail"].sudo().process_email_queue(ids=mail.ids)
        return mail

    def _bounce(self, dispatch, action="failed"):
        message = dispatch.message_id
        raw = DSN.format(
            to=message.email_from,
            tag=dispatch.id,
            recipient=dispatch.partner_id.email,
            action=action,
            message_id=message.message_id,
            sender=message.email_from,
            subject=message.subject,
        )
        # As the incoming-mail job and odoo-mailgate.py hand it over.
        self.env["mail.thread"].message_process(False, raw)


@tagged("post_install", "-at_install")
class TestDeliveryMail(DeliveryMailCase):
    def test_sent_email_reads_sent_and_the_decision_stays_as_decided(self):
        dispatch = self._queue_email(self.mario)
        note = dispatch.note
        self._send_queue(dispatch)
        self.assertEqual(len(self.emails), 1)
        self.assertFalse(dispatch.exists().mail_id, "a sent e-mail is deleted by Odoo")
        self.assertRecordValues(dispatch, [{"delivery_state": "sent", "delivery_reason": False}])
        self.assertDecisionUnchanged(dispatch, note)
        self.assertFalse(self._todos(self.mario))

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_smtp_refusal_reads_not_sent_with_the_reason_and_gives_one_todo(self):
        dispatch = self._queue_email(self.mario)
        note = dispatch.note
        refusal = smtplib.SMTPRecipientsRefused(
            {"mario@example.com": (550, b"5.1.1 <mario@example.com>: User unknown")}
        )
        mail = self._send_queue(dispatch, refuse=refusal)
        self.assertEqual(mail.state, "exception", "Odoo's own sending path failed it")
        self.assertEqual(dispatch.delivery_state, "failed")
        self.assertIn("SMTPRecipientsRefused", dispatch.delivery_reason)
        self.assertIn("User unknown", dispatch.delivery_reason)
        self.assertDecisionUnchanged(dispatch, note)
        todo = self._todos(self.mario)
        self.assertRecordValues(
            todo,
            [
                {
                    "user_id": self.user_salesman.id,
                    "summary": "Follow-up e-mail not delivered",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                }
            ],
        )
        self.assertIn("User unknown", str(todo.note))
        self.assertEqual(dispatch.delivery_ids.activity_id, todo)
        # Retried by hand and refused again: the same failure, still one to-do.
        mail.mark_outgoing()
        self._send_queue(dispatch, refuse=refusal)
        self.assertEqual(dispatch.delivery_state, "failed")
        self.assertEqual(self._todos(self.mario), todo)

    def _send_queue_server_down(self, dispatch):
        """Run the mail queue while the mail server refuses connections."""
        refused = ConnectionRefusedError(111, "Connection refused")
        with patch.object(self.registry["ir.mail_server"], "connect", side_effect=refused):
            self.env["mail.mail"].sudo().process_email_queue(ids=dispatch.mail_id.ids)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_email_waits_in_the_queue_while_the_mail_server_is_down(self):
        """Found by bin/rehearsal: the SMTP server down for a minute failed a whole
        batch of follow-up e-mails for good, each with a to-do."""
        start = self.MONDAY_10_ROME  # when _queue_email decides
        with self._at(start):
            dispatch = self._queue_email(self.mario)
            mail = dispatch.mail_id
            self._send_queue_server_down(dispatch)
            self.assertRecordValues(
                mail, [{"state": "outgoing", "scheduled_date": start + timedelta(minutes=5)}]
            )
            self.assertEqual(dispatch.delivery_state, "queued")
            self.assertFalse(self._todos(self.mario))
        with self._at(start + timedelta(minutes=5)):
            self._send_queue(dispatch)
            self.assertEqual(len(self.emails), 1, "sent once the server is back")
            self.assertEqual(dispatch.delivery_state, "sent")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_email_queued_a_day_ago_fails_when_the_mail_server_is_down(self):
        start = self.MONDAY_10_ROME
        with self._at(start):
            dispatch = self._queue_email(self.mario)
        with self._at(start + timedelta(hours=24)):
            self._send_queue_server_down(dispatch)
            self.assertEqual(dispatch.mail_id.state, "exception")
            self.assertEqual(dispatch.delivery_state, "failed")
            self.assertEqual(len(self._todos(self.mario)), 1)

    def test_email_queued_before_the_person_says_no_never_leaves(self):
        """Found by bin/rehearsal: an e-mail decided and queued, then the person
        unsubscribes (or is blacklisted) before the queue runs: it must not leave."""
        for how, say_no in (
            (
                "withdrawn",
                lambda partner: partner.followup_set_consent("email", "withdrawn", "phone_call"),
            ),
            ("blacklisted", lambda partner: self.env["mail.blacklist"]._add(partner.email)),
        ):
            with self.subTest(how=how):
                self.emails = []
                partner = self._create_customer("Anna Verdi", f"anna.{how}")
                dispatch = self._queue_email(partner)
                note = dispatch.note
                mail = dispatch.mail_id
                say_no(partner)
                self._send_queue(dispatch)
                self.assertEqual(self.emails, [], "nothing left for the person who said no")
                self.assertEqual(mail.state, "cancel")
                self.assertEqual(dispatch.delivery_state, "failed")
                self.assertIn("said no to e-mails", dispatch.delivery_reason)
                self.assertDecisionUnchanged(dispatch, note)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_name_with_a_line_break_reads_not_sent(self):
        partner = self._create_customer("Mario\nBianchi", "mario.bianchi")
        dispatch = self._queue_email(partner)
        note = dispatch.note
        mail = self._send_queue(dispatch)
        self.assertEqual(self.emails, [], "nothing left")
        self.assertEqual(mail.state, "exception")
        self.assertEqual(dispatch.delivery_state, "failed")
        self.assertEqual(dispatch.delivery_reason, mail.failure_reason)
        self.assertDecisionUnchanged(dispatch, note)
        self.assertEqual(len(self._todos(partner)), 1)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_todo_speaks_the_salespersons_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        self.user_salesman.lang = "it_IT"
        dispatch = self._queue_email(self.mario)
        self._send_queue(dispatch, refuse=smtplib.SMTPRecipientsRefused({"x": (550, b"no")}))
        todo = self._todos(self.mario)
        self.assertEqual(todo.summary, "E-mail di follow-up non consegnata")
        self.assertIn("non è stato inviato", str(todo.note))
        labels = dict(
            self.env["followup.dispatch"]
            .with_context(lang="it_IT")
            ._fields["delivery_state"]
            ._description_selection(self.env(context={"lang": "it_IT"}))
        )
        self.assertEqual(labels["failed"], "Non inviato")

    def test_bounce_reads_bounced_with_the_servers_words_and_gives_one_todo(self):
        dispatch = self._queue_email(self.mario)
        note = dispatch.note
        self._send_queue(dispatch)
        self.assertEqual(dispatch.delivery_state, "sent")
        self._bounce(dispatch)
        self.assertEqual(dispatch.delivery_state, "bounced")
        self.assertEqual(
            dispatch.delivery_reason,
            "550 5.1.1 <mario@example.com>: Recipient address rejected: User unknown in "
            "virtual mailbox table",
        )
        self.assertDecisionUnchanged(dispatch, note)
        todo = self._todos(self.mario)
        self.assertEqual(todo.user_id, self.user_salesman)
        self.assertIn("bounced", str(todo.note))
        # The same bounce reported twice is one failure.
        self._bounce(dispatch)
        self.assertEqual(self._todos(self.mario), todo)

    def test_delay_notice_is_not_a_bounce(self):
        dispatch = self._queue_email(self.mario)
        self._send_queue(dispatch)
        self._bounce(dispatch, action="delayed")
        self.assertEqual(dispatch.delivery_state, "sent")
        self.assertFalse(self._todos(self.mario))

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_not_delivered_filter_and_count_per_sequence(self):
        other = self._create_sequence(
            "Welcome back",
            "manual",
            [self._email_step("Hello again", self.template_partner)],
            purpose="service",
        )
        refused = self._create_customer("Rita Refused", "rita")
        bounced = self._create_customer("Bruno Bounced", "bruno")
        queued = self._create_customer("Quinto Queued", "quinto")
        sent = self._queue_email(self.mario)
        failed = self._queue_email(refused)
        self._send_queue(sent)
        self._send_queue(
            failed, refuse=smtplib.SMTPRecipientsRefused({"rita@example.com": (550, b"no")})
        )
        bounce = self._queue_email(bounced, other)
        self._send_queue(bounce)
        self._bounce(bounce)
        waiting = self._queue_email(queued, other)
        sequences = self.sequence_care | other
        Dispatch = (
            self.env["followup.dispatch"]
            .with_user(self.user_manager)
            .with_context(active_test=False)
        )
        search_view = self.env.ref("followup_manager.followup_dispatch_view_search_report")
        arch = Dispatch.get_views([(search_view.id, "search")])["views"]["search"]["arch"]
        self.assertIn('name="filter_not_delivered"', arch)
        not_delivered = Dispatch.search(
            [("sequence_id", "in", sequences.ids), ("delivery_state", "in", ["failed", "bounced"])]
        )
        self.assertEqual(not_delivered, failed | bounce)
        self.assertEqual(
            Dispatch.search(
                [("sequence_id", "in", sequences.ids), ("delivery_state", "=", "queued")]
            ),
            waiting,
        )
        self.assertEqual(
            Dispatch.search(
                [("sequence_id", "in", sequences.ids), ("delivery_state", "=", "sent")]
            ),
            sent,
        )
        self.assertEqual(
            Dispatch.search(
                [
                    ("sequence_id", "in", sequences.ids),
                    ("delivery_state", "not in", ["failed", "bounced", False]),
                ]
            ),
            sent | waiting,
        )
        # The analysis grouped by sequence with the filter on: the count per sequence.
        per_sequence = dict(
            Dispatch._read_group(
                [("delivery_state", "in", ["failed", "bounced"])], ["sequence_id"], ["__count"]
            )
        )
        self.assertEqual(per_sequence, {self.sequence_care: 1, other: 1})
        self.assertEqual(
            sequences.with_user(self.user_manager).mapped("undelivered_count"),
            [1, 1],
        )

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_auditor_reads_the_delivery_and_nobody_writes_it(self):
        dispatch = self._queue_email(self.mario)
        self._send_queue(dispatch, refuse=smtplib.SMTPRecipientsRefused({"x": (550, b"no")}))
        as_auditor = dispatch.with_user(self.user_auditor)
        self.assertEqual(as_auditor.delivery_state, "failed")
        delivery = as_auditor.delivery_ids
        self.assertEqual(delivery.state, "failed")
        for user in (self.user_salesman, self.user_auditor, self.user_manager):
            with self.subTest(user=user.login):
                self.assertFalse(self.Delivery.with_user(user).has_access("write"))
                self.assertFalse(self.Delivery.with_user(user).has_access("create"))
