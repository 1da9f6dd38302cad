from collections import defaultdict

from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        res = super().action_confirm()
        self.filtered(lambda order: order.state == "sale")._followup_on_confirmed()
        return res

    def _followup_on_confirmed(self):
        """Everything the add-on does when orders are confirmed, for the whole
        recordset at once. Override to add a reaction."""
        self._followup_enroll_on_confirmed()

    # --- Sequences: smart button, trigger, stop on cancel
    followup_enrollment_count = fields.Integer(
        string="Follow-ups",
        compute="_compute_followup_enrollment_count",
        groups="followup_manager.followup_manager_group_user",
    )

    def _compute_followup_enrollment_count(self):
        counts = dict(
            self.env["followup.enrollment"]._read_group(
                [("origin_model", "=", self._name), ("origin_id", "in", self.ids)],
                ["origin_id"],
                ["__count"],
            )
        )
        for order in self:
            order.followup_enrollment_count = counts.get(order.id, 0)

    def _followup_enroll_on_confirmed(self):
        """Confirmed orders: end the customers' re-engagement sequences, and follow
        each order up with the sequences triggered by a confirmation."""
        Enrollment = self.env["followup.enrollment"]
        Enrollment._followup_stop_reengagement(self.partner_id)
        targets = defaultdict(list)
        for order in self:
            targets[order.company_id.id].append((order.partner_id.id, self._name, order.id))
        # sudo: enrolling is the system's reaction to a confirmation the user was
        # allowed to make (a salesperson, an accountant, a customer signing online);
        # it must not depend on their follow-up rights.
        self.env["followup.sequence"].sudo()._followup_fire("sale_order_confirmed", targets)

    def _action_cancel(self):
        res = super()._action_cancel()
        self.env["followup.enrollment"]._followup_stop_for_origins(
            self.filtered(lambda order: order.state == "cancel"), "origin_cancelled"
        )
        return res

    def action_view_followup_enrollments(self):
        self.ensure_one()
        return self.env["followup.enrollment"]._followup_action_for_origins(self)
