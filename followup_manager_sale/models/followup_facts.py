from odoo import api, models


class FollowupFacts(models.AbstractModel):
    """The last confirmed order of a customer: their e-mail soft opt-in lapses
    without a recent one."""

    _inherit = "followup.facts"

    @api.model
    def _last_purchases(self, partner_ids):
        last = super()._last_purchases(partner_ids)
        # sudo: see followup.facts._gather; only the date of the last confirmed order
        # is read.
        for partner, date in (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [("partner_id", "in", partner_ids), ("state", "=", "sale")],
                ["partner_id"],
                ["date_order:max"],
            )
        ):
            last[partner.id] = max(date, last.get(partner.id, date))
        return last
