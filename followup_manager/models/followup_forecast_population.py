"""Who a forecast simulates: the sequence's active enrollments, the competing ones of
other sequences for the same people, and the people a manual sequence or a trigger would
enroll during the simulated days; and the sentences saying so.

A forecast of a large population simulates a sample of the people and multiplies its
counts (``followup_manager.forecast_sample_size``); the answer says so.

A mixin of ``followup.forecast`` (see followup_forecast.py), which lists it in its
``_inherit``."""

import heapq
import itertools
from collections import defaultdict

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL, format_datetime
from odoo.tools.misc import formatLang

from ..policy import vocabulary
from .followup_forecast_history import HISTORY_DAYS
from .tools import int_param

# Default of followup_manager.forecast_sample_size: most enrollments simulated one by one
# (a forecast simulates about a thousand a second; beyond, a sample says as much).
SAMPLE_SIZE = 5000


_MASK64 = (1 << 64) - 1


def _sample_rank(partner_id):
    """Where a person stands in the forecast's sample order: the id mixed by
    splitmix64's finalizer (stable across runs and processes, unlike Python's
    ``hash``; consecutive ids land far apart)."""
    z = (partner_id + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31), partner_id


class SimEnrollment:
    """A followup.enrollment as the simulation moves it (plain object, no ORM).

    Carries the attributes the dispatch reads from ``outcome.enrollment`` while deciding
    (``id``, ``next_date``, ``company_id``). The simulation orders them by
    ``policy.planner.claim_order``, as the dispatch claims. ``owners``: {step id: user}
    of the steps whose owner the dispatch's rule already named (see
    ``followup.forecast._followup_decide_batch``).
    """

    __slots__ = (
        "company_id",
        "id",
        "next_date",
        "origin",
        "owners",
        "partner",
        "population",
        "step",
    )

    def __init__(self, sim_id, partner, origin, step, next_date, company, population):
        self.id = sim_id
        self.partner = partner
        self.origin = origin
        self.step = step
        self.next_date = next_date
        self.company_id = company
        # "enrolled", "matching", "trigger"; None for other sequences (not reported).
        self.population = population
        self.owners = {}


