from collections import defaultdict

from odoo import fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "followup.origin.mixin"]

    def action_confirm(self):
        res = super().action_confirm()
        self.filtered(lambda order: order.state == "sale")._followup_on_confirmed()
        return res

    def _followup_on_confirmed(self):
        """Everything the add-on does when orders are confirmed, for the whole
        recordset at once. Override to add a reaction."""
        self._followup_lifecycle_on_confirmed()
        self._followup_record_soft_opt_in()
        self._followup_enroll_on_confirmed()

    # --- Sequences: trigger, stop on cancel (smart button: followup.origin.mixin)
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

    # --- Consent: the e-mail soft opt-in of a customer
    def _followup_record_soft_opt_in(self):
        """A customer who bought may receive e-mail about the company's similar
        products until they object (ePrivacy Directive art. 13(2)): record it as a
        granted e-mail consent on the ``soft_opt_in`` basis, with the order as
        origin. Skipped for customers who objected (withdrawn, refused e-mail,
        blacklisted) or already have a stronger e-mail consent. It stops counting
        once the customer has no confirmed order for the inactivity period
        (res.partner._followup_facts); it is not renewed on every order."""
        first_order = {}
        for order in self:
            first_order.setdefault(order.partner_id.id, order)
        candidates = self.partner_id._followup_soft_opt_in_candidates()
        vals_list = []
        for partner in candidates:
            order = first_order[partner.id]
            proof = self.env._(
                "E-mail address %(email)s given by the customer in the sale of order "
                "%(order)s, confirmed on %(date)s. Under the soft opt-in (ePrivacy "
                "Directive art. 13(2)) the company may e-mail this customer about its own "
                "similar products and services; every e-mail offers a free and easy way "
                "to object.",
                email=partner.email_normalized,
                order=order.name,
                date=fields.Datetime.to_string(order.date_order),
            )
            vals_list += partner._followup_consent_event_vals(
                "email",
                "granted",
                "sale_order",
                legal_basis="soft_opt_in",
                proof=proof,
                origin=order,
            )
        # Whoever confirms the order (a salesperson, the customer signing online)
        # needs no consent rights for the system to record this basis.
        self.env["followup.consent.event"]._record(vals_list)

    # --- Lifecycle: a confirmed order is a fact about the customer's stage
    def _followup_lifecycle_on_confirmed(self):
        """Recompute the lifecycle stage of the customers of these confirmed
        orders (prospect -> customer -> loyal, inactive -> customer), in batch."""
        self.partner_id.commercial_partner_id._followup_recompute_lifecycle()
