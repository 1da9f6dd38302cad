from odoo import api, models, tools

# Set while the consent history writes into the blacklist: the decision is
# recorded already, so the blacklist must not mirror it back as a new event.
CONTEXT_FROM_CONSENT = "followup_blacklist_from_consent"
# The message given to _add() (e.g. "unsubscribed from mailing X"): kept as the
# proof of the withdrawal it causes.
CONTEXT_MESSAGE = "followup_blacklist_message"


class MailBlacklist(models.Model):
    """An address blacklisted anywhere in Odoo (mass mailing unsubscribe, the
    blacklist menu, an import) reads as a withdrawn e-mail consent here, with an
    event. Removing an address from the blacklist grants nothing: consent needs
    the person's own act, recorded with res.partner.followup_set_consent."""

    _inherit = "mail.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        # create() also returns existing entries, active or not: mirror the active ones.
        records.filtered("active")._followup_withdraw_consents()
        return records

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active") or (vals.get("email") and "active" not in vals):
            self.filtered("active")._followup_withdraw_consents()
        return res

    def _add(self, email, message=None):
        return super(MailBlacklist, self.with_context(**{CONTEXT_MESSAGE: message}))._add(
            email, message=message
        )

    def _followup_withdraw_consents(self):
        if not self or self.env.context.get(CONTEXT_FROM_CONSENT):
            return
        partners = self.env["res.partner"]._followup_partners_by_email(self.mapped("email"))
        if not partners:
            return
        origin = {record.email: record for record in self}
        message = self.env.context.get(CONTEXT_MESSAGE)
        origins = {partner.id: origin.get(partner.email_normalized) for partner in partners}
        # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
        suffix = f"\n{tools.html2plaintext(message)}" if message else ""
        partners._followup_withdraw_from_blacklist(
            ["email"],
            "mail_blacklist",
            lambda partner: self.env._(
                "The address %(email)s was added to Odoo's e-mail blacklist.%(message)s",
                email=partner.email_normalized,
                message=suffix,
            ),
            origins,
        )

    @api.model
    def _followup_add(self, emails, message):
        """Blacklist ``emails`` (normalized) in batch, logging ``message`` on each
        entry. Unlike _add(), one call for many addresses."""
        emails = {tools.email_normalize(email) for email in emails} - {False, None}
        if not emails:
            return self.browse()
        blacklist = self.with_context(active_test=False, **{CONTEXT_FROM_CONSENT: True})
        existing = blacklist.search([("email", "in", list(emails))])
        existing.filtered(lambda record: not record.active).write({"active": True})
        created = blacklist.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True
        ).create([{"email": email} for email in sorted(emails - set(existing.mapped("email")))])
        records = existing | created
        records._message_log_batch(bodies=dict.fromkeys(records.ids, message))
        return records

    @api.model
    def _followup_remove(self, emails, message):
        """Take ``emails`` (normalized) off the blacklist in batch, logging
        ``message`` on each entry that was active."""
        emails = {tools.email_normalize(email) for email in emails} - {False, None}
        if not emails:
            return self.browse()
        records = self.with_context(**{CONTEXT_FROM_CONSENT: True}).search(
            [("email", "in", list(emails))]
        )
        records.write({"active": False})
        records._message_log_batch(bodies=dict.fromkeys(records.ids, message))
        return records
