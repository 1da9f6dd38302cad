"""Local time for the person being contacted: time zones, weekends, windows and delays.

Everything here works on *naive UTC* datetimes (what Odoo stores) and converts to the
partner's local wall clock only to apply rules people express in local terms ("not before
9:00", "not on Sunday", "in two business days"). Times of day are float hours, like Odoo's
``float_time`` widget (9.5 means 09:30).

One file per concept, all reachable from here: ``timezones.py`` (which zone, the
conversions and the DST policy: a local time skipped in spring moves forward to the
jump, one repeated in autumn means its first occurrence), ``weekends.py`` (a country's
weekend, from CLDR), ``hours.py`` (the send window, preferred hours and the next moment
they allow); the step delays live here.

This module must not import odoo: it is unit-tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from .hours import (
    format_hours,
    hours_to_intervals,
    is_allowed_time,
    next_allowed_time,
    time_block_reason,
)
from .timezones import resolve_tz, to_local, to_utc
from .weekends import WORLD, _effective_weekend, weekend_days

__all__ = [
    "DELAY_UNITS",
    "HOLIDAY_LOOKAHEAD_DAYS",
    "MAX_HOLIDAY_DAYS",
    "WORLD",
    "add_delay",
    "format_hours",
    "holiday_days",
    "hours_to_intervals",
    "is_allowed_time",
    "next_allowed_time",
    "resolve_tz",
    "time_block_reason",
    "to_local",
    "to_utc",
    "weekend_days",
]

DELAY_UNITS = ("hours", "days", "weeks", "business_days")

#: How far ahead of the dispatch public holidays are taken into account, in days: about
#: two years, for the steps' delays and the forecast. A holiday reaching further (one
#: typed as ending in 9999) counts up to there: its cost stays bounded.
HOLIDAY_LOOKAHEAD_DAYS = 2 * 366

#: The longest public holiday (a leave of the company's calendar without a resource)
#: that may be saved, in days: anything longer is a typo (an end in 9999).
MAX_HOLIDAY_DAYS = 366


# --------------------------------------------------------------------------- holidays


def holiday_days(
    start: datetime,
    end: datetime,
    tz_name: str,
    now: datetime,
    lookahead: int = HOLIDAY_LOOKAHEAD_DAYS,
) -> frozenset[date]:
    """The local dates a public holiday from ``start`` to ``end`` (naive UTC, the end
    excluded: a holiday ending at midnight does not take the next day) covers from the
    day before ``now`` to ``lookahead`` days after it, in the zone ``tz_name``.

    Bounded by the lookahead, whatever the holiday's length: at most ``lookahead + 2``
    dates, and no date computed beyond it (a holiday ending in 9999 would overflow)."""
    first_utc = max(start, now - timedelta(days=2))
    last_utc = min(end - timedelta(seconds=1), now + timedelta(days=lookahead + 1))
    if last_utc < first_utc:
        return frozenset()
    first = max(to_local(first_utc, tz_name).date(), (now - timedelta(days=1)).date())
    last = min(to_local(last_utc, tz_name).date(), (now + timedelta(days=lookahead)).date())
    return frozenset(first + timedelta(days=n) for n in range((last - first).days + 1))


# --------------------------------------------------------------------------- delays


def add_delay(
    start: datetime,
    delay: float,
    unit: str,
    tz_name: str = "UTC",
    weekend: Iterable[int] = frozenset(),
    holidays: Iterable[date] = frozenset(),
) -> datetime:
    """``start`` (naive UTC) plus a step delay, as a naive UTC datetime.

    * ``hours``: elapsed time, whatever the clocks do.
    * ``days`` / ``weeks``: calendar days in the partner's zone, keeping the local time of
      day across a DST change ("in 2 days" at 10:00 stays 10:00 for the person).
    * ``business_days``: whole days of the partner's calendar that are not ``weekend`` days,
      keeping the local time of day. A start on a weekend first rolls forward to the next
      business day, which counts as day 0 (so 1 business day from Saturday is Tuesday, and
      0 is Monday). A weekend of all seven days is ignored. The local dates in
      ``holidays`` (public holidays) are skipped like weekend days.

    The result is never before ``start``.

    Raises ValueError for a negative delay, an unknown unit, or a fractional number of
    business days.
    """
    delay = float(delay)
    if delay < 0:
        raise ValueError(f"a delay cannot be negative, got {delay}")
    if unit == "hours":
        return start + timedelta(hours=delay)
    if unit not in DELAY_UNITS:
        raise ValueError(f"unknown delay unit {unit!r}; expected one of {DELAY_UNITS}")
    local = to_local(start, tz_name)
    if unit in ("days", "weeks"):
        shifted = local + timedelta(days=delay * (7 if unit == "weeks" else 1))
        # A zero delay is the start itself, even inside the repeated autumn hour.
        return start if shifted == local else to_utc(shifted, tz_name)
    if not delay.is_integer():
        raise ValueError(f"business days must be a whole number, got {delay}")
    days_off = _effective_weekend(weekend)
    holidays = frozenset(holidays or ())

    def working(moment: datetime) -> bool:
        return moment.weekday() not in days_off and moment.date() not in holidays

    while not working(local):
        local += timedelta(days=1)
    remaining = int(delay)
    if not holidays:
        # Whole weeks first, so a delay of years does not loop day by day (holidays
        # are few and near: with them, the loop below counts day by day).
        per_week = 7 - len(days_off)
        weeks, remaining = divmod(remaining, per_week)
        local += timedelta(weeks=weeks)
    while remaining:
        local += timedelta(days=1)
        if working(local):
            remaining -= 1
    return start if local == to_local(start, tz_name) else to_utc(local, tz_name)
