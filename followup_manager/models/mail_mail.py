"""The e-mail queue tells the follow-up log whether a follow-up e-mail left: Odoo calls
``_postprocess_sent_message`` after each attempt, sent or failed, before deleting a sent
e-mail, and writes there the e-mail's notification, where the decision that queued it
reads its delivery; this is where the add-on dates it and tells the salesperson of a
failure (``followup.delivery._followup_watch``).

And the queue asks the person once more before a follow-up e-mail leaves: one who
unsubscribed, was blacklisted or refused e-mail since the decision queued it is not
written to (``policy.sending.refusal_at_sending``). Found by bin/rehearsal: with
thousands of e-mails queued, people who clicked one-click unsubscribe still received
the e-mail decided before their click, minutes later.

The one-click unsubscribe headers of a follow-up e-mail are added when it leaves, as
mass mailing adds its own (``_prepare_outgoing_list``), for its recipient: they are not
stored with the queued e-mail, so they carry the partner's address and links of the
moment it is sent, and a resent e-mail (*Resend*, a new ``mail.mail`` of the same
message) carries them too.

And a follow-up e-mail leaves at most once. Odoo's queue commits an e-mail as sent after
the mail server accepted it: a cron worker killed, or PostgreSQL restarted, in between
put it back in the queue, and the next run sent it again (found by bin/rehearsal: a
person got the same follow-up twice). Right before a follow-up e-mail is handed to the
mail server, the queue marks its decision (``followup.dispatch.mail_sending_started``),
committed by a transaction of its own when the queue commits (its cron job), and clears
the mark once the outcome is recorded. A follow-up e-mail met still queued with the mark
(``policy.sending.interrupted_at_sending``) may have left: it is not sent again but
failed, *not known to have left*, and its decision reads not delivered (the salesperson
gets the to-do) unless a bounce of the copy that left is known. *Retry* by hand clears
the mark. Other e-mails are sent as Odoo sends them."""

import logging
import smtplib

import psycopg2

from odoo import fields, models
from odoo.tools import SQL

from ..policy.sending import interrupted_at_sending, refusal_at_sending, retry_after_failure
from ..policy.vocabulary import BLACKLISTED
from .ir_mail_server import NO_FOLD_HEADERS

_logger = logging.getLogger(__name__)

