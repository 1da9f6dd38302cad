from collections import defaultdict

from odoo import models


class ResPartner(models.Model):
    """The confirmed orders of a customer's family are the facts of their
    lifecycle stage (customer, loyal, inactive)."""

    _inherit = "res.partner"

    def _followup_lifecycle_orders(self, owner, since):
        orders, last_order, recent = super()._followup_lifecycle_orders(owner, since)
        orders, recent = defaultdict(int, orders), defaultdict(list, recent)
        # sudo: the stage follows the family's orders, whoever may read them; only
        # counts and dates are read.
        Order = self.env["sale.order"].sudo()
        order_domain = [("state", "=", "sale"), ("partner_id", "in", list(owner))]
        for partner, last, count in Order._read_group(
            order_domain, ["partner_id"], ["date_order:max", "__count"]
        ):
            cp = owner[partner.id]
            orders[cp] += count
            last_order[cp] = max(last, last_order.get(cp, last))
        for partner, dates in Order._read_group(
            order_domain + [("date_order", ">=", since)], ["partner_id"], ["date_order:array_agg"]
        ):
            recent[owner[partner.id]].extend(dates)
        return orders, last_order, recent
