from odoo import api, models, tools

from ..policy import email_key


class MailBlacklist(models.Model):
    """Odoo's e-mail blacklist follows e-mail consent; an address listed
    elsewhere in Odoo is a withdrawn e-mail consent (see
    followup.blacklist.mirror)."""

    _name = "mail.blacklist"
    _inherit = ["followup.blacklist.mirror", "mail.blacklist"]

    _followup_value_field = "email"
    _followup_channels = ("email",)
    _followup_source = "mail_blacklist"

    def _followup_targets(self):
        partners = self._followup_holders(self.mapped("email"))
        by_email = {email_key(record.email): record for record in self}
        # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
        suffix = self._followup_message_suffix()
        return partners, {
            partner.id: (
                by_email.get(email_key(partner.email_normalized)),
                self.env._(
                    "The address %(email)s was added to Odoo's e-mail blacklist.%(message)s",
                    email=partner.email_normalized,
                    message=suffix,
                ),
            )
            for partner in partners
        }

    @api.model
    def _followup_normalize(self, values):
        return sorted({tools.email_normalize(email) for email in values} - {False, None})

    @api.model
    def _followup_values(self, partners):
        return {
            partner.id: {partner.email_normalized} if partner.email_normalized else set()
            for partner in partners
        }

    @api.model
    def _followup_holders(self, values):
        # A domain and its ASCII (IDNA) form are one address: either form finds both.
        return self.env["res.partner"]._followup_partners_by_email(values)

    @api.model
    def _followup_follow_message(self, listed):
        if listed:
            return self.env._("Consent to e-mails withdrawn (Follow-ups consent history).")
        return self.env._("Consent to e-mails granted (Follow-ups consent history).")
