from odoo import api, models, tools

from ..policy.vocabulary import PHONE_CHANNELS
from .mail_blacklist import CONTEXT_FROM_CONSENT, CONTEXT_MESSAGE


class PhoneBlacklist(models.Model):
    """A number blacklisted anywhere in Odoo (SMS marketing opt-out, the blacklist
    menu) reads as withdrawn SMS, phone and WhatsApp consents here, with events.
    Removing a number from the blacklist grants nothing (see mail.blacklist)."""

    _inherit = "phone.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.filtered("active")._followup_withdraw_consents()
        return records

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active") or (vals.get("number") and "active" not in vals):
            self.filtered("active")._followup_withdraw_consents()
        return res

    def _add(self, numbers, message=None):
        return super(PhoneBlacklist, self.with_context(**{CONTEXT_MESSAGE: message}))._add(
            numbers, message=message
        )

    def _followup_withdraw_consents(self):
        if not self or self.env.context.get(CONTEXT_FROM_CONSENT):
            return
        by_number = {record.number: record for record in self}
        partners = self.env["res.partner"]._followup_partners_by_number(list(by_number))
        if not partners:
            return
        numbers = partners._followup_phone_numbers()
        origins, blacklisted = {}, {}
        for partner in partners:
            hits = sorted(numbers.get(partner.id, set()) & set(by_number))
            blacklisted[partner.id] = ", ".join(hits)
            origins[partner.id] = by_number[hits[0]] if hits else False
        message = self.env.context.get(CONTEXT_MESSAGE)
        # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
        suffix = f"\n{tools.html2plaintext(message)}" if message else ""
        partners._followup_withdraw_from_blacklist(
            # A blacklisted number stops every channel that reaches it.
            list(PHONE_CHANNELS),
            "phone_blacklist",
            lambda partner: self.env._(
                "The number %(number)s was added to Odoo's phone blacklist.%(message)s",
                number=blacklisted.get(partner.id, ""),
                message=suffix,
            ),
            origins,
        )

    @api.model
    def _followup_add(self, numbers, message):
        """Blacklist E.164 ``numbers`` in batch, logging ``message`` on each entry."""
        numbers = sorted({number for number in numbers if number})
        if not numbers:
            return self.browse()
        blacklist = self.with_context(
            active_test=False,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            **{CONTEXT_FROM_CONSENT: True},
        )
        # create() reactivates archived entries and returns existing ones.
        records = blacklist.create([{"number": number} for number in numbers])
        records._message_log_batch(bodies=dict.fromkeys(records.ids, message))
        return records

    @api.model
    def _followup_remove(self, numbers, message):
        """Take E.164 ``numbers`` off the blacklist in batch, logging ``message``."""
        numbers = sorted({number for number in numbers if number})
        if not numbers:
            return self.browse()
        records = self.with_context(**{CONTEXT_FROM_CONSENT: True}).search(
            [("number", "in", numbers)]
        )
        records.write({"active": False})
        records._message_log_batch(bodies=dict.fromkeys(records.ids, message))
        return records
