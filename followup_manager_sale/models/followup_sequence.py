from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.followup_manager.models.tools import readable_query

# The stop reasons a quotation gives: they end the sequences started when it was sent,
# and those a salesperson started by hand on it.
QUOTATION_STOP_REASONS = ("quotation_confirmed", "quotation_cancelled", "quotation_expired")


class FollowupSequence(models.Model):
    """The sale triggers (an order confirmed, a quotation sent), what ends their
    follow-ups (the quotation confirmed, cancelled or expired, a new order for the
    sequences that win a customer back), and the order rates of a sequence."""

    _inherit = "followup.sequence"

    trigger = fields.Selection(
        selection_add=[
            ("manual",),
            ("sale_order_confirmed", "Sale order confirmed"),
            ("partner_inactive",),
            ("quotation_sent", "Quotation sent"),
        ],
        ondelete={"sale_order_confirmed": "set default", "quotation_sent": "set default"},
    )
    converted_count = fields.Integer(
        string="Ordered",
        compute="_compute_order_performance",
        help="Enrollments after whose start the customer confirmed a sale order (the "
        "followed-up order itself not counted).",
    )
    conversion_rate = fields.Float(
        string="Order Rate",
        compute="_compute_order_performance",
        help="Enrollments followed by an order, divided by all enrollments.",
    )
    order_count = fields.Integer(
        string="Orders After Enrollment",
        compute="_compute_order_performance",
        help="Confirmed sale orders of the enrolled customers after their enrollment "
        "started (each order counted once).",
    )

    # ------------------------------------------------------------------ triggers

    @api.model
    def _followup_trigger_models(self):
        return {
            **super()._followup_trigger_models(),
            "sale_order_confirmed": "sale.order",
            "quotation_sent": "sale.order",
        }

    @api.model
    def _followup_trigger_stop_reasons(self):
        reasons = super()._followup_trigger_stop_reasons()
        # A sequence started by hand on a quotation ends with it as well.
        reasons["manual"] = QUOTATION_STOP_REASONS + tuple(reasons.get("manual", ()))
        reasons["sale_order_confirmed"] = ("origin_cancelled",)
        reasons["quotation_sent"] = QUOTATION_STOP_REASONS
        return reasons

    def _followup_own_stop_reasons(self):
        reasons = super()._followup_own_stop_reasons()
        # Sequences that win a customer back: a new confirmed order ends them.
        if "new_order" not in reasons and self.filtered_domain(
            self._followup_reengagement_domain()
        ):
            reasons.append("new_order")
        return reasons

    @api.model
    def _followup_start_sentences(self):
        return {
            **super()._followup_start_sentences(),
            "sale_order_confirmed": self.env._("Starts when a sale order is confirmed."),
            "quotation_sent": self.env._("Starts when a quotation is sent to the customer."),
        }

    @api.model
    def _followup_stop_clauses(self):
        return {
            **super()._followup_stop_clauses(),
            "quotation_confirmed": self.env._("the quotation is confirmed"),
            "quotation_cancelled": self.env._("the quotation is cancelled"),
            "quotation_expired": self.env._(
                "the quotation expires (its validity date has passed)"
            ),
            "new_order": self.env._("the customer confirms a new order"),
        }

    @api.model
    def _followup_origin_models(self):
        return [*super()._followup_origin_models(), "sale.order"]

    @api.model
    def _followup_document_labels(self):
        return {**super()._followup_document_labels(), "sale.order": self.env._("Sales Orders")}

    @api.model
    def _followup_question_origin_models(self):
        return [*super()._followup_question_origin_models(), "sale.order"]

    # ------------------------------------------------------------------ performance

    def _compute_order_performance(self):
        stats = self._followup_order_performance()
        for sequence in self:
            enrolled, converted, orders = stats.get(sequence.id, (0,) * 3)
            sequence.converted_count = converted
            sequence.conversion_rate = converted / enrolled if enrolled else 0.0
            sequence.order_count = orders

    def _followup_order_performance(self):
        """{sequence id: (enrolled, converted, orders)}, in ONE query.

        Aggregates only; the enrollments and orders come from ``_search``, so the
        user's record rules (companies, a salesperson's own orders) apply: a user
        counts what they may read."""
        sequences = self.filtered("id")
        if not sequences:
            return {}
        enrollments = readable_query(
            self.env, "followup.enrollment", [("sequence_id", "in", sequences.ids)]
        )
        orders = readable_query(self.env, "sale.order", [("state", "=", "sale")])
        for model in ("followup.enrollment", "sale.order", "res.partner"):
            self.env[model].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH enrollment AS (
                    SELECT e.id, e.sequence_id, e.origin_model, e.origin_id, e.date_start,
                           p.commercial_partner_id AS commercial_id
                      FROM followup_enrollment e
                      JOIN res_partner p ON p.id = e.partner_id
                     WHERE e.id IN %(enrollments)s
                ),
                ordered AS (
                    SELECT DISTINCT e.sequence_id, e.id AS enrollment_id, o.id AS order_id
                      FROM enrollment e
                      JOIN res_partner buyer ON buyer.commercial_partner_id = e.commercial_id
                      JOIN sale_order o ON o.partner_id = buyer.id
                     WHERE o.id IN %(orders)s AND o.date_order > e.date_start
                       AND NOT (e.origin_model = 'sale.order' AND o.id = e.origin_id)
                )
                SELECT e.sequence_id,
                       count(*),
                       (SELECT count(DISTINCT o.enrollment_id) FROM ordered o
                         WHERE o.sequence_id = e.sequence_id),
                       (SELECT count(DISTINCT o.order_id) FROM ordered o
                         WHERE o.sequence_id = e.sequence_id)
                  FROM enrollment e
                 GROUP BY e.sequence_id
                """,
                enrollments=enrollments.subselect(),
                orders=orders.subselect(),
            )
        )
        return {sequence_id: tuple(values) for sequence_id, *values in rows}
