"""Hours: the send window, a person's preferred hours, and the next moment they allow.

Times of day are float hours, like Odoo's ``float_time`` widget (9.5 means 09:30); moments
are naive UTC, turned into the partner's local time with the zone (see timezones.py and
its DST policy).

This module must not import odoo: it is unit-tested without a database.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache, wraps
from typing import Any, NamedTuple, TypeVar

import pytz

from .timezones import _occurrences, _tz, to_local
from .weekends import _effective_weekend

__all__ = [
    "format_hours",
    "hours_to_intervals",
    "is_allowed_time",
    "next_allowed_time",
    "time_block_reason",
]

_DAY_SECONDS = 24 * 3600
_T = TypeVar("_T")


def format_hours(hours: float) -> str:
    """``9.5`` -> ``"09:30"``; ``24.0`` -> ``"24:00"`` (for details shown to people)."""
    minutes = round(float(hours) * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _seconds(hours: float) -> int:
    return max(0, min(_DAY_SECONDS, round(float(hours) * 3600)))


def hours_to_intervals(start: float, end: float) -> tuple[tuple[int, int], ...]:
    """Allowed seconds of the day ``[a, b)`` for a ``(start, end)`` pair of float hours.

    Hours are clamped to 0..24 and rounded to the second. ``start > end`` is an overnight
    window (22.0-6.0 gives 22:00-24:00 and 00:00-06:00). ``start == end`` is read as "no
    restriction" (the whole day): an empty window would mean "never", which nobody
    configures on purpose, and blocking every contact silently is the worse failure.
    """
    a, b = _seconds(start), _seconds(end)
    if a == b:
        return ((0, _DAY_SECONDS),)
    if a < b:
        return ((a, b),)
    return tuple(iv for iv in ((0, b), (a, _DAY_SECONDS)) if iv[0] < iv[1])


def _intersect(
    first: Sequence[tuple[int, int]], second: Sequence[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    result = []
    for a1, b1 in first:
        for a2, b2 in second:
            a, b = max(a1, a2), min(b1, b2)
            if a < b:
                result.append((a, b))
    return tuple(sorted(result))


def _effective_intervals(
    window_start: float, window_end: float, preferred_hours: tuple[float, float] | None
) -> tuple[tuple[int, int], ...]:
    """The window, narrowed by the person's preferred hours; theirs win if they do not meet.

    A person who asked to be called in the evening is better served at 20:00 than never.
    """
    window = hours_to_intervals(window_start, window_end)
    if not preferred_hours:
        return window
    preferred = hours_to_intervals(*preferred_hours)
    return _intersect(window, preferred) or preferred


def _second_of_day(local: datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def _inside(local: datetime, intervals: Sequence[tuple[int, int]]) -> bool:
    second = _second_of_day(local)
    return any(a <= second < b for a, b in intervals)


class _Rules(NamedTuple):
    """The local-time rules in the one hashable form the cached functions take."""

    window_start: float
    window_end: float
    weekend: frozenset[int]
    preferred_hours: tuple[float, float] | None
    holidays: frozenset[date]


def _rules(
    window_start: float,
    window_end: float,
    weekend: Iterable[int] | None,
    preferred_hours: tuple[float, float] | None,
    holidays: Iterable[date] | None,
) -> _Rules:
    return _Rules(
        window_start,
        window_end,
        frozenset(weekend or ()),
        tuple(preferred_hours) if preferred_hours else None,
        frozenset(holidays or ()),
    )


def _taking_rules(function: Callable[[datetime, str, _Rules], _T]) -> Callable[..., _T]:
    """The public form of a pure function of ``(now, tz_name, rules)``: callers pass the
    local-time rules one by one (``window_start, window_end, weekend=…, preferred_hours=…,
    holidays=…``), gathered here into the one hashable :class:`_Rules` its cache keys on
    (the requests of one run mostly share their moment, zone and settings)."""
    cached = lru_cache(maxsize=8192)(function)

    @wraps(function)
    def public(
        now: datetime,
        tz_name: str,
        window_start: float,
        window_end: float,
        weekend: Iterable[int] = frozenset(),
        preferred_hours: tuple[float, float] | None = None,
        holidays: Iterable[date] = frozenset(),
    ) -> _T:
        rules = _rules(window_start, window_end, weekend, preferred_hours, holidays)
        return cached(now, tz_name, rules)

    return public


@_taking_rules
def time_block_reason(now: datetime, tz_name: str, rules: _Rules) -> str | None:
    """Which local-time rule stops a contact at ``now``, or None if none does.

    Returns ``"weekend"``, ``"holiday"`` (a local date in ``holidays``, the public
    holidays of the company's working calendar), ``"preferred_hours"`` or
    ``"quiet_hours"``, checked in that order: the weekend is the broadest reason, and a
    person's own hours matter more than the company's window when explaining a wait.
    """
    window_start, window_end, weekend, preferred_hours, holidays = rules
    local = to_local(now, tz_name)
    if local.weekday() in _effective_weekend(weekend):
        return "weekend"
    if local.date() in holidays:
        return "holiday"
    window = hours_to_intervals(window_start, window_end)
    if preferred_hours:
        preferred = hours_to_intervals(*preferred_hours)
        if not _inside(local, preferred):
            return "preferred_hours"
        if not _intersect(window, preferred):
            return None  # the person's hours win over a window they do not meet
    if not _inside(local, window):
        return "quiet_hours"
    return None


def is_allowed_time(now: datetime, tz_name: str, *rules: Any, **named_rules: Any) -> bool:
    """True if no local-time rule stops a contact at ``now``: the arguments of
    :func:`time_block_reason`, which says which rule does."""
    return time_block_reason(now, tz_name, *rules, **named_rules) is None


def _transitions(tz: pytz.BaseTzInfo, start: datetime, end: datetime) -> list[datetime]:
    """UTC instants in ``(start, end]`` where the zone's offset changes (DST, law changes).

    Found day by day (:func:`_day_transitions`, cached: every decision of a run, and
    every run of a forecast, looks at the same few days)."""
    found = []
    day = datetime.combine(start.date(), time())
    while day < end:
        found.extend(t for t in _day_transitions(tz, day) if start < t <= end)
        day += timedelta(days=1)
    return found


@lru_cache(maxsize=8192)
def _day_transitions(tz: pytz.BaseTzInfo, day: datetime) -> tuple[datetime, ...]:
    """UTC instants in ``(day, day + 1 day]`` (``day`` a UTC midnight) where the zone's
    offset changes. Samples every 6 hours (no zone changes offset twice in that span)
    and bisects each change down to the second."""

    def offset(utc: datetime) -> timedelta:
        return pytz.utc.localize(utc).astimezone(tz).utcoffset()

    found = []
    step = timedelta(hours=6)
    left, end = day, day + timedelta(days=1)
    left_offset = offset(left)
    while left < end:
        right = min(left + step, end)
        right_offset = offset(right)
        if right_offset != left_offset:
            span = int((right - left).total_seconds())
            index = bisect.bisect_left(
                range(1, span + 1),
                True,
                key=lambda s: offset(left + timedelta(seconds=s)) != left_offset,
            )
            found.append(left + timedelta(seconds=index + 1))
        left, left_offset = right, right_offset
    return tuple(found)


@_taking_rules
def next_allowed_time(now: datetime, tz_name: str, rules: _Rules) -> datetime:
    """Earliest naive UTC instant ``>= now`` that every local-time rule allows.

    Allowed means: the local time of day is inside ``[window_start, window_end)`` narrowed
    by ``preferred_hours`` (the person's hours win when the two do not meet), and the local
    date is not a ``weekend`` day (a weekend of all seven days is ignored).

    The answer is exact, not sampled: an allowed stretch can only begin at ``now``, at a
    local window start (each of its occurrences, for the repeated autumn hour), or at a
    time-zone transition (the spring jump over a window start, or the autumn jump back into
    a window); all of them over the next nine local days are tried in order. Nine days is
    enough because a weekend has at most six days; every public holiday in ``holidays``
    (local dates, never contacted) adds one day to it.

    Cached on its arguments (it is pure): the requests deferred in one run mostly share
    their moment, zone and settings.
    """
    window_start, window_end, weekend, preferred_hours, holidays = rules
    tz = _tz(tz_name)
    intervals = _effective_intervals(window_start, window_end, preferred_hours)
    days_off = _effective_weekend(weekend)
    first_day = to_local(now, tz_name).date()
    holidays = frozenset(day for day in holidays if day >= first_day)

    def allowed(utc: datetime) -> bool:
        local = pytz.utc.localize(utc).astimezone(tz).replace(tzinfo=None)
        return (
            local.weekday() not in days_off
            and local.date() not in holidays
            and _inside(local, intervals)
        )

    if allowed(now):
        return now
    horizon = 9 + len(holidays)
    candidates: set[datetime] = set()
    for offset in range(horizon + 1):
        day: date = first_day + timedelta(days=offset)
        if day.weekday() in days_off or day in holidays:
            continue
        midnight = datetime.combine(day, time())
        for start, _end in intervals:
            candidates.update(_occurrences(midnight + timedelta(seconds=start), tz))
    candidates.update(_transitions(tz, now, now + timedelta(days=horizon + 1)))
    for candidate in sorted(c for c in candidates if c >= now):
        if allowed(candidate):
            return candidate
    # Unreachable with a non-empty window and a weekend shorter than a week; answering
    # "now" keeps a bad configuration from blocking contacts forever.
    return now
