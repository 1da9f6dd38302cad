"""Forecast of a follow-up sequence: what the dispatch would do over the next days.

The forecast runs the dispatch's own decision path (``followup.dispatcher._followup_decide``,
hence ``policy.planner.plan``) on simulated time, with nothing written but the forecast:

* the dispatch is assumed to run exactly when a step falls due (the cron is woken at the
  next due date, see ``followup.dispatcher._schedule_wakeup``); at each such moment the
  due enrollments are claimed in the same order (``policy.planner.claim_order``) and
  batch size, decided together, and moved on by the same stepping rule
  (``policy.stepping.move_on``, through ``followup.enrollment._followup_next_moves``);
* the partners' facts are read once at the start (``res.partner._followup_facts``) and
  every contact the simulation allows is carried to the following moments with
  ``policy.planner.record_contacts``, which is what the database would hold.

Who is simulated (``followup_forecast_population.py``): the sequence's active enrollments;
the active enrollments of other sequences for the same people (they share the contact
cap; only this sequence's decisions are reported); for a manual sequence, every contact
matching "Who May Enter" and not yet in it, enrolled at the start; for a sequence fired
by events, the trigger's average daily count over the last 90 days, enrolled each
simulated day by taking the people (and times of day) of the most recent events in turn.
Replies, new orders, consent changes and failing templates are not foreseeable and are
not simulated.

The model is this file and three mixins it inherits: ``followup.forecast.population``
(followup_forecast_population.py: who is simulated, sampled when they are many),
``followup.forecast.history`` (followup_forecast_history.py: the trigger's past events)
and ``followup.forecast.headline`` (followup_forecast_headline.py: the totals and their
reasons, at a glance).
"""

import heapq
from collections import Counter, defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, format_date
from odoo.tools.safe_eval import safe_eval

from ..policy import calendar, planner, stepping
from .followup_outcome import StepOutcome

# What the population (followup_forecast_population.py) tells the forecast's record.
_POPULATION_KEYS = (
    "enrolled",
    "competing",
    "matching",
    "trigger",
    "daily_volume",
    "weight",
    "assumptions",
)


