from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL

from .tools import readable_query


class FollowupSequencePerformance(models.AbstractModel):
    """Insight: how a sequence performs (contacted, replied, opted out) and its
    forecast."""

    _name = "followup.sequence.performance"
    _description = "Follow-up Sequence: Performance"

    contacted_count = fields.Integer(
        string="Contacted",
        compute="_compute_performance",
        help="Enrollments with at least one step done.",
    )
    replied_count = fields.Integer(
        string="Replied",
        compute="_compute_performance",
        help="Contacted enrollments whose partner wrote on the followed-up document after "
        "the first step was done.",
    )
    reply_rate = fields.Float(
        compute="_compute_performance", help="Replied divided by contacted enrollments."
    )
    optout_count = fields.Integer(
        string="Opt-outs",
        compute="_compute_performance",
        help="Consent withdrawals blamed on the steps of this sequence (see the steps).",
    )

    def _compute_performance(self):
        stats = self._followup_performance()
        sequence_of_step = {step.id: step.sequence_id.id for step in self.step_ids}
        optouts = defaultdict(int)
        for step_id, values in self.step_ids._followup_performance().items():
            optouts[sequence_of_step[step_id]] += values[3]
        for sequence in self:
            _enrolled, contacted, replied = stats.get(sequence.id, (0,) * 3)
            sequence.contacted_count = contacted
            sequence.replied_count = replied
            sequence.reply_rate = replied / contacted if contacted else 0.0
            sequence.optout_count = optouts[sequence.id]

    def _followup_performance(self):
        """{sequence id: (enrolled, contacted, replied)}, in ONE query.

        Aggregates only; the enrollments and steps done come from ``_search``,
        so the user's record rules (companies, a salesperson's own documents) apply: a
        user counts what they may read. Replies are counted on the documents of those
        enrollments (a document nobody may read is never an origin, see
        ``followup.enrollment._followup_check_targets``); messages are counted, never
        returned."""
        sequences = self.filtered("id")
        if not sequences:
            return {}
        enrollments = readable_query(
            self.env, "followup.enrollment", [("sequence_id", "in", sequences.ids)]
        )
        done = readable_query(self.env, "followup.dispatch", [("state", "=", "done")])
        for model in ("followup.dispatch", "followup.enrollment", "mail.message", "res.partner"):
            self.env[model].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH enrollment AS (
                    SELECT e.id, e.sequence_id, e.origin_model, e.origin_id, e.date_start,
                           p.commercial_partner_id AS commercial_id,
                           (SELECT min(d.create_date) FROM followup_dispatch d
                             WHERE d.enrollment_id = e.id AND d.id IN %(done)s) AS first_done
                      FROM followup_enrollment e
                      JOIN res_partner p ON p.id = e.partner_id
                     WHERE e.id IN %(enrollments)s
                )
                SELECT e.sequence_id,
                       count(*),
                       count(e.first_done),
                       count(*) FILTER (WHERE e.first_done IS NOT NULL AND EXISTS (
                           SELECT 1
                             FROM mail_message m
                             JOIN res_partner author ON author.id = m.author_id
                            WHERE m.model = e.origin_model AND m.res_id = e.origin_id
                              AND m.message_type IN ('email', 'comment')
                              AND author.commercial_partner_id = e.commercial_id
                              AND m.date > e.first_done
                       ))
                  FROM enrollment e
                 GROUP BY e.sequence_id
                """,
                enrollments=enrollments.subselect(),
                done=done.subselect(),
            )
        )
        return {sequence_id: tuple(values) for sequence_id, *values in rows}

    def action_view_dispatch_analysis(self):
        """The dispatch analysis (graph, pivot) of this sequence."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_dispatch_report_action"
        )
        action["domain"] = [("sequence_id", "=", self.id)]
        action["display_name"] = self.env._("Dispatch Analysis: %(name)s", name=self.name)
        return action

    def action_forecast(self):
        """Simulate the next 30 days of this sequence (nothing is sent) and open the
        forecast: see followup.forecast."""
        self.ensure_one()
        forecast = self.env["followup.forecast"]._followup_run(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "followup.forecast",
            "res_id": forecast.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
