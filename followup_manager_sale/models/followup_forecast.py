from odoo import models


class FollowupForecast(models.Model):
    """The history of the sale triggers the forecast replays: orders confirmed and
    quotations sent in the past period."""

    _inherit = "followup.forecast"

    # sudo, in every method: past events are counted for an estimate; no record is
    # shown, only aggregates are stored.

    def _followup_trigger_histories(self):
        return {
            **super()._followup_trigger_histories(),
            "sale_order_confirmed": self._followup_history_sale_order_confirmed,
            "quotation_sent": self._followup_history_quotation_sent,
        }

    def _followup_history_sale_order_confirmed(self, since, until, companies):
        """Orders confirmed in the period."""
        # sudo: past orders of the sequence's companies, counted for an estimate.
        orders = (
            self.env["sale.order"]
            .sudo()
            .search_fetch(
                [
                    ("state", "=", "sale"),
                    ("company_id", "in", companies),
                    ("date_order", ">=", since),
                    ("date_order", "<", until),
                ],
                ["partner_id", "date_order", "user_id"],
            )
        )
        return [(order.partner_id, order, order.date_order) for order in orders]

    def _followup_history_quotation_sent(self, since, until, companies):
        """Quotations created in the period and sent since (Odoo keeps no date of the
        send itself: a quotation is usually sent the day it is written)."""
        # sudo: past quotations of the sequence's companies, counted for an estimate.
        orders = (
            self.env["sale.order"]
            .sudo()
            .search_fetch(
                [
                    ("state", "!=", "draft"),
                    ("company_id", "in", companies),
                    ("create_date", ">=", since),
                    ("create_date", "<", until),
                ],
                ["partner_id", "create_date", "user_id"],
            )
        )
        return [(order.partner_id, order, order.create_date) for order in orders]
