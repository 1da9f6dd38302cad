"""The gateway tells the follow-up log that a follow-up e-mail bounced: a delivery status
notification (DSN) quoting the Message-Id of the e-mail is a bounce of that message.

Only the message's delivery is recorded here; what a bounce means for the partner's
address (its bounce counter, the blacklist) is Odoo's and other hooks' concern, and all
of them run through ``super()``."""

from odoo import api, models
from odoo.tools import html2plaintext

# DSN actions that are not a failure (RFC 3464, section 2.3.3).
_NOT_FAILED = {"delayed", "delivered", "relayed", "expanded"}


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        result = super()._routing_handle_bounce(email_message, message_dict)
        bounced = message_dict.get("bounced_message")
        if bounced:
            self._followup_learn_bounce(bounced, email_message, message_dict)
        return result

    @api.model
    def _followup_learn_bounce(self, bounced, email_message, message_dict):
        dispatches = self.env["followup.dispatch"]._followup_of_messages(bounced.ids)
        if not dispatches:
            return
        actions, reason = self._followup_dsn_report(email_message)
        if actions and actions <= _NOT_FAILED:
            return  # a "delayed" notice, not a bounce
        reason = reason or html2plaintext(message_dict.get("body") or "")
        self.env["followup.delivery"]._followup_learn(
            {dispatch.id: ("bounced", "mail_bounce", reason) for dispatch in dispatches.values()}
        )

    @api.model
    def _followup_dsn_report(self, email_message):
        """({actions}, reason) of a delivery status notification: the actions of its
        recipients and what the remote server said (its Diagnostic-Code, else its
        Status); (set(), "") when the bounce has no machine-readable report."""
        part = next(
            (
                part
                for part in email_message.walk()
                if part.get_content_type() == "message/delivery-status"
            ),
            None,
        )
        if part is None or not isinstance(part.get_payload(), list):
            return set(), ""
        actions, reasons = set(), []
        for block in part.get_payload()[1:]:
            action = (block.get("Action") or "").strip().lower()
            if action:
                actions.add(action)
            diagnostic = " ".join(str(block.get("Diagnostic-Code") or "").split())
            status = (block.get("Status") or "").strip()
            if diagnostic:
                reasons.append(diagnostic.split(";", 1)[-1].strip())
            elif status:
                reasons.append(self.env._("status %(status)s", status=status))
        return actions, "; ".join(reasons)
