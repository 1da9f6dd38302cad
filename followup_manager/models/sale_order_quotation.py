from collections import defaultdict

from odoo import api, fields, models

from .followup_sequence import stop_triggers

# What follows a quotation up ends with it: the sequences started when it was sent,
# and those a salesperson started by hand on it (TRIGGER_STOP_REASONS).
QUOTATION_TRIGGERS = stop_triggers("quotation_confirmed")
QUOTATION_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    """The quotation as a followed-up document: sending it starts the quotation_sent
    sequences ("a gentle reminder about the quote we sent you"); confirming,
    cancelling it or letting it expire ends them."""

    _inherit = "sale.order"

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

    # --- Over: confirmed, cancelled, expired
    def _followup_on_confirmed(self):
        # Before the after-sale sequences start on the same orders.
        self.env["followup.enrollment"]._followup_stop_for_origins(
            self, "quotation_confirmed", triggers=stop_triggers("quotation_confirmed")
        )
        return super()._followup_on_confirmed()

    def _action_cancel(self):
        # Before the cancel, which stops every other follow-up of the orders as
        # "document cancelled": a quotation's own follow-ups say what ended them.
        self.env["followup.enrollment"]._followup_stop_for_origins(
            self.filtered(lambda order: order.state in QUOTATION_STATES),
            "quotation_cancelled",
            triggers=stop_triggers("quotation_cancelled"),
        )
        return super()._action_cancel()

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
        running = Enrollment._read_group(
            Enrollment._followup_active_domain()
            + [
                ("origin_model", "=", self._name),
                ("sequence_id.trigger", "in", list(stop_triggers("quotation_expired"))),
            ],
            ["origin_id"],
        )
        order_ids = [origin_id for (origin_id,) in running]
        expired = self.search(
            [("id", "in", order_ids)]
            + self._followup_expired_quotations_domain(fields.Date.today())
        )
        stopped = Enrollment._followup_stop_for_origins(
            expired, "quotation_expired", triggers=stop_triggers("quotation_expired")
        )
        self.env["ir.cron"]._notify_progress(done=len(stopped), remaining=0)
        return True
