"""res.company: the follow-up settings of a company (cap, send window, business days,
lifecycle, automatic replies) and the daily limits per person: at most N follow-up tasks
per salesperson and N follow-up e-mails per sending user a day (0: no limit); a user may
have their own (res_users.py). The rest waits for the next working day (reason
``user_limit``, see ``policy.planner.DailyLimits``)."""

from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    followup_cap_count = fields.Integer(
        string="Follow-up Cap",
        default=1,
        help="At most this many follow-ups per partner over the rolling window, "
        "across every sequence and channel.",
    )
    followup_cap_days = fields.Integer(
        string="Follow-up Cap Window (days)",
        default=7,
        help="Length of the rolling window the cap counts over.",
    )
    followup_window_start = fields.Float(
        string="Send Window Start",
        default=9.0,
        help="Earliest hour, in the partner's local time, at which a follow-up may reach them.",
    )
    followup_window_end = fields.Float(
        string="Send Window End",
        default=19.0,
        help="Hour, in the partner's local time, after which follow-ups wait for the next day.",
    )
    followup_business_days = fields.Boolean(
        string="Business Days Only",
        default=True,
        help="Never contact a partner on their country's weekend.",
    )
    followup_inactive_days = fields.Integer(
        string="Inactive After (days)",
        default=365,
        help="A customer without a confirmed order for this many days becomes inactive; "
        "their soft opt-in for e-mail stops counting.",
    )
    followup_loyal_orders = fields.Integer(
        string="Loyal After (orders)",
        default=3,
        help="Confirmed orders within the inactivity window that make a customer loyal.",
    )

    followup_away_days = fields.Integer(
        string="Wait After an Automatic Reply (days)",
        default=3,
        help="An automatic reply (out of office) without a return date makes the "
        "person's follow-ups wait this many days; with a date, they wait until the "
        "day after it.",
    )

    # Daily limits per person (policy.planner.DailyLimits).
    followup_sender_daily_limit = fields.Integer(
        string="E-mails per Sender per Day",
        default=0,
        help="At most this many follow-up e-mails sent in the name of one user a day; the "
        "rest waits for the next working day. 0: no limit.",
    )
    followup_user_daily_tasks = fields.Integer(
        string="Tasks per Salesperson per Day",
        default=0,
        help="At most this many follow-up activities assigned to one salesperson a day; "
        "the rest waits for the next working day. 0: no limit.",
    )

    _sql_constraints = [
        (
            "followup_cap_positive",
            "CHECK(followup_cap_count >= 0 AND followup_cap_days >= 0)",
            "The follow-up cap and its window cannot be negative.",
        ),
        (
            "followup_window_valid",
            (
                "CHECK(followup_window_start >= 0 AND followup_window_end <= 24 "
                "AND followup_window_start < followup_window_end)"
            ),
            "The send window must start before it ends, within the day (0 to 24).",
        ),
        (
            "followup_lifecycle_positive",
            "CHECK(followup_inactive_days > 0 AND followup_loyal_orders > 0)",
            "The inactivity period and the loyal order count must be positive.",
        ),
        (
            "followup_away_days_positive",
            "CHECK(followup_away_days >= 0)",
            "The days to wait after an automatic reply cannot be negative.",
        ),
    ]

    @api.model
    def _followup_settings_fields(self):
        """Names of the company fields the dispatch reads; override to add one."""
        return [
            "followup_cap_count",
            "followup_cap_days",
            "followup_window_start",
            "followup_window_end",
            "followup_business_days",
            "followup_inactive_days",
            "followup_loyal_orders",
            "followup_away_days",
            "followup_sender_daily_limit",
            "followup_user_daily_tasks",
        ]

    @api.model
    def _followup_holidays(self, companies, now=None):
        """{company id: frozenset of local dates}: the public holidays of ``companies``
        from yesterday on and up to ``policy.calendar.HOLIDAY_LOOKAHEAD_DAYS`` ahead,
        on which nobody is contacted and which business-day delays skip. None here:
        the add-on that knows a company's holidays (followup_manager_resource: its
        working hours) overrides this, in ONE query for all the companies."""
        return {company.id: frozenset() for company in companies}