#: What ``_followup_start_sending`` found.
STARTED, INTERRUPTED, BUSY = "started", "interrupted", "busy"
#: Context key: the delivery facts of the follow-up e-mail being sent as they were
#: before Odoo's queue marked its notification failed "while sending" (``_send``).
BEFORE_SENDING = "followup_delivery_before_sending"


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _send(
        self,
        auto_commit=False,
        raise_exception=False,
        smtp_session=None,
        alias_domain_id=False,
        mail_server=False,
        post_send_callback=None,
    ):
        """Follow-up e-mails one at a time, each after asking its person again, the
        others as Odoo sends them."""
        options = {
            "auto_commit": auto_commit,
            "raise_exception": raise_exception,
            "smtp_session": smtp_session,
            "alias_domain_id": alias_domain_id,
            "mail_server": mail_server,
            "post_send_callback": post_send_callback,
        }
        dispatches = self.env["followup.dispatch"]._followup_of_mails(self.ids)
        others = self.filtered(lambda mail: mail.id not in dispatches)
        for mail in self - others:
            if mail.state != "outgoing":
                continue
            dispatch = dispatches[mail.id]
            started = mail._followup_start_sending(dispatch, auto_commit)
            if started == INTERRUPTED:
                mail._followup_fail_interrupted(dispatch)
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                continue
            if started != STARTED:
                continue
            if mail._followup_stopped_at_sending(dispatch):
                mail._followup_unmark_sending(dispatch)
                if auto_commit:
                    # Cancelled or postponed, never sent: the mark must not outlive it.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                continue
            # Odoo's queue marks the notification failed before the e-mail leaves, in
            # case it fails without a word: the facts before it, for the outcome.
            before = self.env["followup.delivery"]._followup_facts(dispatch)
            try:
                super(MailMail, mail.with_context(**{BEFORE_SENDING: before}))._send(**options)
            except smtplib.SMTPServerDisconnected:
                # The connection broke while the e-mail was handed over: Odoo leaves it
                # failed ("Error without exception", written before the hand-over) and
                # stops the batch without telling anyone. It may have left: the log
                # learns it as not delivered, as an interrupted sending (found by
                # bin/rehearsal: the step read "queued" for good).
                mail._followup_fail_interrupted(dispatch, before)
                mail._followup_unmark_sending(dispatch)
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                raise
            # Reached once the queue has recorded the outcome (committed it, with
            # auto_commit): an exception (the database gone) leaves the mark.
            mail._followup_unmark_sending(dispatch)
        if others or not dispatches:
            return super(MailMail, others)._send(**options)
        return True

    def _followup_stopped_at_sending(self, dispatch):
        """Ask the person of this follow-up e-mail once more, right before it leaves;
        True when it must not leave now: cancelled (the person said no since the
        decision) or left in the queue for its next run (the person is deciding right
        now).

        The person's row is share-locked until the e-mail has left (the queue commits
        after each e-mail): the public pages lock it before they record a decision, so
        an unsubscribe is either seen here or answered only after this e-mail left,
        never answered and then contradicted. A row locked by a decision in progress,
        or changed since this transaction's snapshot, postpones the e-mail."""
        self.ensure_one()
        if self.state != "outgoing":
            return False
        partner = dispatch.partner_id
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM res_partner WHERE id = %s FOR SHARE SKIP LOCKED",
                        partner.id,
                    )
                )
                locked = bool(self.env.cr.fetchone())
        except psycopg2.errors.SerializationFailure:
            locked = False
        if not locked:
            return True
        # Read as committed now, not from the cache of an earlier moment of the run.
        rows = self.env.execute_query(
            SQL(
                """SELECT p.followup_no_email,
                          EXISTS (SELECT 1 FROM mail_blacklist b
                                   WHERE b.email = p.email_normalized AND b.active),
                          c.state
                     FROM res_partner p
                LEFT JOIN followup_consent c ON c.partner_id = p.id AND c.channel = 'email'
                    WHERE p.id = %s""",
                partner.id,
            )
        )
        reason = rows and refusal_at_sending(*rows[0])
        if not reason:
            return False
        self._followup_cancel_at_sending(reason, partner)
        return True

    def _followup_cancel_at_sending(self, reason, partner):
        """Cancel this queued follow-up e-mail: the person said no since it was
        decided; the follow-up log learns it as not sent, with why."""
        labels = dict(
            self.env["followup.dispatch"]._fields["reason"]._description_selection(self.env)
        )
        failure_reason = self.env._(
            "Not sent: after this e-mail was queued, %(partner)s said no to e-mails (%(reason)s).",
            partner=partner.display_name,
            reason=labels.get(reason, reason),
        )
        failure_type = "mail_bl" if reason == BLACKLISTED else "mail_optout"
        self.write(
            {"state": "cancel", "failure_type": failure_type, "failure_reason": failure_reason}
        )
        # sudo: the notifications of the e-mail being cancelled, as the queue itself
        # updates them whoever runs it; the reason is Odoo's failure reason (its
        # failure types have no opt-out: that one stays on the e-mail).
        dispatches = self._followup_dispatches()
        with self.env["followup.delivery"]._followup_watch(dispatches):
            self.env["mail.notification"].sudo().search(
                [
                    ("mail_mail_id", "=", self.id),
                    ("notification_status", "not in", ("sent", "canceled")),
                ]
            ).write({"notification_status": "canceled", "failure_reason": failure_reason})

    def _followup_fail_interrupted(self, dispatch, before=None):
        """Fail this queued follow-up e-mail whose sending was interrupted
        (``policy.sending.interrupted_at_sending``): it may have left, so it is not sent
        again, and the follow-up log learns it as not delivered, with why (its
        salesperson gets the to-do of a step not delivered), unless a bounce of the copy
        that left is already known on it (it keeps reading *Bounced*)."""
        failure_reason = self.env._(
            "Not known to have left: the sending was interrupted; not sent again so that "
            "nobody gets it twice."
        )
        self.write(
            {"state": "exception", "failure_type": "unknown", "failure_reason": failure_reason}
        )
        Delivery = self.env["followup.delivery"]
        if Delivery._followup_facts(dispatch)[dispatch.id][0] == "bounced":
            return  # Odoo's notification, or the add-on's reading, keeps the bounce
        with Delivery._followup_watch(dispatch, before):
            # Odoo's own bookkeeping of a failed e-mail (its notifications).
            super()._postprocess_sent_message(
                success_pids=[], failure_reason=failure_reason, failure_type="unknown"
            )

    def _followup_start_sending(self, dispatch, auto_commit):
        """Record that this queued follow-up e-mail is about to be handed to the mail
        server: ``STARTED``; ``INTERRUPTED`` when an earlier sending of it started and
        never finished (``policy.sending.interrupted_at_sending``): it must not be sent
        again; ``BUSY`` when it cannot be recorded now (it stays queued for the next
        run).

        With ``auto_commit`` (the queue's job) the mark is committed by a transaction of
        its own, and this worker's transaction is committed after it, so that the one
        that sends the e-mail starts after the mark (it updates the decision's row when
        Odoo deletes the sent e-mail: a mark committed during it would be a
        serialization failure). A worker killed, or the database lost, after the mail
        server accepted the e-mail but before the queue committed it as sent leaves
        the mark on an e-mail still queued. Without ``auto_commit`` (a send inside a
        request, the tests) the mark shares the caller's transaction, which keeps or
        loses it with the e-mail's state."""
        self.ensure_one()
        read = SQL(
            "SELECT mail_sending_started FROM followup_dispatch WHERE id = %s FOR UPDATE",
            dispatch.id,
        )
        mark = SQL(
            "UPDATE followup_dispatch SET mail_sending_started = %s WHERE id = %s",
            fields.Datetime.now(),
            dispatch.id,
        )

        def start(cr):
            cr.execute(read, log_exceptions=False)
            row = cr.fetchone()
            if interrupted_at_sending(row and row[0], self.state):
                return INTERRUPTED
            cr.execute(mark, log_exceptions=False)
            return STARTED

        if auto_commit:
            try:
                with self.env.registry.cursor() as cr:
                    # Another transaction holding the row (never this worker's: it
                    # commits after each e-mail) postpones the e-mail.
                    cr.execute("SET LOCAL lock_timeout = '5s'")
                    started = start(cr)
            except psycopg2.Error as error:
                _logger.warning(
                    "Follow-up e-mail %s left queued: its sending could not be recorded (%s)",
                    self.id,
                    error,
                )
                return BUSY
            # This worker's next transaction, which sends the e-mail, starts after the
            # mark.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            started = start(self.env.cr)
        dispatch.invalidate_recordset(["mail_sending_started"])
        return started

    def _followup_unmark_sending(self, dispatch):
        """The outcome of this e-mail's sending is recorded: clear its mark (committed
        with the next e-mail, or at the end of the queue's run; left behind, it is
        harmless on an e-mail no longer queued)."""
        self.env.cr.execute(
            SQL(
                "UPDATE followup_dispatch SET mail_sending_started = NULL WHERE id = %s",
                dispatch.id,
            )
        )
        dispatch.invalidate_recordset(["mail_sending_started"])

    def mark_outgoing(self):
        """Put back in the queue by hand (*Retry*): a follow-up e-mail whose sending was
        interrupted is sent again, as its user asks."""
        dispatches = self.env["followup.dispatch"]._followup_of_mails(self.ids)
        if dispatches:
            # sudo: the mark of our own e-mails, whoever retries them.
            self.env["followup.dispatch"].sudo().browse(
                [dispatch.id for dispatch in dispatches.values()]
            ).filtered("mail_sending_started").write({"mail_sending_started": False})
        return super().mark_outgoing()

    def _prepare_outgoing_list(self, mail_server=False, recipients_follower_status=None):
        email_list = super()._prepare_outgoing_list(
            mail_server=mail_server, recipients_follower_status=recipients_follower_status
        )
        if not self.mail_message_id:
            return email_list
        dispatch = (
            self.env["followup.dispatch"]
            ._followup_of_messages(self.mail_message_id.ids)
            .get(self.mail_message_id.id)
        )
        if not dispatch or not dispatch.partner_id:
            return email_list
        headers = None
        for email_values in email_list:
            if email_values["partner_id"] != dispatch.partner_id:
                continue
            if any(name.lower() in NO_FOLD_HEADERS for name in email_values["headers"]):
                # Queued by a release that stored the headers with the e-mail: they
                # leave as they were stored, once.
                continue
            if headers is None:
                # sudo (the dispatch row's): only the partner's own signed links and the
                # company's alias address are read, for the partner's own e-mail.
                headers = dispatch.partner_id._followup_mail_headers(dispatch.company_id)
            # A dict of its own: Odoo gives every recipient the same headers dict.
            email_values["headers"] = {**email_values["headers"], **headers}
        return email_list

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        retried = self._followup_retry_later(failure_reason, failure_type)
        mails = self - retried
        # Before super(): a sent e-mail with auto_delete is gone after it.
        dispatches = mails._followup_dispatches()
        Delivery = self.env["followup.delivery"]
        with Delivery._followup_watch(dispatches, self.env.context.get(BEFORE_SENDING)):
            # A new attempt (sent again by hand): Odoo's notification says what became
            # of it, not an earlier bounce.
            Delivery._followup_forget_bounce(dispatches)
            return super(MailMail, mails)._postprocess_sent_message(
                success_pids, failure_reason=failure_reason, failure_type=failure_type
            )

    def _followup_retry_later(self, failure_reason, failure_type):
        """Put back in the queue the follow-up e-mails among these whose sending failed
        only because the mail server could not be reached
        (``policy.sending.retry_after_failure``); return them. Their decision still
        reads *queued*, and nobody gets a to-do for them."""
        if not failure_type:
            return self.browse()
        dispatches = self.env["followup.dispatch"]._followup_of_mails(self.ids)
        now = fields.Datetime.now()
        retried, moments = self.browse(), set()
        for mail in self.filtered(lambda mail: mail.id in dispatches):
            moment = retry_after_failure(failure_type, mail.create_date, now)
            if moment:
                retried |= mail
                moments.add(moment)
        if retried:
            retried.write(
                {
                    "state": "outgoing",
                    "scheduled_date": min(moments),
                    "failure_reason": failure_reason,
                    "failure_type": False,
                }
            )
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger(min(moments))
        return retried

    def _followup_dispatches(self):
        """The follow-up decisions that queued these e-mails."""
        dispatches = self.env["followup.dispatch"]._followup_of_mails(self.ids)
        return self.env["followup.dispatch"].sudo().union(*dispatches.values())
