"""Forecast of a follow-up sequence: what the dispatch would do over the next days.

The forecast runs the dispatch's own decision path (``followup.dispatcher._followup_decide``,
hence ``policy.planner.plan``) on simulated time, with nothing written but the forecast:

* the dispatch is assumed to run exactly when a step falls due (the cron is woken at the
  next due date, see ``followup.dispatcher._schedule_wakeup``); at each such moment the
  due enrollments are claimed in the same order (due date, id) and batch size, decided
  together, and moved on the same way (done, failed or suppressed: next step after its
  delay in the partner's calendar; deferred: next try; stopped: out);
* the partners' facts are read once at the start (``res.partner._followup_facts``) and
  every contact the simulation allows is carried to the following moments with
  ``policy.planner.record_contacts``, which is what the database would hold.

Who is simulated: the sequence's active enrollments; the active enrollments of other
sequences for the same people (they share the contact cap; only this sequence's decisions
are reported); for a manual sequence, every contact matching "Who May Enter" and not yet
in it, enrolled at the start; for a sequence fired by events, the trigger's average daily
count over the last 90 days, enrolled each simulated day by taking the people (and times
of day) of the most recent events in turn. Replies, new orders, consent changes and
failing templates are not foreseeable and are not simulated.
"""

import heapq
import itertools
from collections import Counter, defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.osv import expression

from ..policy import calendar, planner
from .followup_dispatcher import DEFERRED, _StepOutcome
from .tools import int_param

# The trigger's history used to estimate its daily volume.
HISTORY_DAYS = 90


class _SimEnrollment:
    """A followup.enrollment as the simulation moves it (plain object, no ORM).

    Carries the attributes the dispatcher reads from ``outcome.enrollment`` while deciding
    (``id``, ``next_date``, ``company_id``).
    """

    __slots__ = ("company_id", "id", "next_date", "origin", "partner", "population", "step")

    def __init__(self, sim_id, partner, origin, step, next_date, company, population):
        self.id = sim_id
        self.partner = partner
        self.origin = origin
        self.step = step
        self.next_date = next_date
        self.company_id = company
        # "enrolled", "matching", "trigger"; None for other sequences (not reported).
        self.population = population

    def __lt__(self, other):
        # The dispatch claims the oldest due first, then the lowest id.
        return (self.next_date, self.id) < (other.next_date, other.id)


