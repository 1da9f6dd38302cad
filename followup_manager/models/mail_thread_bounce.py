from odoo import api, models
from odoo.tools import email_normalize

from ..policy import bounce, replies
from .res_partner_bounce import CONTEXT_BOUNCED_MESSAGE, CONTEXT_DELIVERY_STATUS


class MailThread(models.AbstractModel):
    """Bounces as the gateway receives them: what the delivery report says."""

    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        # The delivery report is read once (policy.bounce), for the bounced address
        # and for the follow-up e-mail that bounced. Odoo counts the bounce on every
        # partner with the address (res.partner._message_receive_bounce); the
        # report's status and diagnostic ride along in the context so that the
        # partners can tell a hard bounce from a temporary failure.
        status = bounce.delivery_status(email_message, message_dict.get("bounced_email"))
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
        # A mail received from an address proves it works: Odoo then resets the
        # bounce counter of the records with that address, and the partners clear
        # their follow-up bounce (res_partner_bounce.py). Odoo compares the From as
        # its parser reduced it ("Mario Rossi <mario@example.com>", never equal to a
        # normalized address, while "mario@example.com <x@example.net>" becomes
        # mario@example.com); the address is read here from the header itself,
        # strictly, so that neither a display name nor a malformed From clears the
        # bounce of an address that did not write.
        email = email_normalize(replies.sender_address(email_message) or "")
        return super()._routing_reset_bounce(
            email_message, dict(message_dict, email_from=email or False)
        )
