from odoo import api, models

from ..policy.vocabulary import PHONE_CHANNELS


class PhoneBlacklist(models.Model):
    """A number on Odoo's phone blacklist is a withdrawn consent on every channel
    that reaches it: SMS, phone and WhatsApp (see followup.blacklist.mirror)."""

    _name = "phone.blacklist"
    _inherit = ["followup.blacklist.mirror", "phone.blacklist"]

    _followup_value_field = "number"
    _followup_channels = PHONE_CHANNELS
    _followup_source = "phone_blacklist"

    def _followup_targets(self):
        by_number = {record.number: record for record in self}
        partners = self.env["res.partner"]._followup_partners_by_number(list(by_number))
        numbers = partners._followup_phone_numbers()
        # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
        suffix = self._followup_message_suffix()
        targets = {}
        for partner in partners:
            hits = sorted(numbers.get(partner.id, set()) & set(by_number))
            proof = self.env._(
                "The number %(number)s was added to Odoo's phone blacklist.%(message)s",
                number=", ".join(hits),
                message=suffix,
            )
            targets[partner.id] = (by_number[hits[0]] if hits else False, proof)
        return partners, targets

    @api.model
    def _followup_normalize(self, values):
        # E.164 numbers already (phone.blacklist.create formats them again anyway).
        return sorted({number for number in values if number})
