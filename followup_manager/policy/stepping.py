"""How an enrollment walks through its sequence: the one stepping rule.

The dispatch (``followup.dispatcher._followup_move_on``), the enrollment
(``followup.enrollment._followup_schedule_next`` and ``_followup_advance``) and the forecast
(``followup.forecast._followup_move_on``) all call :func:`move_on` and :func:`due_date`;
none of them has its own copy. The rule, in words:

* a step is **due** when its date is reached (:func:`is_due`; the claim's SQL
  ``next_date <= now`` is its mirror);
* after a decision, the step is either **behind** the enrollment (done, failed,
  suppressed, already done before): the **next step** of the sequence (:func:`next_step`)
  becomes due its delay after the decision (:func:`due_date`), and when there is none the
  enrollment is **finished**; or it **waits** (deferred): the same step is due again at
  its next try; or the enrollment **stops** (partner archived, document deleted); or it
  had no step left to run: finished;
* a step whose next step **waits for an event** (``HOLD``: the salesperson's task must
  be done first) is behind the enrollment too, but the next step gets **no date**: the
  event schedules it later, its delay counted from the event (:func:`due_date` again);
* a deferred step is due again at the policy's next try, **never less than one second
  after the decision** (:data:`RETRY_FLOOR`). The policy's next try is always later than
  the decision for a valid configuration (the send window is non-empty by a database
  constraint), so the floor changes nothing there; it makes the rule total, so that
  neither the dispatch nor the simulated dispatch of the forecast can claim a step again
  at the very moment it was deferred (the forecast once had this guard alone, the
  dispatch relied on its "no progress" stop; now both follow the same rule).

Delays are counted in the partner's calendar (time zone and weekend) by
:func:`policy.calendar.add_delay`. Pure: no ORM import; steps are the caller's objects
(records, ids), carried in :class:`StepTiming`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .calendar import add_delay

__all__ = [
    "ADVANCE",
    "BEHIND",
    "END",
    "FINISH",
    "HOLD",
    "PROGRESSES",
    "RETRY_FLOOR",
    "STOP",
    "WAIT",
    "Move",
    "StepTiming",
    "due_date",
    "is_due",
    "move_on",
    "next_step",
    "retry_date",
]

#: A deferred step is never due again sooner than this after the decision.
RETRY_FLOOR = timedelta(seconds=1)

# Where a decision leaves the step (input of move_on).
BEHIND = "behind"  # done, failed, suppressed, already done: go to the next step
WAIT = "wait"  # deferred: the same step again at its next try
STOP = "stop"  # the follow-up ends with a stop reason
END = "end"  # no step was left to run: the follow-up is finished
HOLD = "hold"  # behind us, and the next step waits for an event (no date until then)
PROGRESSES = (BEHIND, WAIT, STOP, END, HOLD)

# What becomes of the enrollment (kind of the Move).
ADVANCE = "advance"  # next step, due at next_date
FINISH = "finish"  # state done, no next step
# WAIT and STOP are also kinds of moves, with the same meaning.


@dataclass(frozen=True)
class StepTiming:
    """A step as the rule sees it: the caller's ``key`` (a record, an id) and its delay."""

    key: Any
    delay: float = 0
    unit: str = "hours"


@dataclass(frozen=True)
class Move:
    """What becomes of an enrollment after the decision on its due step.

    ``kind``: ADVANCE (``step`` due at ``next_date``), WAIT (``step`` again at
    ``next_date``), HOLD (``step`` next, without a date until an event), FINISH, or
    STOP (``stop_reason``).
    """

    kind: str
    step: Any = None
    next_date: datetime | None = None
    stop_reason: str | None = None

    @property
    def continues(self) -> bool:
        """True if the enrollment still has a step to run."""
        return self.kind in (ADVANCE, WAIT)


def is_due(next_date: datetime | None, now: datetime) -> bool:
    """A step is due once its date is reached (SQL mirror: ``next_date <= now``)."""
    return next_date is not None and next_date <= now


def next_step(steps: Sequence[StepTiming], current: Any) -> StepTiming | None:
    """The step after ``current`` (a key) in ``steps`` (the sequence's steps, in order);
    None when ``current`` is the last one or no longer in the sequence."""
    keys = [step.key for step in steps]
    if current not in keys:
        return None
    index = keys.index(current) + 1
    return steps[index] if index < len(steps) else None


def due_date(
    start: datetime,
    step: StepTiming,
    tz_name: str = "UTC",
    weekend: Iterable[int] = frozenset(),
    holidays: Iterable[date] = frozenset(),
) -> datetime:
    """When ``step`` falls due if it is scheduled at ``start`` (naive UTC): its delay
    counted in the partner's calendar and the company's public holidays (see
    ``calendar.add_delay``)."""
    return add_delay(start, step.delay, step.unit, tz_name, weekend, holidays)


def retry_date(next_try: datetime | None, now: datetime) -> datetime:
    """When a step deferred at ``now`` is due again: its next try, at least
    :data:`RETRY_FLOOR` after ``now``."""
    floor = now + RETRY_FLOOR
    return max(next_try, floor) if next_try else floor


def move_on(
    progress: str,
    now: datetime,
    current: Any = None,
    steps: Sequence[StepTiming] = (),
    tz_name: str = "UTC",
    weekend: Iterable[int] = frozenset(),
    next_try: datetime | None = None,
    stop_reason: str | None = None,
    holidays: Iterable[date] = frozenset(),
) -> Move:
    """The move of an enrollment whose step ``current`` was decided at ``now``.

    :param progress: BEHIND, WAIT, STOP, END or HOLD (see the module docstring)
    :param steps: the sequence's steps in order (for BEHIND)
    :param tz_name: the partner's time zone, ``weekend`` their weekend days (for BEHIND)
    :param next_try: the policy's next try (for WAIT)
    :param stop_reason: why the follow-up stops (for STOP)
    :param holidays: the company's public holidays, local dates (for BEHIND)
    """
    if progress not in PROGRESSES:
        raise ValueError(f"unknown progress {progress!r}; expected one of {PROGRESSES}")
    if progress == END:
        return Move(FINISH)
    if progress == STOP:
        return Move(STOP, stop_reason=stop_reason)
    if progress == WAIT:
        return Move(WAIT, current, retry_date(next_try, now))
    following = next_step(steps, current)
    if following is None:
        return Move(FINISH)
    if progress == HOLD:
        return Move(HOLD, following.key)
    return Move(ADVANCE, following.key, due_date(now, following, tz_name, weekend, holidays))
