from odoo import api, fields, models
from odoo.tools import SQL

from .tools import int_param, readable_query


class FollowupStepPerformance(models.AbstractModel):
    """Insight: how each step performs (issue 7: forecast and reporting).

    Read from the dispatch log: done steps, replies of the person on the
    followed-up thread after the step (until the next step was done), and
    opt-outs (consent withdrawn) within a few days of the step when it was the
    last contact before them, so users see which step annoys people."""

    _name = "followup.step.performance"
    _description = "Follow-up Step: Performance"

    done_count = fields.Integer(
        string="Done", compute="_compute_performance", help="Times this step was carried out."
    )
    replied_count = fields.Integer(
        string="Replies",
        compute="_compute_performance",
        help="Times the person wrote on the followed-up document after this step (before "
        "the next step was done).",
    )
    reply_rate = fields.Float(
        compute="_compute_performance", help="Replies divided by the times the step was done."
    )
    optout_count = fields.Integer(
        string="Opt-outs",
        compute="_compute_performance",
        help="Times the person withdrew a consent within the opt-out window (system "
        "parameter followup_manager.optout_window_days, default 7 days) after this step, "
        "this step being their last contact.",
    )
    optout_rate = fields.Float(
        string="Opt-out Rate",
        compute="_compute_performance",
        help="Opt-outs divided by the times the step contacted the person.",
    )

    def _compute_performance(self):
        stats = self._followup_performance()
        for step in self:
            done, contacts, replied, optouts = stats.get(step.id, (0, 0, 0, 0))
            step.done_count = done
            step.replied_count = replied
            step.reply_rate = replied / done if done else 0.0
            step.optout_count = optouts
            step.optout_rate = optouts / contacts if contacts else 0.0

    @api.model
    def _followup_optout_window_days(self):
        """Days after a contact during which a withdrawal counts as caused by it
        (system parameter ``followup_manager.optout_window_days``, default 7)."""
        return int_param(self.env, "followup_manager.optout_window_days", 7)

    def _followup_performance(self):
        """{step id: (done, contacts, replied, opt-outs)} for these steps, in ONE query.

        Aggregates only; the log rows and the consent events come from ``_search``, so
        the user's record rules (companies) apply: a user counts what they may read.
        Replies are counted on the followed-up documents of those rows; messages and
        consent events are counted, never returned.
        (Longer than a screen: one SQL statement, kept whole so that it reads as one.)"""
        steps = self.filtered("id")
        if not steps:
            return {}
        done = readable_query(
            self.env,
            "followup.dispatch",
            [("state", "=", "done"), ("sequence_id", "in", steps.sequence_id.ids)],
        )
        contacts = readable_query(
            self.env, "followup.dispatch", [("state", "=", "done"), ("channel", "!=", "none")]
        )
        withdrawals = readable_query(
            self.env, "followup.consent.event", [("state", "=", "withdrawn")]
        )
        for model in (
            "followup.dispatch",
            "followup.enrollment",
            "followup.consent.event",
            "mail.message",
            "res.partner",
        ):
            self.env[model].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH done AS (
                    SELECT d.id, d.step_id, d.enrollment_id, d.partner_id, d.channel,
                           d.create_date,
                           lead(d.create_date) OVER (
                               PARTITION BY COALESCE(d.enrollment_id, -d.id)
                               ORDER BY d.create_date, d.id
                           ) AS next_done
                      FROM followup_dispatch d
                     WHERE d.id IN %(done)s
                ),
                replied AS (
                    SELECT done.id
                      FROM done
                      JOIN followup_enrollment e ON e.id = done.enrollment_id
                      JOIN res_partner p ON p.id = e.partner_id
                     WHERE done.step_id = ANY(%(step_ids)s)
                       AND EXISTS (
                           SELECT 1
                             FROM mail_message m
                             JOIN res_partner author ON author.id = m.author_id
                            WHERE m.model = e.origin_model AND m.res_id = e.origin_id
                              AND m.message_type IN ('email', 'comment')
                              AND author.commercial_partner_id = p.commercial_partner_id
                              AND m.date > done.create_date
                              AND (done.next_done IS NULL OR m.date <= done.next_done)
                       )
                ),
                -- Each withdrawal is blamed on the person's last contact before it (any
                -- sequence), if that contact was at most %(days)s days earlier.
                blamed AS (
                    SELECT DISTINCT ON (ev.id) last.id AS dispatch_id
                      FROM followup_consent_event ev
                      JOIN followup_dispatch last
                        ON last.partner_id = ev.partner_id
                       AND last.id IN %(contacts)s
                       AND last.create_date <= ev.create_date
                       AND last.create_date > ev.create_date - make_interval(days => %(days)s)
                     WHERE ev.id IN %(withdrawals)s
                       AND ev.partner_id IN (
                           SELECT partner_id FROM done WHERE step_id = ANY(%(step_ids)s)
                       )
                     ORDER BY ev.id, last.create_date DESC, last.id DESC
                )
                SELECT done.step_id,
                       count(*),
                       count(*) FILTER (WHERE done.channel != 'none'),
                       count(*) FILTER (WHERE done.id IN (SELECT id FROM replied)),
                       count(*) FILTER (WHERE done.id IN (SELECT dispatch_id FROM blamed))
                  FROM done
                 WHERE done.step_id = ANY(%(step_ids)s)
                 GROUP BY done.step_id
                """,
                done=done.subselect(),
                contacts=contacts.subselect(),
                withdrawals=withdrawals.subselect(),
                step_ids=steps.ids,
                days=self._followup_optout_window_days(),
            )
        )
        return {step_id: tuple(values) for step_id, *values in rows}
