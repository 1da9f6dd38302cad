from odoo import api, models

from ..policy.vocabulary import PHONE_CHANNELS


class PhoneBlacklist(models.Model):
    """Odoo's phone blacklist follows the consent of every channel that reaches
    a number (SMS, phone and WhatsApp); a number listed elsewhere in Odoo is a
    withdrawn consent on all three (see followup.blacklist.mirror)."""

    _name = "phone.blacklist"
    _inherit = ["followup.blacklist.mirror", "phone.blacklist"]

    _followup_value_field = "number"
    _followup_channels = PHONE_CHANNELS
    _followup_source = "phone_blacklist"

    def _followup_targets(self):
        by_number = {record.number: record for record in self}
        partners = self._followup_holders(list(by_number))
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

    @api.model
    def _followup_values(self, partners):
        return partners._followup_phone_numbers()

    @api.model
    def _followup_holders(self, values):
        return self.env["res.partner"]._followup_partners_by_number(list(values))

    @api.model
    def _followup_follow_message(self, listed):
        if listed:
            return self.env._("Consent to texts or calls withdrawn (Follow-ups consent history).")
        return self.env._("Consent to texts or calls granted (Follow-ups consent history).")
