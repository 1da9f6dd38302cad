from odoo import api, models
from odoo.tools import email_normalize, email_split

from ..policy import bounce, replies
from .followup_partner_bounce import CONTEXT_BOUNCED_MESSAGE, CONTEXT_DELIVERY_STATUS

# The gateway's parsed message carries the report as policy.bounce read it.
STATUS_KEY = "followup_delivery_status"


class MailThread(models.AbstractModel):
    """Bounces as the gateway receives them: what the delivery report says."""

    _inherit = "mail.thread"

    @api.model
    def _detect_is_bounce(self, message, message_dict):
        # An automatic reply sent to the envelope sender (our bounce address), as
        # vacation responders do, is an automatic reply, not a failure report.
        is_bounce = super()._detect_is_bounce(message, message_dict)
        if is_bounce and not self._followup_is_failure_report(message, message_dict):
            return False
        return is_bounce

    @api.model
    def _followup_is_failure_report(self, message, message_dict):
        """Whether a message Odoo takes for a bounce is a mail server's report (a
        report part, a mail server's sender, no automatic-reply mark) rather than
        a person's mail program answering. Override to widen it."""
        if message.get_content_type() == "multipart/report":
            return True
        local = (email_split(message_dict.get("email_from") or "") or [""])[0].split("@")[0]
        if local.lower() in ("mailer-daemon", "postmaster"):
            return True
        return not replies.auto_reply_kind(dict(message.items()), message_dict.get("subject"))

    @api.model
    def _message_parse_extract_bounce(self, email_message, message_dict):
        # A report counts only for an address an e-mail it quotes was sent to: a
        # report quoting none of our e-mails, or quoting one sent to someone else,
        # changes nobody's address (anyone can write a report naming anyone).
        # policy.bounce reads the report once, here: which of the recipients failed
        # (named in a delivery report, X-Failed-Recipients or the text, or the only
        # recipient when the report names none), how, and what failed; Odoo then
        # counts failures of the address or the mailbox only (not a delay notice,
        # not a refusal of the sender).
        res = super()._message_parse_extract_bounce(email_message, message_dict)
        if not res.get("is_bounce"):
            return res
        # sudo: as Odoo's own bounce parsing, the gateway looks up the message a
        # report quotes and who has the address; nothing is returned to the sender.
        Message, Partner = self.env["mail.message"].sudo(), self.env["res.partner"].sudo()
        bounced = res.get("bounced_message") or Message
        if not bounced:
            references = bounce.quoted_message_ids(email_message)
            if references:
                bounced = Message.search(
                    [("message_id", "in", list(references))],
                    order="create_date DESC, id DESC",
                    limit=1,
                )
        recipients = self._followup_bounce_recipients(bounced) if bounced else []
        if not bounced:
            # A mass mailing's e-mails leave no message behind: their traces say to
            # whom they went.
            recipients = self._followup_bounce_trace_recipients(res.get("bounced_msg_ids") or [])
        status = bounce.delivery_status(email_message, tuple(recipients)) if recipients else None
        if status is None and bounced:
            # A report about an address nobody has any more (the person changed it
            # since): no one's address is at stake, Odoo counts it as it would.
            named = bounce.failed_addresses(email_message)
            if named and not Partner.search_count([("email_normalized", "in", list(named))]):
                status = bounce.delivery_status(email_message, named[0])
        refused = {"bounced_email": False, "bounced_partner": Partner}
        if status is None:
            return dict(res, bounced_message=Message, **refused, **{STATUS_KEY: None})
        res = dict(res, bounced_message=bounced, **{STATUS_KEY: status})
        if not status.failed or status.what == bounce.SENDER:
            # A delay notice, or the sender refused: the address is not in question.
            return dict(res, **refused)
        email = res.get("bounced_email")
        if email not in status.addresses:
            email = next((a for a in status.addresses if a in recipients), status.recipient)
        email = email_normalize(email or "") or False
        partners = Partner.search([("email_normalized", "=", email)]) if email else Partner
        return dict(res, bounced_email=email, bounced_partner=partners)

    @api.model
    def _followup_bounce_recipients(self, message):
        """The addresses (normalized) ``message``'s e-mails were sent to: its
        recipients and notified partners, and the addresses of its queued e-mails.
        Override to add a channel's own recipients."""
        partners = message.partner_ids | message.notification_ids.res_partner_id
        emails = [partner.email_normalized for partner in partners]
        # sudo: only the addresses of the e-mails of a message the report quotes.
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", message.ids)])
        email_to = ",".join(filter(None, mails.mapped("email_to")))
        emails += [email_normalize(email) for email in email_split(email_to)]
        return list(dict.fromkeys(email for email in emails if email))

    @api.model
    def _followup_bounce_trace_recipients(self, message_ids):
        """The addresses (normalized) mass mailing traces with these Message-Ids went
        to, when Email Marketing is installed."""
        if not message_ids or "mailing.trace" not in self.env:
            return []
        # sudo: only the addresses of the e-mails the report quotes.
        traces = self.env["mailing.trace"].sudo().search([("message_id", "in", message_ids)])
        emails = (email_normalize(email or "") for email in traces.mapped("email"))
        return list(dict.fromkeys(email for email in emails if email))

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        # The report was read once (_message_parse_extract_bounce), for the bounced
        # address and for the follow-up e-mail that bounced. Odoo counts the bounce
        # on every partner with the address (res.partner._message_receive_bounce);
        # the report's status and diagnostic ride along in the context so that the
        # partners can tell a hard bounce from a temporary failure.
        status = message_dict.get(STATUS_KEY)
        bounced_message = message_dict.get("bounced_message")
        this = self.with_context(
            **{
                CONTEXT_DELIVERY_STATUS: status,
                CONTEXT_BOUNCED_MESSAGE: bounced_message[:1].id if bounced_message else False,
            }
        )
        result = super(MailThread, this)._routing_handle_bounce(email_message, message_dict)
        if bounced_message:
            self._followup_learn_bounce(bounced_message, status, message_dict)
        return result

    @api.model
    def _routing_reset_bounce(self, email_message, message_dict):
        # Follows mail.thread._routing_reset_bounce, the hook message_process calls
        # for the sender of every mail that is no bounce (as _routing_handle_bounce
        # above, and mass_mailing's, follow Odoo's hook for bounces).
        # A mail received from an address proves it works: Odoo then resets the
        # bounce counter of the records with that address, and the partners clear
        # their follow-up bounce (followup_partner_bounce.py). Odoo's reset reads the
        # address from message_dict["email_from"], the From as its parser formatted
        # it ('"Mario Rossi" <mario@example.com>', never equal to a normalized
        # address, while "mario@example.com <x@example.net>" becomes
        # mario@example.com). Odoo offers no other way to give its reset the address:
        # the reset alone gets a copy of message_dict with the address read strictly
        # from the header (policy.replies.sender_address), so that a display name does
        # not keep a bounce and a malformed From clears none; the routing, the author
        # and the posted message keep the parser's email_from.
        email = email_normalize(replies.sender_address(email_message) or "")
        return super()._routing_reset_bounce(
            email_message, dict(message_dict, email_from=email or False)
        )
