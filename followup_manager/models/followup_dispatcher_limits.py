"""The daily limits of the people who carry steps out, gathered for a batch: what each
salesperson (tasks) and each sender (e-mails) already did today, ONE query for the
batch. The planner defers exactly the excess (``policy.planner.DailyLimits``).

A mixin of ``followup.dispatcher`` (see followup_dispatcher.py), which lists it in its
``_inherit``."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, models

from ..policy import calendar, planner

# The kind of limit each action counts against.
LIMIT_KINDS = {"activity": "tasks", "email": "emails"}


class FollowupDispatcherLimits(models.AbstractModel):
    _name = "followup.dispatcher.limits"
    _description = "Follow-up Dispatch: Daily Limits"

    @api.model
    def _followup_limit_key(self, outcome, channel=None):
        """(kind, user id) the step of ``outcome`` counts against, or None: on
        ``channel`` (one of the step's channels), by default the outcome's."""
        action = outcome.step._followup_action_for(channel) if channel else outcome.action
        kind = LIMIT_KINDS.get(action)
        if not kind or not outcome.user:
            return None
        return (kind, outcome.user.id)

    @api.model
    def _followup_limit_of(self, kind, user, company):
        """The daily limit of ``user`` for ``kind`` (the user's own, else the company's)."""
        if kind == "tasks":
            return user.followup_daily_tasks or company.followup_user_daily_tasks
        return user.followup_daily_emails or company.followup_sender_daily_limit

    @api.model
    def _followup_day_bounds(self, user, now):
        """(start of the user's day, start of their next working day) as naive UTC."""
        tz_name, _source = calendar.resolve_tz(user.tz)
        today = calendar.to_local(now, tz_name).date()
        start = calendar.to_utc(datetime.combine(today, time()), tz_name)
        following = today + timedelta(days=1)
        while following.weekday() in (5, 6):
            following += timedelta(days=1)
        return start, calendar.to_utc(datetime.combine(following, time()), tz_name)

    @api.model
    def _followup_daily_limits(self, outcomes, now, used=None):
        """The :class:`policy.planner.DailyLimits` of the batch, or None without limits.

        :param used: {(key, day start): count} to count with instead of the log (the
            forecast carries its own through simulated time)
        """
        limits, bounds = {}, {}
        for outcome in outcomes:
            # Every channel the step may take (one, unless the person's preference
            # decides among several).
            for channel in outcome.step._followup_channels():
                key = self._followup_limit_key(outcome, channel)
                if key is None or key in limits:
                    continue
                company = self._followup_company(outcome)
                limit = self._followup_limit_of(key[0], outcome.user, company)
                if limit:
                    limits[key] = limit
                    bounds[key] = self._followup_day_bounds(outcome.user, now)
        if not limits:
            return None
        if used is None:
            done = self._followup_done_today(bounds)
        else:
            done = {key: used.get((key, bounds[key][0]), 0) for key in limits}
        return planner.DailyLimits(limits, done, {key: bounds[key][1] for key in limits})

    @api.model
    def _followup_done_today(self, bounds):
        """{(kind, user id): steps done today} from the log, ONE query."""
        users = list({user_id for _kind, user_id in bounds})
        since = min(start for start, _next in bounds.values())
        Dispatch = self.env["followup.dispatch"]
        groups = Dispatch._read_group(
            [("state", "=", "done"), ("user_id", "in", users), ("create_date", ">=", since)],
            ["user_id", "step_id", "channel", "create_date:hour"],
            ["__count"],
        )
        done = defaultdict(int)
        for user, step, channel, hour, count in groups:
            action = step._followup_action_for(channel) if step else False
            key = (LIMIT_KINDS.get(action), user.id)
            if key in bounds and hour >= bounds[key][0]:
                done[key] += count
        return done
