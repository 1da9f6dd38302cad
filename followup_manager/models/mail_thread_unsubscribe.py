import logging
import re
from email.message import EmailMessage

from odoo import api, models
from odoo.tools import email_split

_logger = logging.getLogger(__name__)

# The local part of the unsubscribe address, after the alias domain's catchall and
# a "+": catchall+unsubscribe@example.com reaches the catchall mailbox whatever the
# mail server (plus addressing), so the gateway sees it without a new mailbox.
UNSUBSCRIBE_TAG = "unsubscribe"
# The subject the mailto: URI asks the mail program to send: "unsubscribe <id> <token>".
_SUBJECT = re.compile(r"\bunsubscribe\s+(\d{1,12})\s+([0-9a-f.]{16,200})\b", re.IGNORECASE)


class MailThread(models.AbstractModel):
    """The ``mailto:`` unsubscribe of follow-up e-mails (RFC 2369), received by
    the gateway: a withdrawal of e-mail consent, as the one-click link."""

    _inherit = "mail.thread"

    @api.model
    def _followup_unsubscribe_tag(self):
        """The "+tag" of the unsubscribe address; override to change it."""
        return UNSUBSCRIBE_TAG

    @api.model
    def _followup_unsubscribe_addresses(self):
        """{address: alias domain} of the unsubscribe addresses of every alias
        domain (``catchall+unsubscribe@domain``)."""
        # sudo: alias domains are configuration read by the gateway anyway.
        domains = self.env["mail.alias.domain"].sudo().search([])
        tag = self._followup_unsubscribe_tag()
        return {
            f"{domain.catchall_alias}+{tag}@{domain.name}".lower(): domain
            for domain in domains
            if domain.catchall_alias and domain.name
        }

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        if not isinstance(message, EmailMessage):
            # Only the gateway hands over parsed e-mails; Odoo refuses anything else
            # (an RPC call) with a TypeError, before this add-on looks at it.
            return super().message_route(message, message_dict, model, thread_id, custom_values)
        addresses = self._followup_unsubscribe_addresses()
        recipients = {email.lower() for email in email_split(message_dict.get("recipients") or "")}
        if addresses and recipients & set(addresses):
            # Handled here and routed nowhere, as Odoo does with bounces: the
            # request is not a conversation and must not reach any document.
            self._followup_receive_unsubscribe(message_dict)
            return []
        return super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )

    @api.model
    def _followup_receive_unsubscribe(self, message_dict):
        """Withdraw the e-mail consent of the partner named by the subject, if its
        token is right (the same signed token as the one-click link, bound to the
        address the e-mail was sent to). Anything else is logged and dropped."""
        found = _SUBJECT.search(message_dict.get("subject") or "")
        # sudo: the gateway acts for a person without an account; the signed
        # token is what allows it, checked below before anything is written.
        partner = (
            self.env["res.partner"].sudo().with_context(active_test=False).browse(int(found[1]))
            if found
            else self.env["res.partner"]
        )
        if (
            not partner.exists()
            or partner._followup_check_token("unsubscribe", found[2]) != "valid"
        ):
            _logger.info(
                "Follow-up unsubscribe e-mail from %s ignored: no valid link in its subject",
                message_dict.get("email_from"),
            )
            return partner.browse()
        # sudo: the gateway (no user) reads the current e-mail consent of the partner
        # whose signed link was checked above.
        consent = (
            self.env["followup.consent"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("channel", "=", "email")])
        )
        if consent.state == "withdrawn":
            return partner.browse()
        proof = self.env._(
            "Unsubscribe e-mail sent by the mail program from the List-Unsubscribe "
            "header of our e-mail (mailto), received from %(sender)s on %(date)s.\n"
            "Address: %(email)s",
            sender=message_dict.get("email_from") or "",
            date=message_dict.get("date") or "",
            email=partner.email_normalized or "",
        )
        self.env["followup.consent.event"]._record(
            partner._followup_consent_event_vals("email", "withdrawn", "mailto", proof=proof)
        )
        return partner
