from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        res = super().action_confirm()
        self.filtered(lambda order: order.state == "sale")._followup_on_confirmed()
        return res

    def _followup_on_confirmed(self):
        """Everything the add-on does when orders are confirmed, for the whole
        recordset at once. Override to add a reaction."""