class FollowupForecast(models.Model):
    _name = "followup.forecast"
    _description = "Follow-up Forecast"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    sequence_id = fields.Many2one(
        "followup.sequence",
        string="Follow-up Sequence",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="sequence_id.company_id", store=True, precompute=True, index=True
    )
    date_start = fields.Datetime(
        string="Simulated From", required=True, default=fields.Datetime.now, readonly=True
    )
    days = fields.Integer(string="Days Simulated", default=30, readonly=True)
    line_ids = fields.One2many("followup.forecast.line", "forecast_id", readonly=True)
    done_count = fields.Integer(string="Done", compute="_compute_counts", store=True)
    contact_count = fields.Integer(
        string="Contacts",
        compute="_compute_counts",
        store=True,
        help="Done steps that reach the person (internal tasks excluded).",
    )
    deferred_count = fields.Integer(string="Deferred", compute="_compute_counts", store=True)
    suppressed_count = fields.Integer(string="Suppressed", compute="_compute_counts", store=True)
    enrolled_count = fields.Integer(
        string="Already Enrolled", readonly=True, help="Active enrollments of the sequence."
    )
    competing_count = fields.Integer(
        string="Competing Enrollments",
        readonly=True,
        help="Active enrollments of other sequences for the same people: they share "
        "the contact cap.",
    )
    matching_count = fields.Integer(
        string="Matching Contacts",
        readonly=True,
        help="Contacts matching “Who May Enter”, not in the sequence yet, enrolled at the "
        "start of the simulation (manual sequences).",
    )
    trigger_count = fields.Integer(
        string="Expected Entries",
        readonly=True,
        help="Enrollments the trigger is expected to make during the simulated days.",
    )
    daily_volume = fields.Float(
        string="Entries per Day",
        digits=(16, 2),
        readonly=True,
        help="Average daily count of the trigger over the last 90 days, for the contacts "
        "matching the sequence.",
    )
    assumptions = fields.Text(readonly=True)

    @api.depends("sequence_id", "date_start")
    def _compute_name(self):
        for forecast in self:
            forecast.name = self.env._(
                "%(sequence)s, from %(date)s",
                sequence=forecast.sequence_id.name or "",
                date=fields.Date.to_string(
                    fields.Datetime.context_timestamp(forecast, forecast.date_start).date()
                )
                if forecast.date_start
                else "",
            )

    @api.depends("line_ids.count", "line_ids.state", "line_ids.channel")
    def _compute_counts(self):
        totals = defaultdict(Counter)
        if self.ids:
            for forecast, state, channel, count in self.env["followup.forecast.line"]._read_group(
                [("forecast_id", "in", self.ids)],
                ["forecast_id", "state", "channel"],
                ["count:sum"],
            ):
                totals[forecast.id][state] += count
                if state == "done" and channel != "none":
                    totals[forecast.id]["contact"] += count
        for forecast in self:
            counts = totals[forecast.id]
            forecast.done_count = counts["done"]
            forecast.contact_count = counts["contact"]
            forecast.deferred_count = counts["deferred"]
            forecast.suppressed_count = counts["suppressed"]

    # ------------------------------------------------------------------ running

    @api.model
    def _followup_run(self, sequence, days=30, now=None):
        """Simulate ``days`` days of ``sequence`` from ``now`` (naive UTC, default now)
        and store the result. Returns the new forecast."""
        sequence.ensure_one()
        now = now or fields.Datetime.now()
        forecast = self.create({"sequence_id": sequence.id, "date_start": now, "days": days})
        result = forecast._followup_simulate()
        lines = [
            {
                "forecast_id": forecast.id,
                "date": day,
                "step_id": step_id,
                "channel": channel,
                "user_id": user_id,
                "state": state,
                "reason": reason,
                "population": population,
                "count": count,
            }
            for (day, step_id, channel, user_id, state, reason, population), count in sorted(
                result["counts"].items(), key=lambda item: tuple(map(str, item[0]))
            )
        ]
        self.env["followup.forecast.line"].create(lines)
        forecast.write(
            {
                "enrolled_count": result["enrolled"],
                "competing_count": result["competing"],
                "matching_count": result["matching"],
                "trigger_count": result["trigger"],
                "daily_volume": result["daily_volume"],
                "assumptions": "\n".join(result["assumptions"]),
            }
        )
        return forecast

    def _followup_day(self, moment):
        """The day a decision at ``moment`` (naive UTC) counts for: the date in the time
        zone of the user who runs the forecast."""
        tz = pytz.timezone(calendar.resolve_tz(self.env.user.tz)[0])
        return pytz.utc.localize(moment).astimezone(tz).date()

    def _followup_simulate(self):
        """Run the simulation of this forecast; nothing is written. Returns a dict:
        ``counts`` {(day, step id, channel, user id, state, reason, population): n},
        ``moments`` (the dispatch runs simulated, naive UTC), the population sizes and
        the ``assumptions`` (sentences)."""
        self.ensure_one()
        start = self.date_start
        end = start + timedelta(days=self.days)
        dispatcher = self.env["followup.dispatcher"]
        population = self._followup_population(start, end)
        sims = population["sims"]
        # sudo: the facts only feed decisions that are counted, never shown per person
        # (see res.partner._followup_facts, which reads them as superuser anyway).
        partners = self.env["res.partner"].union(*(sim.partner for sim in sims)).sudo()
        facts = partners._followup_facts(now=start)
        calendars = self.env["followup.enrollment"]._followup_calendar_by_partner(partners)

        queue = [sim for sim in sims if sim.step and sim.next_date]
        heapq.heapify(queue)
        batch_size = dispatcher._followup_batch_size()
        counts = Counter()
        moments = []
        while queue and queue[0].next_date < end:
            # One run of the dispatch, woken when the earliest step falls due; like
            # _dispatch_due it claims batch after batch until nothing is due then.
            moment = max(queue[0].next_date, start)
            moments.append(moment)
            day = self._followup_day(moment)
            while queue and queue[0].next_date <= moment:
                batch = [heapq.heappop(queue) for _i in range(min(batch_size, len(queue)))]
                due_now = [sim for sim in batch if sim.next_date <= moment]
                for sim in batch[len(due_now) :]:
                    heapq.heappush(queue, sim)
                outcomes = self._followup_decide_batch(dispatcher, due_now, moment, facts)
                decided = [(o.request, o.decision) for o in outcomes if o.request and o.decision]
                touched = {request.partner_id for request, _decision in decided}
                facts.update(
                    planner.record_contacts(
                        {pid: facts[pid] for pid in touched if pid in facts}, decided, moment
                    )
                )
                for outcome in outcomes:
                    sim = outcome.enrollment
                    if outcome.state is not None and sim.population:
                        key = (
                            day,
                            outcome.step.id,
                            outcome.step.channel,
                            outcome.user.id if outcome.user else False,
                            outcome.state,
                            outcome.reason or False,
                            sim.population,
                        )
                        counts[key] += 1
                    if self._followup_move_on(sim, outcome, moment, calendars):
                        heapq.heappush(queue, sim)
        return {
            "counts": counts,
            "moments": moments,
            "enrolled": population["enrolled"],
            "competing": population["competing"],
            "matching": population["matching"],
            "trigger": population["trigger"],
            "daily_volume": population["daily_volume"],
            "assumptions": population["assumptions"],
        }

    @api.model
    def _followup_decide_batch(self, dispatcher, sims, moment, facts):
        """Decide simulated enrollments exactly as the dispatch decides claimed ones."""
        outcomes = [_StepOutcome(sim, sim.step, sim.partner, sim.origin) for sim in sims]
        for outcome in outcomes:
            if outcome.step:
                outcome.user = dispatcher._followup_responsible(outcome)
        dispatcher._followup_decide(outcomes, moment, facts=facts)
        return outcomes

    @api.model
    def _followup_move_on(self, sim, outcome, moment, calendars):
        """Move a simulated enrollment on after its decision, as the dispatch's
        ``_followup_move_on`` and ``followup.enrollment._followup_advance`` do. Returns
        True if the enrollment still has a step to run."""
        if outcome.state is None or outcome.stop_reason:
            return False
        if outcome.state == DEFERRED:
            # next_try is after the moment (a blocked moment is never allowed); a
            # configuration that would answer "now" must not loop forever here.
            sim.next_date = max(outcome.next_try, moment + timedelta(seconds=1))
            return True
        following = sim.step._followup_next_step()
        if not following:
            return False
        tz, weekend = calendars[sim.partner.id]
        sim.step = following
        sim.next_date = calendar.add_delay(
            moment, following.delay, following.delay_unit, tz, weekend
        )
        return True

    # ------------------------------------------------------------------ population

    def _followup_population(self, start, end):
        """The simulated enrollments and what the assumptions say about them."""
        self.ensure_one()
        sequence = self.sequence_id
        # sudo: the forecast counts what the dispatch (a superuser cron) will see,
        # whatever the user's record rules; only aggregates are stored.
        Enrollment = self.env["followup.enrollment"].sudo()
        first_step = sequence.step_ids[:1]
        sims = []

        enrolled = Enrollment.search(
            [("sequence_id", "=", sequence.id), ("state", "=", "active")], order="id"
        )
        new_partners = self.env["res.partner"]
        matching = self.env["res.partner"]
        if sequence.trigger == "manual":
            matching = self._followup_matching_partners(enrolled)
            new_partners |= matching
        volume, events = 0.0, []
        if sequence.trigger != "manual":
            volume, events = self._followup_trigger_sample(start)
            new_partners |= self.env["res.partner"].union(
                *(partner for partner, _origin, _at in events)
            )
        others = Enrollment.search(
            [
                ("sequence_id", "!=", sequence.id),
                ("state", "=", "active"),
                ("partner_id", "in", (enrolled.partner_id | new_partners).ids),
            ],
            order="id",
        )
        # Origins, partners and companies exactly as the dispatch prepares them.
        dispatcher = self.env["followup.dispatcher"].sudo()
        existing = enrolled | others
        prepared = dispatcher._followup_prepare(existing, start) if existing else []
        sequence_ids = {sequence.id}
        for outcome in prepared:
            enrollment = outcome.enrollment
            sims.append(
                _SimEnrollment(
                    enrollment.id,
                    outcome.partner,
                    outcome.origin,
                    enrollment.next_step_id,
                    enrollment.next_date,
                    enrollment.company_id,
                    "enrolled" if enrollment.sequence_id.id in sequence_ids else None,
                )
            )
        # Hypothetical enrollments get ids after every real one, as new rows would.
        last_id = max(existing.ids, default=0)
        ids = itertools.count(last_id + 1)
        calendars = self.env["followup.enrollment"]._followup_calendar_by_partner(
            new_partners.sudo()
        )

        def first_due(partner, at):
            tz, weekend = calendars[partner.id]
            return calendar.add_delay(at, first_step.delay, first_step.delay_unit, tz, weekend)

        for partner in matching:
            sims.append(
                _SimEnrollment(
                    next(ids),
                    partner.sudo(),
                    partner.sudo(),
                    first_step,
                    first_due(partner, start),
                    sequence.company_id,
                    "matching",
                )
            )
        for partner, origin, at in events:
            if at < end:
                sims.append(
                    _SimEnrollment(
                        next(ids),
                        partner.sudo(),
                        origin.sudo(),
                        first_step,
                        first_due(partner, at),
                        sequence.company_id,
                        "trigger",
                    )
                )

        trigger_count = sum(1 for _partner, _origin, at in events if at < end)
        assumptions = [
            self.env._(
                "Simulated from %(start)s (UTC) for %(days)s days, as if the dispatch ran "
                "each time a step falls due, with the same rules, order and batches.",
                start=fields.Datetime.to_string(start),
                days=self.days,
            ),
            self.env._(
                "Active enrollments of this sequence: %(enrolled)s, going on from their "
                "next step. Active enrollments of other sequences for the same people: "
                "%(others)s; they share the contact cap, but only this sequence's "
                "decisions are counted.",
                enrolled=len(enrolled),
                others=len(others),
            ),
        ]
        if sequence.trigger == "manual":
            limit = self._followup_matching_limit()
            assumptions.append(
                self.env._(
                    "Contacts matching “Who May Enter” and not in the sequence yet: "
                    "%(count)s (at most %(limit)s), enrolled at the start as if you "
                    "enrolled them all now.",
                    count=len(matching),
                    limit=limit,
                )
            )
        else:
            trigger = dict(sequence._fields["trigger"]._description_selection(self.env))
            # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
            volume_text = f"{volume:.2f}"
            assumptions.append(
                self.env._(
                    "“%(trigger)s” over the last %(history)s days: %(volume)s entries a "
                    "day on average, for the contacts matching “Who May Enter”. Each "
                    "simulated day enrolls as many (%(count)s in all), taking the "
                    "contacts, documents and times of day of the most recent events in "
                    "turn.",
                    trigger=trigger.get(sequence.trigger, sequence.trigger),
                    volume=volume_text,
                    history=HISTORY_DAYS,
                    count=trigger_count,
                )
            )
        assumptions.append(
            self.env._(
                "Not foreseeable, so not simulated: replies, new orders or consent changes "
                "that stop a follow-up, and templates or server actions that fail."
            )
        )
        return {
            "sims": sims,
            "enrolled": len(enrolled),
            "competing": len(others),
            "matching": len(matching),
            "trigger": trigger_count,
            "daily_volume": volume,
            "assumptions": assumptions,
        }

    @api.model
    def _followup_matching_limit(self):
        """Most contacts a manual sequence's forecast enrolls (system parameter
        ``followup_manager.forecast_max_partners``, default 5000)."""
        return int_param(self.env, "followup_manager.forecast_max_partners", 5000, minimum=1)

    def _followup_matching_partners(self, enrolled):
        """Contacts a manual enrollment would take now: matching the sequence's filter,
        not already active in it for themselves. With the user's rules, as enroll()."""
        self.ensure_one()
        sequence = self.sequence_id
        taken = enrolled.filtered(lambda e: e.origin_model == "res.partner").partner_id
        domain = expression.AND(
            [sequence._followup_partner_domain(), [("id", "not in", taken.ids)]]
        )
        return self.env["res.partner"].search(
            domain, order="id", limit=self._followup_matching_limit()
        )

    def _followup_trigger_sample(self, start):
        """(daily volume, [(partner, origin, moment)]): the trigger's entries expected
        over the simulated days. The volume is the average daily count of its events
        over the last HISTORY_DAYS days, for partners matching the sequence; the
        entries take the partners, documents and times of day of the most recent
        events in turn (the newest first)."""
        self.ensure_one()
        sequence = self.sequence_id
        history = self._followup_trigger_history(start - timedelta(days=HISTORY_DAYS), start)
        if history:
            partners = self.env["res.partner"].union(*(partner for partner, _o, _a in history))
            allowed = set(
                self.env["res.partner"]
                .sudo()
                ._search(
                    expression.AND(
                        [[("id", "in", partners.ids)], sequence._followup_partner_domain()]
                    )
                )
            )
            history = [event for event in history if event[0].id in allowed]
        volume = len(history) / HISTORY_DAYS
        if not history:
            return volume, []
        history.sort(key=lambda event: (event[2], event[1].id), reverse=True)
        sample = itertools.cycle(history)
        entries = []
        for day in range(self.days):
            # Whole entries per day whose running total follows the average exactly.
            count = int(volume * (day + 1)) - int(volume * day)
            for _i in range(count):
                partner, origin, at = next(sample)
                offset = timedelta(
                    hours=at.hour - start.hour,
                    minutes=at.minute - start.minute,
                    seconds=at.second - start.second,
                ) % timedelta(days=1)
                entries.append((partner, origin, start + timedelta(days=day) + offset))
        return volume, entries

    def _followup_trigger_history(self, since, until):
        """[(partner, origin record, moment)] of the events that fired the sequence's
        trigger between ``since`` and ``until`` (naive UTC). Override for new triggers."""
        self.ensure_one()
        sequence = self.sequence_id
        companies = [sequence.company_id.id, False]
        # sudo: counting past events for an estimate; no record is shown.
        if sequence.trigger == "sale_order_confirmed":
            orders = (
                self.env["sale.order"]
                .sudo()
                .search_fetch(
                    [
                        ("state", "=", "sale"),
                        ("company_id", "in", companies),
                        ("date_order", ">=", since),
                        ("date_order", "<", until),
                    ],
                    ["partner_id", "date_order", "user_id"],
                )
            )
            return [(order.partner_id, order, order.date_order) for order in orders]
        if sequence.trigger in ("lead_won", "lead_lost"):
            domain = [
                ("partner_id", "!=", False),
                ("company_id", "in", companies),
                ("date_closed", ">=", since),
                ("date_closed", "<", until),
            ]
            if sequence.trigger == "lead_won":
                domain += [("active", "=", True), ("stage_id.is_won", "=", True)]
            else:
                domain += [("active", "=", False)]
            leads = (
                self.env["crm.lead"]
                .sudo()
                .with_context(active_test=False)
                .search_fetch(domain, ["partner_id", "date_closed", "user_id"])
            )
            return [(lead.partner_id, lead, lead.date_closed) for lead in leads]
        if sequence.trigger == "partner_inactive":
            partners = (
                self.env["res.partner"]
                .sudo()
                .search_fetch(
                    [
                        ("lifecycle_stage", "=", "inactive"),
                        ("lifecycle_stage_date", ">=", since),
                        ("lifecycle_stage_date", "<", until),
                        ("company_id", "in", companies),
                    ],
                    ["lifecycle_stage_date"],
                )
            )
            return [(partner, partner, partner.lifecycle_stage_date) for partner in partners]
        return []

    # ------------------------------------------------------------------ actions

    def action_view_lines(self):
        """The forecast day by day: graph, pivot and list of its lines."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_forecast_line_action"
        )
        action["domain"] = [("forecast_id", "=", self.id)]
        action["display_name"] = self.env._("Forecast: %(name)s", name=self.name)
        return action

    def action_run_again(self):
        """A new forecast of the same sequence, from now."""
        self.ensure_one()
        return self.sequence_id.action_forecast()


class FollowupForecastLine(models.Model):
    """How many decisions of one kind the forecast expects on one day."""

    _name = "followup.forecast.line"
    _description = "Follow-up Forecast Line"
    _order = "forecast_id, date, id"
    _rec_name = "date"

    forecast_id = fields.Many2one(
        "followup.forecast", required=True, index=True, ondelete="cascade"
    )
    sequence_id = fields.Many2one(related="forecast_id.sequence_id", store=True)
    company_id = fields.Many2one(related="forecast_id.company_id", store=True, index=True)
    date = fields.Date(string="Day", required=True)
    step_id = fields.Many2one("followup.step", ondelete="cascade")
    channel = fields.Selection(selection="_selection_channel")
    user_id = fields.Many2one("res.users", string="Salesperson")
    state = fields.Selection(selection="_selection_state", string="Outcome", required=True)
    reason = fields.Selection(selection="_selection_reason")
    population = fields.Selection(
        [
            ("enrolled", "Already enrolled"),
            ("matching", "Matching contacts enrolled now"),
            ("trigger", "Expected from the trigger"),
        ],
        string="Who",
    )
    count = fields.Integer(string="Decisions", aggregator="sum")

    # The codes and labels are the dispatch log's: a forecast line counts rows the
    # dispatch would write.
    @api.model
    def _selection_channel(self):
        return self.env["followup.dispatch"]._fields["channel"]._description_selection(self.env)

    @api.model
    def _selection_state(self):
        states = self.env["followup.dispatch"]._fields["state"]._description_selection(self.env)
        return [(value, label) for value, label in states if value != "failed"]

    @api.model
    def _selection_reason(self):
        return self.env["followup.dispatch"]._fields["reason"]._description_selection(self.env)
