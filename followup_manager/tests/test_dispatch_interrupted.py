"""A follow-up e-mail whose sending was interrupted is not sent again (found by
bin/rehearsal; test_dispatch_delivery.py: the delivery of the others)."""

import smtplib
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_dispatch_delivery import DeliveryMailCase


@tagged("post_install", "-at_install")
class TestDeliveryInterrupted(DeliveryMailCase):
    """Found by bin/rehearsal: PostgreSQL restarted (or the cron worker killed) after
    the mail server accepted a follow-up e-mail but before the queue committed it as
    sent; the next run sent it again, and the person got it twice. The queue now records
    that the sending started before the e-mail leaves, and does not send again an
    e-mail whose sending started and which is still queued. The tests run without the
    queue's own commits (the mark shares the test's transaction): the interruption is
    the mark left on a queued e-mail, as a worker that died leaves it."""

    def _mark(self, dispatch):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT mail_sending_started FROM followup_dispatch WHERE id = %s", [dispatch.id]
        )
        return self.env.cr.fetchone()[0]

    def _interrupt(self, dispatch):
        """What a worker that died after the mail server accepted the e-mail leaves:
        the mark committed, the e-mail still queued."""
        self.env.cr.execute(
            "UPDATE followup_dispatch SET mail_sending_started = now() at time zone 'UTC'"
            " WHERE id = %s",
            [dispatch.id],
        )
        dispatch.invalidate_recordset(["mail_sending_started"])

    def test_sending_is_marked_while_the_mail_server_has_it_then_cleared(self):
        dispatch = self._queue_email(self.mario)
        marks = []

        def send_message(message, smtp_from, smtp_to_list):
            marks.append(self._mark(dispatch))

        with (
            self.mock_smtplib_connection(),
            patch.object(self.testing_smtp_session, "send_message", side_effect=send_message),
        ):
            self.env["mail.mail"].sudo().process_email_queue(ids=dispatch.mail_id.ids)
        self.assertEqual(len(marks), 1, "sent once")
        self.assertTrue(marks[0], "marked before the mail server had it")
        self.assertFalse(self._mark(dispatch), "cleared once the outcome is recorded")
        self.assertRecordValues(dispatch, [{"delivery_state": "sent", "delivery_reason": False}])
        self.assertFalse(self._todos(self.mario))

    def test_queue_job_commits_the_mark_before_the_mail_server_has_the_email(self):
        """With the queue job's auto_commit (commits recorded here, not made): the mark
        is written by a cursor of its own and the worker's transaction committed after
        it, before the e-mail leaves; the queue commits the outcome, then the mark is
        cleared."""
        dispatch = self._queue_email(self.mario)
        # One connection serves the cursors of the registry, in the test's transaction
        # (as in HttpCase): the mark's own cursor sees the test's data.
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        events = []
        registry_cursor = self.registry.cursor

        def own_cursor():
            events.append("own cursor")
            return registry_cursor()

        def send_message(message, smtp_from, smtp_to_list):
            events.append(("smtp", bool(self._mark(dispatch))))

        with (
            patch.object(self.env.cr, "commit", side_effect=lambda: events.append("commit")),
            patch.object(type(self.registry), "cursor", side_effect=own_cursor),
            self.mock_smtplib_connection(),
            patch.object(self.testing_smtp_session, "send_message", side_effect=send_message),
        ):
            dispatch.mail_id.sudo().send(auto_commit=True)
        self.assertEqual(events, ["own cursor", "commit", ("smtp", True), "commit"])
        self.assertFalse(self._mark(dispatch))
        self.assertEqual(dispatch.delivery_state, "sent")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_refused_email_is_cleared_and_retried_by_hand(self):
        dispatch = self._queue_email(self.mario)
        refusal = smtplib.SMTPRecipientsRefused({"mario@example.com": (550, b"User unknown")})
        mail = self._send_queue(dispatch, refuse=refusal)
        self.assertEqual(mail.state, "exception")
        self.assertFalse(self._mark(dispatch))
        mail.action_retry()
        self._send_queue(dispatch)
        self.assertEqual(len(self.emails), 1, "a retry by hand is sent")
        self.assertEqual(dispatch.delivery_state, "sent")

    def test_interrupted_email_is_not_sent_again_and_reads_not_delivered(self):
        dispatch = self._queue_email(self.mario)
        note = dispatch.note
        mail = dispatch.mail_id
        message_id = mail.message_id
        self._interrupt(dispatch)
        self._send_queue(dispatch)
        self.assertEqual(self.emails, [], "nothing handed to the mail server")
        sentence = (
            "Not known to have left: the sending was interrupted; not sent again so that "
            "nobody gets it twice."
        )
        self.assertRecordValues(
            mail,
            [
                {
                    "state": "exception",
                    "failure_type": "unknown",
                    "failure_reason": sentence,
                    "message_id": message_id,
                }
            ],
        )
        self.assertRecordValues(
            dispatch, [{"delivery_state": "failed", "delivery_reason": sentence}]
        )
        self.assertDecisionUnchanged(dispatch, note)
        todo = self._todos(self.mario)
        self.assertEqual(len(todo), 1, "the salesperson is told, once")
        self.assertIn("interrupted", str(todo.note))
        self.assertEqual(mail.notification_ids.mapped("notification_status"), ["exception"])
        # The next run does not send it either, nor tell the salesperson again.
        self._send_queue(dispatch)
        self.assertEqual(self.emails, [])
        self.assertEqual(self._todos(self.mario), todo)
        # A bounce of the copy that did leave is still known on its step.
        self._bounce(dispatch)
        self.assertEqual(dispatch.delivery_state, "bounced")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_connection_lost_while_sending_reads_not_delivered(self):
        """The mail server's connection breaks while the e-mail is handed over (found by
        bin/rehearsal): Odoo leaves the e-mail failed and stops; the step reads not
        delivered, with why, and is not sent again."""
        dispatch = self._queue_email(self.mario)
        mail = self._send_queue(dispatch, refuse=smtplib.SMTPServerDisconnected("gone"))
        sentence = (
            "Not known to have left: the sending was interrupted; not sent again so that "
            "nobody gets it twice."
        )
        self.assertRecordValues(mail, [{"state": "exception", "failure_reason": sentence}])
        self.assertRecordValues(
            dispatch, [{"delivery_state": "failed", "delivery_reason": sentence}]
        )
        self.assertFalse(self._mark(dispatch))
        self.assertEqual(len(self._todos(self.mario)), 1, "the salesperson is told, once")
        self._send_queue(dispatch)
        self.assertEqual(self.emails, [], "not sent again")

    def test_interrupted_email_whose_bounce_came_first_reads_bounced(self):
        """The copy that left bounced before the queue's next run: it is not sent
        again, and the step keeps reading bounced (one to-do)."""
        dispatch = self._queue_email(self.mario)
        self._interrupt(dispatch)
        self._bounce(dispatch)
        self.assertEqual(dispatch.delivery_state, "bounced")
        todo = self._todos(self.mario)
        self.assertEqual(len(todo), 1)
        mail = self._send_queue(dispatch)
        self.assertEqual(self.emails, [])
        self.assertEqual(mail.state, "exception")
        self.assertEqual(dispatch.delivery_state, "bounced")
        self.assertEqual(self._todos(self.mario), todo)

    def test_interrupted_email_retried_by_hand_is_sent(self):
        dispatch = self._queue_email(self.mario)
        mail = dispatch.mail_id
        self._interrupt(dispatch)
        self._send_queue(dispatch)
        self.assertEqual(mail.state, "exception")
        mail.action_retry()
        self.assertFalse(self._mark(dispatch), "the user asked for it again")
        self._send_queue(dispatch)
        self.assertEqual(len(self.emails), 1)
        self.assertEqual(dispatch.delivery_state, "sent")

    def test_email_cancelled_at_sending_leaves_no_mark(self):
        dispatch = self._queue_email(self.mario)
        self.env["mail.blacklist"]._add(self.mario.email)
        mail = self._send_queue(dispatch)
        self.assertEqual(self.emails, [])
        self.assertEqual(mail.state, "cancel")
        self.assertIn("said no to e-mails", dispatch.delivery_reason)
        self.assertFalse(self._mark(dispatch))

    def test_other_emails_are_sent_as_odoo_sends_them(self):
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "email_from": "sales@example.com",
                    "email_to": "someone@example.com",
                    "subject": "Not a follow-up",
                    "body_html": "<p>Hello</p>",
                }
            )
        )
        MailMail = self.registry["mail.mail"]
        with (
            patch.object(
                MailMail, "_followup_start_sending", autospec=True, side_effect=AssertionError
            ) as start,
            self.mock_smtplib_connection(),
        ):
            self.env["mail.mail"].sudo().process_email_queue(ids=mail.ids)
        start.assert_not_called()
        self.assertEqual(len(self.emails), 1)
        self.assertEqual(mail.state, "sent")
