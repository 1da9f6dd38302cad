from odoo import api, models
from odoo.tools import email_normalize, html2plaintext
from odoo.tools.mail import unfold_references

from ..policy import replies

# Context key set while the gateway posts an automatic reply: it is no reply
# (mail_thread.py does not stop follow-ups on it).
CONTEXT_AUTO_REPLY = "followup_auto_reply"


class MailThread(models.AbstractModel):
    """Automatic replies as the gateway receives them: out-of-office messages,
    vacation responders, lists. They stop nothing; an absence makes the person's
    follow-ups wait (res_partner_away.py)."""

    _inherit = "mail.thread"

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        kind = replies.auto_reply_kind(dict(message.items()), message_dict.get("subject"))
        if not kind:
            return super()._message_route_process(message, message_dict, routes)
        self._followup_on_auto_reply(message, message_dict)
        this = self.with_context(**{CONTEXT_AUTO_REPLY: kind})
        return super(MailThread, this)._message_route_process(message, message_dict, routes)

    @api.model
    def _followup_on_auto_reply(self, message, message_dict):
        """The person's mail program answered for them: their follow-ups wait until
        the day after the return date it states, or the company's waiting days
        (``followup_away_days``) when it states none. The person is the one whose
        address the From header names (never a display name)."""
        email = email_normalize(replies.sender_address(message) or "")
        if not email or not self._followup_answers_mail_to(message_dict, email):
            # Anyone can write "From: someone" on a message: an automatic reply
            # counts only when it answers an e-mail we sent to that address.
            return self.env["res.partner"]
        partners = self.env["res.partner"]._followup_partners_by_email([email])
        if partners:
            text = "\n".join(
                (message_dict.get("subject") or "", html2plaintext(message_dict.get("body") or ""))
            )
            partners._followup_record_away(text)
        return partners

    @api.model
    def _followup_answers_mail_to(self, message_dict, email):
        """Whether the message answers (In-Reply-To, else References) an e-mail sent
        to ``email`` (normalized)."""
        references = unfold_references(message_dict.get("in_reply_to") or "") or unfold_references(
            message_dict.get("references") or ""
        )
        if not references:
            return False
        # sudo: only the recipients of the messages answered are read.
        answered = (
            self.env["mail.message"]
            .sudo()
            .search([("message_id", "in", [r.strip() for r in references[-32:]])])
        )
        return any(email in self._followup_bounce_recipients(message) for message in answered)
