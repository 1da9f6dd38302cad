"""The gateway tells the follow-up log that a follow-up e-mail bounced: a delivery status
notification (DSN) quoting the Message-Id of the e-mail is a bounce of that message.

Only the message's delivery is recorded here, from the report as ``policy.bounce`` reads
it (``mail_thread_bounce.py`` reads it once per bounce and calls this); what a bounce
means for the partner's address is ``res_partner_bounce.py``'s concern."""

from odoo import api, models
from odoo.tools import html2plaintext

from ..policy import bounce


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _followup_learn_bounce(self, bounced, status, message_dict):
        """Record that the follow-up e-mails of the ``bounced`` messages bounced.

        :param bounced: the ``mail.message`` records the bounce names
        :param status: the recipient's ``policy.bounce.DeliveryStatus``, or None when
            the bounce carries no delivery report (its text is then the reason)
        :param dict message_dict: the bounce as parsed by the gateway
        """
        dispatches = self.env["followup.dispatch"]._followup_of_messages(bounced.ids)
        if not dispatches:
            return
        if status is not None and not status.failed:
            return  # a delay notice, not a bounce
        reason = self._followup_bounce_reason(status, message_dict)
        if status is not None and status.what == bounce.SENDER:
            # The receiving server refused the sender (spam, policy, authentication):
            # the address is fine, the salesperson must know why nothing arrived.
            fact = (
                "bounced",
                "mail_spam",
                self.env._("refused because of the sender: %(reason)s", reason=reason),
            )
        else:
            fact = ("bounced", "mail_bounce", reason)
        self.env["followup.delivery"]._followup_learn(
            dict.fromkeys((dispatch.id for dispatch in dispatches.values()), fact)
        )

    @api.model
    def _followup_bounce_reason(self, status, message_dict):
        """What the remote server said: its Diagnostic-Code, else its Status, else
        the text of the bounce."""
        if status is not None and status.diagnostic:
            return status.diagnostic
        if status is not None and status.status:
            return self.env._("status %(status)s", status=status.status)
        return html2plaintext(message_dict.get("body") or "")