class FollowupForecastPopulation(models.AbstractModel):
    _name = "followup.forecast.population"
    _description = "Follow-up Forecast: Population"

    def _followup_population(self, start, end):
        """The simulated enrollments and what the assumptions say about them; with
        ``calendars`` ({partner id: (tz, weekend)}) of everyone simulated."""
        self.ensure_one()
        sequence = self.sequence_id
        # sudo: the forecast counts what the dispatch (a superuser cron) will see,
        # whatever the user's record rules; only aggregates are stored.
        Enrollment = self.env["followup.enrollment"].sudo()
        running = self._followup_running_rows()
        # Paused enrollments keep their place and do nothing until resumed, like every
        # enrollment of a paused sequence, and the ones it would take in.
        enrolled = (
            [] if sequence.paused else [row for row in running if row[2] == vocabulary.ACTIVE]
        )
        matching, volume, events, new_partners = self._followup_newcomers(start, end)
        # The ones a paused sequence takes in do nothing either: none is simulated.
        new_matching, new_events = matching, events
        if sequence.paused:
            new_matching, new_events = matching.browse(), []
        size, kept, simulated_rows, matching_sim, events_sim, new_partners = (
            self._followup_sampled(enrolled, new_matching, new_events, new_partners)
        )
        # Only the simulated enrollments are read as records, in a fixed number of
        # queries (their partners come with the rows).
        enrolled_sim = Enrollment.browse([row[0] for row in simulated_rows])
        enrolled_partners = self.env["res.partner"].browse(
            list(dict.fromkeys(row[1] for row in simulated_rows))
        )
        others = Enrollment.search_fetch(
            [
                ("sequence_id", "!=", sequence.id),
                ("state", "=", "active"),
                ("partner_id", "in", (enrolled_partners | new_partners).ids),
            ],
            ["partner_id"],
            order="id",
        )
        # The calendars of everyone simulated, read once (new enrollments' first dates,
        # then every move of the simulation).
        calendars = Enrollment._followup_calendar_by_partner(
            enrolled_partners | others.partner_id | new_partners
        )
        sims = self._followup_existing_sims(enrolled_sim, others, start)
        sims += self._followup_new_sims(sims, matching_sim, events_sim, start, calendars)
        simulated = len(enrolled_sim) + len(matching_sim) + len(events_sim)
        assumptions = self._followup_assumptions(
            start, enrolled, others, matching, volume, len(events)
        )
        assumptions[2:2] = self._followup_steering_assumptions(len(running) - len(enrolled))
        if kept is not None:
            assumptions.insert(1, self._followup_sample_assumption(size, simulated, len(kept)))
        return {
            "sims": sims,
            "calendars": calendars,
            "enrolled": len(enrolled),
            "competing": len(others),
            "matching": len(matching),
            "trigger": len(events),
            "daily_volume": volume,
            "weight": size / simulated if simulated else 1.0,
            "assumptions": assumptions,
        }

    def _followup_newcomers(self, start, end):
        """Who would enter during the forecast: (the matching people of a manual
        sequence, the triggers' daily volume, the trigger events before ``end``, the
        people of all of them)."""
        matching = self.env["res.partner"]
        volume, events = 0.0, []
        if self.sequence_id.trigger == "manual":
            matching = self._followup_matching_partners()
            partners = matching
        else:
            volume, events = self._followup_trigger_sample(start)
            partners = self.env["res.partner"].union(
                *(partner for partner, _origin, _at in events)
            )
        events = [(partner, origin, at) for partner, origin, at in events if at < end]
        return matching, volume, events, partners

    def _followup_running_rows(self):
        """[(id, partner id, state)] of the sequence's running enrollments (active or
        paused), in the order of their ids: ONE query, whatever their number (a large
        sequence has a hundred thousand; only the ones simulated are read as
        records)."""
        self.ensure_one()
        self.env["followup.enrollment"].flush_model(["sequence_id", "partner_id", "state"])
        return self.env.execute_query(
            SQL(
                "SELECT id, partner_id, state FROM followup_enrollment "
                "WHERE sequence_id = %s AND state = ANY(%s) ORDER BY id",
                self.sequence_id.id,
                list(vocabulary.RUNNING_STATES),
            )
        )

    def _followup_existing_sims(self, enrolled, others, start):
        """The active enrollments, with their origins, partners and companies exactly as
        the dispatch prepares them (and the owner of their next step)."""
        existing = enrolled | others
        if not existing:
            return []
        # sudo: see _followup_population.
        prepared = self.env["followup.dispatcher"].sudo()._followup_prepare(existing, start)
        sims = []
        for outcome in prepared:
            enrollment = outcome.enrollment
            sim = SimEnrollment(
                enrollment.id,
                outcome.partner,
                outcome.origin,
                enrollment.next_step_id,
                enrollment.next_date,
                enrollment.company_id,
                "enrolled" if enrollment.sequence_id == self.sequence_id else None,
            )
            if outcome.step:
                sim.owners[outcome.step.id] = outcome.user
            sims.append(sim)
        return sims

    def _followup_new_sims(self, sims, matching, events, start, calendars=None):
        """Hypothetical enrollments: the matching contacts enrolled at ``start``, the
        trigger's ``events`` when they happen; ids after every real one, as new rows.

        :param calendars: {partner id: (tz, weekend)} if already known
        """
        sequence = self.sequence_id
        first_step = sequence.step_ids[:1]
        ids = itertools.count(max((sim.id for sim in sims), default=0) + 1)
        entries = [(partner, partner, start, "matching") for partner in matching] + [
            (partner, origin, at, "trigger") for partner, origin, at in events
        ]
        if not entries:
            return []
        # sudo: only the due dates of the first step are computed (the partners'
        # calendars); nothing is written, the forecast user reads only aggregates.
        Enrollment = self.env["followup.enrollment"].sudo()
        # The public holidays read once, from the start on, for every moment below.
        holidays = self.env["res.company"]._followup_holidays(sequence.company_id, start)
        # The first due dates as enroll() computes them (once per calendar and moment).
        by_moment = defaultdict(list)
        for partner, _origin, at, _population in entries:
            by_moment[at].append(partner.id)
        dates = {}
        for at, group in by_moment.items():
            dates.update(
                zip(
                    ((pid, at) for pid in group),
                    Enrollment._followup_due_dates(
                        [(pid, first_step) for pid in group],
                        at,
                        holidays=holidays,
                        calendars=calendars,
                    ),
                    strict=True,
                )
            )
        # sudo: the simulated enrollment reads the person and the document as the
        # dispatch does (as superuser); only counts leave the forecast.
        return [
            SimEnrollment(
                next(ids),
                partner.sudo(),
                origin.sudo(),
                first_step,
                dates[partner.id, at],
                sequence.company_id,
                population,
            )
            for partner, origin, at, population in entries
        ]

    def _followup_assumptions(self, start, enrolled, others, matching, volume, trigger_count):
        """What the forecast assumes: ``[(code, details)]``, put in words when read
        (``_followup_assumption_text``), in the reader's language."""
        sequence = self.sequence_id
        assumptions = [
            ("start", {"start": fields.Datetime.to_string(start), "days": self.days}),
            ("enrolled", {"enrolled": len(enrolled), "others": len(others)}),
        ]
        if sequence.trigger == "manual":
            assumptions.append(
                ("matching", {"count": len(matching), "limit": self._followup_matching_limit()})
            )
        else:
            assumptions.append(
                (
                    "trigger",
                    {
                        "trigger": sequence.trigger,
                        "volume": volume,
                        "history": HISTORY_DAYS,
                        "count": trigger_count,
                    },
                )
            )
        assumptions.append(("unforeseeable", {}))
        return assumptions

    def _followup_steering_assumptions(self, paused):
        """What the forecast assumes about pauses, conditions and held steps
        (``paused``: the number of paused enrollments of the sequence), as
        ``_followup_assumptions``."""
        sequence = self.sequence_id
        assumptions = []
        if sequence.paused:
            assumptions.append(("sequence_paused", {}))
        elif paused:
            assumptions.append(("paused", {"count": paused}))
        if any(step.condition_domain for step in sequence.step_ids):
            assumptions.append(("conditional", {}))
        if any(step.wait_for_activity for step in sequence.step_ids):
            assumptions.append(("wait_for_activity", {}))
        return assumptions

    def _followup_assumption_text(self, code, details):
        """One assumption (see ``_followup_assumptions``) in words, in the language and
        the time zone of the reader; an unknown code reads as nothing."""
        method = getattr(self, f"_followup_assumption_{code}", None)
        return method(**details) if method else ""

    def _followup_assumption_start(self, start, days):
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        return self.env._(
            "Simulated from %(start)s (%(tz)s) for %(days)s days, as if the dispatch ran "
            "each time a step falls due, with the same rules, order and batches.",
            # The moment as every date of the forecast's screens reads: the reader's
            # date and time formats, in their time zone.
            start=format_datetime(
                self.env, fields.Datetime.to_datetime(start), tz=tz, dt_format=False
            ),
            tz=tz,
            days=days,
        )

    def _followup_assumption_enrolled(self, enrolled, others):
        return self.env._(
            "Active enrollments of this sequence: %(enrolled)s, going on from their "
            "next step. Active enrollments of other sequences for the same people: "
            "%(others)s; they share the contact cap, but only this sequence's "
            "decisions are counted.",
            enrolled=enrolled,
            others=others,
        )

    def _followup_assumption_matching(self, count, limit):
        return self.env._(
            "Contacts matching “Who May Enter” and not in the sequence yet: "
            "%(count)s (at most %(limit)s), enrolled at the start as if you "
            "enrolled them all now.",
            count=count,
            limit=limit,
        )

    def _followup_assumption_trigger(self, trigger, volume, history, count):
        triggers = dict(self.sequence_id._fields["trigger"]._description_selection(self.env))
        # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
        volume_text = formatLang(self.env, volume, digits=2)
        return self.env._(
            "“%(trigger)s” over the last %(history)s days: %(volume)s entries a "
            "day on average, for the contacts matching “Who May Enter”. Each "
            "simulated day enrolls as many (%(count)s in all), taking the "
            "contacts, documents and times of day of the most recent events in "
            "turn.",
            trigger=triggers.get(trigger, trigger),
            volume=volume_text,
            history=history,
            count=count,
        )

    def _followup_assumption_unforeseeable(self):
        return self.env._(
            "Not foreseeable, so not simulated: replies, new orders or consent changes "
            "that stop a follow-up, and templates or server actions that fail."
        )

    def _followup_assumption_sequence_paused(self):
        return self.env._(
            "The sequence is paused: nothing of it is simulated until it is resumed."
        )

    def _followup_assumption_paused(self, count):
        return self.env._(
            "Paused enrollments of this sequence: %(count)s; they keep their place "
            "and are not simulated until resumed.",
            count=count,
        )

    def _followup_assumption_conditional(self):
        return self.env._(
            "Steps with a condition are counted as if it held, marked “Unknown "
            "Until Due”: only the document as it will be then can tell."
        )

    def _followup_assumption_wait_for_activity(self):
        return self.env._(
            "A step that waits for its activity is assumed to have it done the "
            "moment it is scheduled."
        )

    def _followup_assumption_sampled(self, size, limit, simulated, people):
        # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
        factor = f"{size / simulated:.2f}" if simulated else "1"
        return self.env._(
            "Sampled: %(size)s enrollments are more than the %(limit)s simulated one by one; "
            "%(simulated)s of them (all those of %(people)s people picked at random, the "
            "same at every run) were simulated and every count multiplied by %(factor)s.",
            size=size,
            limit=limit,
            simulated=simulated,
            people=people,
            factor=factor,
        )

    def _followup_assumption_text_as_run(self, text):
        """A forecast run before its assumptions were put in words when read: its
        sentences as they were stored (see migrations/18.0.2.1.0)."""
        return text

    @api.model
    def _followup_matching_limit(self):
        """Most contacts a manual sequence's forecast enrolls (system parameter
        ``followup_manager.forecast_max_partners``, default 5000)."""
        return int_param(self.env, "followup_manager.forecast_max_partners", 5000, minimum=1)

    def _followup_matching_partners(self):
        """Contacts a manual enrollment would take now: matching the sequence's filter,
        not already running in it for themselves. With the user's rules, as enroll()."""
        self.ensure_one()
        sequence = self.sequence_id
        # sudo: as _followup_running_rows; a subquery, whatever their number.
        taken = (
            self.env["followup.enrollment"]
            .sudo()
            ._search(
                [
                    ("sequence_id", "=", sequence.id),
                    ("state", "in", list(vocabulary.RUNNING_STATES)),
                    ("origin_model", "=", "res.partner"),
                ]
            )
        )
        taken_partners = taken.subselect(SQL.identifier(taken.table, "partner_id"))
        domain = expression.AND(
            [sequence._followup_partner_domain(), [("id", "not in", taken_partners)]]
        )
        return self.env["res.partner"].search(
            domain, order="id", limit=self._followup_matching_limit()
        )

    # --- the sample

    def _followup_sampled(self, enrolled, matching, events, partners):
        """What is simulated of the running rows ``enrolled``, the ``matching`` people
        and the trigger ``events`` (their people: ``partners``): everything, or the
        sample (see _followup_sample_partners). Returns (their size, the kept partner
        ids or None, and the simulated rows, matching, events and people)."""
        size = len(enrolled) + len(matching) + len(events)
        kept = self._followup_sample_partners(
            {row[1] for row in enrolled} | set(matching.ids) | {p.id for p, _o, _a in events},
            size,
        )
        if kept is None:
            return size, kept, enrolled, matching, events, partners
        matching = matching.filtered(lambda p: p.id in kept)
        events = [event for event in events if event[0].id in kept]
        partners = matching | self.env["res.partner"].union(
            *(partner for partner, _origin, _at in events)
        )
        rows = [row for row in enrolled if row[1] in kept]
        return size, kept, rows, matching, events, partners

    @api.model
    def _followup_sample_limit(self):
        """Most enrollments a forecast simulates one by one (system parameter
        ``followup_manager.forecast_sample_size``, default SAMPLE_SIZE); beyond, it
        simulates a sample of the people and multiplies the counts."""
        return int_param(self.env, "followup_manager.forecast_sample_size", SAMPLE_SIZE, minimum=1)

    def _followup_sample_partners(self, people, size):
        """The ids of the people simulated when the population (``size`` enrollments
        of ``people``, partner ids) is larger than ``_followup_sample_limit()`` (None:
        everyone). Whole people are kept, with all their enrollments (the contact cap
        counts per person): one person in N, picked by a hash of their id, so that
        the sample is the same at every run and follows no pattern of the ids (taking
        every N-th id would, e.g. records imported in a repeating order)."""
        limit = self._followup_sample_limit()
        if size <= limit:
            return None
        stride = -(-size // limit)
        return set(heapq.nsmallest(-(-len(people) // stride), people, key=_sample_rank))

    def _followup_sample_assumption(self, size, simulated, people):
        """Say that the forecast sampled, and how (see ``_followup_assumptions``)."""
        return (
            "sampled",
            {
                "size": size,
                "limit": self._followup_sample_limit(),
                "simulated": simulated,
                "people": people,
            },
        )