class FollowupForecast(models.Model):
    _name = "followup.forecast"
    _inherit = [
        "followup.forecast.population",
        "followup.forecast.history",
        "followup.forecast.headline",
    ]
    _description = "Follow-up Forecast"
    _order = "date_start desc, id desc"

    # Composed when read: the sequence's name and the day in the reader's language.
    name = fields.Char(compute="_compute_name")
    sequence_id = fields.Many2one(
        "followup.sequence",
        string="Follow-up Sequence",
        required=True,
        readonly=True,  # written once, by the sequence's Forecast button
        index=True,
        ondelete="cascade",
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
    # What the forecast assumed, as codes and numbers ([code, details]), put in words
    # when read: in the reader's language and time zone, not the runner's.
    assumption_data = fields.Json(readonly=True)
    assumptions = fields.Text(compute="_compute_assumptions")
    sequence_trigger = fields.Selection(related="sequence_id.trigger", string="Trigger")

    @api.depends("sequence_id.name", "date_start")
    @api.depends_context("lang", "tz")
    def _compute_name(self):
        for forecast in self:
            forecast.name = self.env._(
                "%(sequence)s, from %(date)s",
                sequence=forecast.sequence_id.name or "",
                # The day as every date of the form reads: the language's format.
                date=format_date(
                    self.env,
                    fields.Datetime.context_timestamp(forecast, forecast.date_start).date(),
                )
                if forecast.date_start
                else "",
            )

    @api.depends("assumption_data")
    @api.depends_context("lang", "tz", "uid")
    def _compute_assumptions(self):
        for forecast in self:
            forecast.assumptions = "\n".join(
                filter(
                    None,
                    (
                        forecast._followup_assumption_text(code, details)
                        for code, details in forecast.assumption_data or ()
                    ),
                )
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
        # A sampled forecast counts each simulated decision for that many people.
        weight = result.get("weight", 1.0)
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
                "conditional": conditional,
                "count": round(count * weight),
            }
            for (
                day,
                step_id,
                channel,
                user_id,
                state,
                reason,
                population,
                conditional,
            ), count in sorted(result["counts"].items(), key=lambda item: tuple(map(str, item[0])))
        ]
        self.env["followup.forecast.line"].create(lines)
        forecast.write(
            {
                "enrolled_count": result["enrolled"],
                "competing_count": result["competing"],
                "matching_count": result["matching"],
                "trigger_count": result["trigger"],
                "daily_volume": result["daily_volume"],
                "assumption_data": [list(item) for item in result["assumptions"]],
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
        ``counts`` {(day, step id, channel, user id, state, reason, population,
        conditional): n},
        ``moments`` (the dispatch runs simulated, naive UTC), the population sizes and
        the ``assumptions`` (sentences)."""
        self.ensure_one()
        start = self.date_start
        end = start + timedelta(days=self.days)
        population = self._followup_population(start, end)
        sims = population["sims"]
        # sudo: the facts only feed decisions that are counted, never shown per person
        # (see res.partner._followup_facts, which reads them as superuser anyway).
        partners = self.env["res.partner"].union(*(sim.partner for sim in sims)).sudo()
        holidays = self.env["res.company"]._followup_holidays(
            self.company_id.union(*(sim.step.company_id for sim in sims if sim.step)), start
        )
        # The dispatch as it decides, with the holidays read once.
        state_dispatcher = self.env["followup.dispatcher"].with_context(
            followup_holidays=tuple(holidays.items())
        )
        state = {
            "dispatcher": state_dispatcher,
            "batch_size": self.env["followup.dispatcher"]._followup_batch_size(),
            "facts": partners._followup_facts(now=start),
            # The contact policy of every person simulated, read once.
            "settings": self._followup_simulated_settings(state_dispatcher, sims),
            "calendars": population["calendars"],
            "holidays": holidays,
            "counts": Counter(),
            # {(limit key, day start): steps done}: the daily limits through simulated time.
            "used": Counter(),
            "done_before": self._followup_done_before(sims),
        }
        # The dispatch's claim order, as a heap: (claim_order, sim).
        queue = [
            (planner.claim_order(sim.next_date, sim.id), sim)
            for sim in sims
            if sim.step and sim.next_date
        ]
        heapq.heapify(queue)
        moments = []
        while queue and queue[0][1].next_date < end:
            # One run of the dispatch, woken when the earliest step falls due.
            moment = max(queue[0][1].next_date, start)
            moments.append(moment)
            self._followup_simulate_run(queue, moment, state)
        return {
            "counts": state["counts"],
            "moments": moments,
            **{key: population[key] for key in _POPULATION_KEYS},
        }

    def _followup_simulate_run(self, queue, moment, state):
        """One simulated run of the dispatch at ``moment``: like ``_dispatch_due`` it
        claims batch after batch (same size, same order) until nothing is due, decides
        each batch, carries the allowed contacts forward and moves the enrollments on.
        ``state``: the facts, calendars and counts carried through simulated time."""
        dispatcher, batch_size = state["dispatcher"], state["batch_size"]
        day = self._followup_day(moment)
        facts, counts = state["facts"], state["counts"]
        while queue and stepping.is_due(queue[0][1].next_date, moment):
            # The claim: at most a batch of the due ones, in claim order (the heap's).
            due_now = []
            while (
                queue
                and len(due_now) < batch_size
                and stepping.is_due(queue[0][1].next_date, moment)
            ):
                due_now.append(heapq.heappop(queue)[1])
            outcomes = self._followup_decide_batch(
                dispatcher,
                due_now,
                moment,
                facts,
                state["done_before"],
                state["used"],
                state["settings"],
            )
            self._followup_count_limits(dispatcher, outcomes, moment, state["used"])
            decided = [(o.request, o.decision) for o in outcomes if o.request and o.decision]
            touched = {request.partner_id for request, _decision in decided}
            facts.update(
                planner.record_contacts(
                    {pid: facts[pid] for pid in touched if pid in facts}, decided, moment
                )
            )
            for outcome in outcomes:
                if outcome.log_state and outcome.enrollment.population:
                    counts[self._followup_count_key(day, outcome)] += 1
            for sim in self._followup_move_on(
                outcomes, moment, state["calendars"], state["holidays"]
            ):
                heapq.heappush(queue, (planner.claim_order(sim.next_date, sim.id), sim))

    @api.model
    def _followup_count_key(self, day, outcome):
        """What a decision is counted under: as the dispatch row it would write."""
        return (
            day,
            outcome.step.id,
            outcome.channel,
            outcome.user.id if outcome.user else False,
            outcome.log_state,
            outcome.log_reason,
            outcome.enrollment.population,
            outcome.conditional,
        )

    @api.model
    def _followup_count_limits(self, dispatcher, outcomes, moment, used):
        """Count the steps done against their people's daily limits, as the log would."""
        for outcome in outcomes:
            key = dispatcher._followup_limit_key(outcome) if outcome.state == "done" else None
            if key:
                used[key, dispatcher._followup_day_bounds(outcome.user, moment)[0]] += 1

    @api.model
    def _followup_done_before(self, sims):
        """{idempotency key: date} of the steps the simulated enrollments already
        carried out, read once for every simulated run (one query)."""
        Dispatch = self.env["followup.dispatch"]
        Dispatch.flush_model(["idempotency_key", "enrollment_id"])
        rows = self.env.execute_query(
            SQL(
                "SELECT idempotency_key, create_date FROM followup_dispatch "
                "WHERE enrollment_id = ANY(%s) AND idempotency_key IS NOT NULL",
                [sim.id for sim in sims],
            )
        )
        return dict(rows)

    @api.model
    def _followup_decide_batch(
        self, dispatcher, sims, moment, facts, done_before=None, used=None, settings=None
    ):
        """Decide simulated enrollments exactly as the dispatch decides claimed ones.
        Who owns each step is the dispatch's rule (``_followup_responsible``), asked
        once per enrollment and step (it cannot change while the simulation runs)."""
        outcomes = []
        for sim in sims:
            outcome = StepOutcome(sim, sim.step, sim.partner, sim.origin)
            if sim.step:
                if sim.step.id not in sim.owners:
                    sim.owners[sim.step.id] = dispatcher._followup_responsible(outcome)
                outcome = outcome.replace(user=sim.owners[sim.step.id])
            outcomes.append(outcome)
        return dispatcher._followup_decide(
            outcomes,
            moment,
            facts=facts,
            done_before=done_before,
            used=used if used is not None else {},
            settings=settings,
        )

    @api.model
    def _followup_simulated_settings(self, dispatcher, sims):
        """{company id: {partner id: Settings}} of the simulated people, as the dispatch
        reads them (``_followup_settings_by_company``): once for the whole simulation,
        as nothing it simulates changes them."""
        outcomes = [StepOutcome(sim, sim.step, sim.partner, sim.origin) for sim in sims]
        return dispatcher._followup_settings_by_company(outcomes)

    @api.model
    def _followup_move_on(self, outcomes, moment, calendars, holidays=None):
        """Move the simulated enrollments on after their decisions by the dispatch's own
        stepping rule; return the ones that still have a step to run."""
        moves = self.env["followup.enrollment"]._followup_next_moves(
            [(o.partner, o.step, o.progress, o.next_try, o.stop_reason) for o in outcomes],
            moment,
            calendars=calendars,
            holidays=holidays,
        )
        going_on = []
        for outcome, move in zip(outcomes, moves, strict=True):
            if move.continues:
                sim = outcome.enrollment
                sim.step, sim.next_date = move.step, move.next_date
                going_on.append(sim)
        return going_on

    # ------------------------------------------------------------------ actions

    def action_view_lines(self):
        """The forecast day by day: graph, pivot and list of its lines."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_forecast_line_action"
        )
        action["domain"] = [("forecast_id", "=", self.id)]
        action["display_name"] = self.env._("Forecast: %(name)s", name=self.name)
        # Every simulated day on the graph, a day without decisions at zero (see
        # static/src/views/followup_forecast_graph.js).
        first, last = self._followup_simulated_days()
        action["context"] = {
            **safe_eval(action.get("context") or "{}"),
            "followup_forecast_days": {
                "from": fields.Date.to_string(first),
                "to": fields.Date.to_string(last),
            },
        }
        return action

    def _followup_simulated_days(self):
        """(first day, last day) the forecast's lines may fall on, as they are counted
        (``_followup_day``: the days of the user who ran it)."""
        self.ensure_one()
        return (
            self._followup_day(self.date_start),
            self._followup_day(self.date_start + timedelta(days=self.days)),
        )

    def action_run_again(self):
        """A new forecast of the same sequence, from now."""
        self.ensure_one()
        return self.sequence_id.action_forecast()
