"""Where an enrollment stands in its sequence: when its next step falls due, and how it
moves on after a decision. The rule itself is ``policy.stepping`` (pure), shared with
the dispatch and the forecast; this file reads the records it needs and writes its
answers in batch."""

from collections import defaultdict

from odoo import api, fields, models

from ..policy import calendar, stepping


class FollowupEnrollmentStepping(models.AbstractModel):
    _name = "followup.enrollment.stepping"
    _description = "Follow-up Enrollment: Stepping"

    # ------------------------------------------------------------------ scheduling

    @api.model
    def _followup_calendar_by_partner(self, partners):
        """{partner id: (time zone name, weekend days)}: the calendar a partner's
        delays are counted in (their resolved time zone, their country's weekend)."""
        company_tz = self.env.company.partner_id.tz or self.env.user.tz
        has_resolved_tz = "followup_tz" in partners._fields
        # Read together (three queries), whatever the number of partners.
        fnames = ["tz", "country_id", "state_id"] + (["followup_tz"] if has_resolved_tz else [])
        partners.fetch(fnames)
        partners.country_id.fetch(["code"])
        partners.state_id.fetch(["code"])
        result = {}
        for partner in partners:
            tz = partner.followup_tz if has_resolved_tz else False
            if not tz:
                tz, _source = calendar.resolve_tz(
                    partner.tz, partner.country_id.code, partner.state_id.code, company_tz
                )
            result[partner.id] = (tz, calendar.weekend_days(partner.country_id.code))
        return result

    @api.model
    def _followup_timing(self, step):
        """The step as the stepping rule reads it (``policy.stepping.StepTiming``)."""
        return stepping.StepTiming(step, step.delay, step.delay_unit)

    @api.model
    def _followup_timings(self, sequences):
        """{sequence id: (StepTiming, ...)}: the steps of ``sequences`` in order."""
        sequences.step_ids.fetch(["delay", "delay_unit"])
        return {
            sequence.id: tuple(self._followup_timing(step) for step in sequence.step_ids)
            for sequence in sequences
        }

    def _followup_schedule_next(self, start=None):
        """Set next_date of each enrollment: ``start`` (default now) plus the delay of its
        next step, in the partner's calendar (``policy.stepping.due_date``); no next
        step, no date."""
        # sudo: the add-on scheduling what enroll() or the dispatch decided, not a
        # value chosen by the user (see write()).
        enrollments = self.sudo()
        start = start or fields.Datetime.now()
        calendars = enrollments._followup_calendar_by_partner(enrollments.partner_id)
        holidays = enrollments.env["res.company"]._followup_holidays(enrollments.company_id, start)
        dates = defaultdict(lambda: enrollments.browse())
        for enrollment in enrollments:
            step = enrollment.next_step_id
            if not step:
                dates[False] |= enrollment
                continue
            tz, weekend = calendars[enrollment.partner_id.id]
            timing = enrollments._followup_timing(step)
            days_off = holidays.get(enrollment.company_id.id, ())
            dates[stepping.due_date(start, timing, tz, weekend, days_off)] |= enrollment
        # One UPDATE per distinct date: many partners share a calendar.
        for due, same_date in dates.items():
            same_date.write({"next_date": due})

    @api.model
    def _followup_due_dates(self, pairs, start, holidays=None, calendars=None):
        """[due date] of ``pairs`` [(partner id, step)] scheduled at ``start``: the delay of
        each step in its partner's calendar (``policy.stepping.due_date``), computed once
        per step and calendar (thousands of partners share a few calendars). For
        enrollments about to be created: the date goes in their values.

        :param holidays: {company id: public holidays} if already known
        :param calendars: {partner id: (tz, weekend)} if already known (every partner
            of ``pairs``)
        """
        if calendars is None:
            partners = self.env["res.partner"].browse({pid for pid, _step in pairs})
            calendars = self._followup_calendar_by_partner(partners)
        if holidays is None:
            steps = self.env["followup.step"].union(*(step for _pid, step in pairs))
            holidays = self.env["res.company"]._followup_holidays(steps.company_id, start)
        known = {}
        dates = []
        for partner_id, step in pairs:
            if not step:
                dates.append(False)
                continue
            key = (step.id, *calendars[partner_id])
            if key not in known:
                known[key] = stepping.due_date(
                    start,
                    self._followup_timing(step),
                    *key[1:],
                    holidays.get(step.company_id.id, ()),
                )
            dates.append(known[key])
        return dates

    def _followup_advance(self, now=None):
        """Move each enrollment past its current step: to the next step (scheduled from
        ``now``), or to done when it was the last one. For the dispatch."""
        # sudo: see _followup_schedule_next (the dispatch moving past a step).
        enrollments = self.sudo()
        now = now or fields.Datetime.now()
        moves = enrollments._followup_next_moves(
            [(e.partner_id, e.next_step_id, stepping.BEHIND, False, False) for e in enrollments],
            now,
        )
        enrollments._followup_apply_moves(list(zip(enrollments, moves, strict=True)), now)
        return True

    @api.model
    def _followup_next_moves(self, items, now, calendars=None, holidays=None):
        """The moves (``policy.stepping.Move``) of enrollments whose step was decided at
        ``now``: the one stepping rule, for the dispatch and the forecast.

        :param items: [(partner, step, progress, next try, stop reason)] (see
            ``policy.stepping.move_on``)
        :param calendars: {partner id: (tz, weekend)} if already known
        :param holidays: {company id: public holidays} if already known
        """
        if calendars is None:
            partners = self.env["res.partner"].union(*(item[0] for item in items))
            calendars = self._followup_calendar_by_partner(partners)
        steps = self.env["followup.step"].union(*(item[1] for item in items))
        timings = self._followup_timings(steps.sequence_id)
        if holidays is None:
            holidays = self.env["res.company"]._followup_holidays(steps.company_id, now)
        sequence_of = {step.id: step.sequence_id.id for step in steps}
        # The rule is pure: a batch decided at one moment repeats few distinct
        # arguments (thousands of partners share a calendar and a step).
        known = {}
        moves = []
        for partner, step, progress, next_try, stop_reason in items:
            key = (progress, step.id, *calendars[partner.id], next_try, stop_reason)
            if key not in known:
                known[key] = stepping.move_on(
                    progress,
                    now,
                    step,
                    timings.get(sequence_of.get(step.id), ()),
                    key[2],
                    key[3],
                    next_try or None,
                    stop_reason or None,
                    holidays.get(step.company_id.id, ()),
                )
            moves.append(known[key])
        return moves

    @api.model
    def _followup_apply_moves(self, moves, now):
        """Write [(enrollment, Move)] in batch: one write per next step and date (a held
        step has none), per next try, per stop reason, and one for the finished
        enrollments."""
        advance = defaultdict(lambda: self.browse())
        wait = defaultdict(lambda: self.browse())
        stop = defaultdict(lambda: self.browse())
        finished = self.browse()
        for enrollment, move in moves:
            if move.kind == stepping.ADVANCE:
                advance[move.step, move.next_date] |= enrollment
            elif move.kind == stepping.HOLD:
                # No date: the event it waits for schedules it (followup_enrollment_steering.py).
                advance[move.step, False] |= enrollment
            elif move.kind == stepping.WAIT:
                wait[move.next_date] |= enrollment
            elif move.kind == stepping.STOP:
                stop[move.stop_reason] |= enrollment
            else:
                finished |= enrollment
        for (step, due), enrollments in advance.items():
            enrollments.write({"next_step_id": step.id, "next_date": due})
        for due, enrollments in wait.items():
            enrollments.write({"next_date": due})
        for reason, enrollments in stop.items():
            enrollments._stop(reason)
        if finished:
            finished.write(
                {"state": "done", "next_step_id": False, "next_date": False, "date_stop": now}
            )
        # The first decision after a resume has said so (followup_enrollment_steering.py).
        resumed = self.browse([e.id for e, _move in moves if e.resumed_date])
        if resumed:
            resumed.write({"resumed_date": False})

    def _followup_wake_dispatch(self):
        """Ask the dispatch cron to run when the earliest of these enrollments is due
        (see ``followup.dispatcher._schedule_wakeup``, the one wake-up)."""
        self.env["followup.dispatcher"]._schedule_wakeup(self.mapped("next_date"))
