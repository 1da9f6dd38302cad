from collections import defaultdict

from odoo import api, fields, models

QUOTATION_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    """The sale order as a followed-up document. The quotation: sending it starts
    the quotation_sent sequences ("a gentle reminder about the quote we sent you");
    confirming, cancelling it or letting it expire ends them. The order: confirming
    it starts the sale_order_confirmed sequences, records the customer's e-mail soft
    opt-in and moves their lifecycle stage; cancelling it ends its follow-ups."""

    _name = "sale.order"
    _inherit = ["sale.order", "followup.origin.mixin"]

    # --- Sent: by e-mail (Odoo's composer, a scheduled message) or marked sent
    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        # Odoo marks a quotation sent when its e-mail is posted with mark_so_as_sent
        # in the context (sale.order.action_quotation_send); a quotation sent again
        # is followed up again once the previous follow-up is over. The follow-up
        # starts (and notes it on the quotation) before the e-mail is posted, so that
        # the e-mail stays the last message of the quotation, as Odoo's sale flow
        # expects (sale's test_sale_order_send_to_self).
        if self.env.context.get("mark_so_as_sent"):
            sending = self.filtered(lambda order: order.state in QUOTATION_STATES)
            if sending:
                sending.with_context(mark_so_as_sent=False)._followup_on_quotation_sent()
        return super().message_post(**kwargs)

    def action_quotation_sent(self):
        res = super().action_quotation_sent()
        self._followup_on_quotation_sent()
        return res

    def _followup_on_quotation_sent(self):
        """Quotations just sent: the quotation_sent sequences follow each one up, for
        its customer, in a number of queries that does not depend on their number."""
        targets = defaultdict(list)
        for order in self:
            targets[order.company_id.id].append((order.partner_id.id, self._name, order.id))
        # sudo: enrolling is the system's reaction to a send the user was allowed to
        # make; it must not depend on their follow-up rights.
        return self.env["followup.sequence"].sudo()._followup_fire("quotation_sent", targets)

    # --- Confirmed
    def action_confirm(self):
        res = super().action_confirm()
        self.filtered(lambda order: order.state == "sale")._followup_on_confirmed()
        return res

    def _followup_on_confirmed(self):
        """Everything the add-on does when orders are confirmed, for the whole
        recordset at once. Override to add a reaction."""
        # The quotation's own follow-ups end before the after-sale sequences start
        # on the same orders.
        self._followup_stop("quotation_confirmed")
        self._followup_lifecycle_on_confirmed()
        self._followup_record_soft_opt_in()
        self._followup_enroll_on_confirmed()

    def _followup_stop(self, reason, records=None):
        """Stop the follow-ups of ``records`` (default: these orders) of the sequences
        whose trigger ``reason`` ends."""
        Sequence = self.env["followup.sequence"]
        return self.env["followup.enrollment"]._followup_stop_for_origins(
            self if records is None else records,
            reason,
            triggers=Sequence._followup_stop_triggers(reason),
        )

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

    # --- Over: cancelled, expired
    def _action_cancel(self):
        # Before the cancel, which stops every other follow-up of the orders as
        # "document cancelled": a quotation's own follow-ups say what ended them.
        self._followup_stop(
            "quotation_cancelled", self.filtered(lambda order: order.state in QUOTATION_STATES)
        )
        res = super()._action_cancel()
        self.env["followup.enrollment"]._followup_stop_for_origins(
            self.filtered(lambda order: order.state == "cancel"), "origin_cancelled"
        )
        return res

    @api.model
    def _followup_expired_quotations_domain(self, today):
        """Quotations whose validity date has passed at ``today`` (Odoo's own
        ``is_expired``, as a domain); override to change what expires."""
        return [("state", "in", QUOTATION_STATES), ("validity_date", "<", today)]

    @api.model
    def _cron_followup_quotation_expiry(self):
        """Daily: the follow-ups of quotations whose validity date has passed stop,
        with the reason quotation_expired."""
        Enrollment = self.env["followup.enrollment"]
        triggers = self.env["followup.sequence"]._followup_stop_triggers("quotation_expired")
        running = Enrollment._read_group(
            Enrollment._followup_active_domain()
            + [
                ("origin_model", "=", self._name),
                ("sequence_id.trigger", "in", list(triggers)),
            ],
            ["origin_id"],
        )
        order_ids = [origin_id for (origin_id,) in running]
        expired = self.search(
            [("id", "in", order_ids)]
            + self._followup_expired_quotations_domain(fields.Date.today())
        )
        stopped = self._followup_stop("quotation_expired", expired)
        self.env["ir.cron"]._notify_progress(done=len(stopped), remaining=0)
        return True

    # --- Questions: any message of a customer on an order is one
    def _followup_question_models(self):
        return [*super()._followup_question_models(), "sale.order"]

    # --- Consent: the e-mail soft opt-in of a customer
    def _followup_record_soft_opt_in(self):
        """A customer who bought may receive e-mail about the company's similar
        products until they object (ePrivacy Directive art. 13(2)): record it as a
        granted e-mail consent on the ``soft_opt_in`` basis, with the order as
        origin. Skipped for customers who objected (withdrawn, refused e-mail,
        blacklisted) or already have a stronger e-mail consent. It stops counting
        once the customer has no confirmed order for the inactivity period
        (followup.facts._last_purchases); it is not renewed on every order."""
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
