"""Local time for the person being contacted: time zones, weekends, windows and delays.

Everything here works on *naive UTC* datetimes (what Odoo stores) and converts to the
partner's local wall clock only to apply rules people express in local terms ("not before
9:00", "not on Sunday", "in two business days"). Times of day are float hours, like Odoo's
``float_time`` widget (9.5 means 09:30).

DST policy, applied everywhere a local wall-clock time is turned into an instant:

* a local time that does not exist (the hour skipped in spring) moves forward to the first
  instant that exists after it, i.e. the moment the clocks jump;
* a local time that happens twice (the hour repeated in autumn) means its first occurrence.

This module must not import odoo: it is unit-tested without a database.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import pytz
from babel import Locale, localedata
from babel.core import get_global, parse_locale

__all__ = [
    "DELAY_UNITS",
    "WORLD",
    "add_delay",
    "format_hours",
    "hours_to_intervals",
    "is_allowed_time",
    "next_allowed_time",
    "resolve_tz",
    "time_block_reason",
    "to_local",
    "to_utc",
    "weekend_days",
]

#: CLDR's code for "the world": its week data is the default for unknown territories.
WORLD = "001"
DELAY_UNITS = ("hours", "days", "weeks", "business_days")

_DAY_SECONDS = 24 * 3600
_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Saturday and Sunday: what CLDR says for "001"; used only if babel has no data at all.
_WORLD_WEEKEND = frozenset({5, 6})


# --------------------------------------------------------------------------- weekends


def _weekday_number(value: int | str) -> int:
    """ISO-ish weekday (Mon=0..Sun=6) from babel's value, an int or a name like 'sat'."""
    if isinstance(value, int):
        return value % 7
    return _WEEKDAY_NAMES.index(str(value).strip().lower()[:3])


@lru_cache(maxsize=1)
def _locale_by_territory() -> dict[str, str]:
    """One babel locale identifier per territory, to read that territory's week data.

    Babel 2.10.3 (Odoo 18's pin for Python 3.11/3.12) has no ``weekend_start`` entry in
    its global data: CLDR's territory week data is only stored inside each locale, derived
    from the locale's territory. Any locale of a territory carries the same week data, so
    the plainest one (``language_TERRITORY``, no script or variant) is enough.
    """
    best: dict[str, tuple[int, str]] = {}
    for identifier in localedata.locale_identifiers():
        try:
            _lang, territory, script, variant = parse_locale(identifier)[:4]
        except ValueError:
            continue
        if not territory:
            continue
        rank = (1 if script else 0) + (1 if variant else 0)
        if territory not in best or (rank, identifier) < best[territory]:
            best[territory] = (rank, identifier)
    return {territory: identifier for territory, (_rank, identifier) in best.items()}


def _weekend_bounds(territory: str) -> tuple[int, int] | None:
    """(first, last) weekend day of a territory per CLDR, or None if babel does not know it."""
    # Newer babel versions may expose the supplemental data globally; prefer it when present.
    try:
        starts, ends = get_global("weekend_start"), get_global("weekend_end")
    except (KeyError, LookupError):
        starts, ends = {}, {}
    if territory in starts and territory in ends:
        try:
            return _weekday_number(starts[territory]), _weekday_number(ends[territory])
        except ValueError:
            pass
    identifier = _locale_by_territory().get(territory)
    if identifier is None:
        return None
    try:
        locale = Locale.parse(identifier)
        return _weekday_number(locale.weekend_start), _weekday_number(locale.weekend_end)
    except (ValueError, LookupError, TypeError):
        return None


@lru_cache(maxsize=512)
def weekend_days(country_code: str | None) -> frozenset[int]:
    """Weekday numbers (Mon=0..Sun=6) of the weekend in a country, from CLDR via babel.

    The range may wrap around the week (e.g. Fri-Sat, or a Sat-Sun written as 5..6) and
    may be a single day (India: Sunday only; Iran: Friday only). An empty, unknown or
    invalid country gets the world default (Saturday and Sunday).
    """
    territory = (country_code or "").strip().upper() if isinstance(country_code, str) else ""
    if territory:
        territory = get_global("territory_aliases").get(territory, [territory])[0]
    bounds = (_weekend_bounds(territory) if territory else None) or _weekend_bounds(WORLD)
    if bounds is None:
        return _WORLD_WEEKEND
    first, last = bounds
    length = (last - first) % 7 + 1
    return frozenset((first + offset) % 7 for offset in range(length))


# --------------------------------------------------------------------------- time zones

# Countries with several zones where the state decides. Keys are Odoo's
# res.country.state codes (base/data/res.country.state.csv); a state split between zones
# gets the zone most of its people live in.
_STATE_ZONES: dict[str, dict[str, str]] = {
    "US": {
        **dict.fromkeys(
            (
                "CT",
                "DE",
                "DC",
                "FL",
                "GA",
                "KY",
                "ME",
                "MD",
                "MA",
                "NH",
                "NJ",
                "NY",
                "NC",
                "OH",
                "PA",
                "RI",
                "SC",
                "VT",
                "VA",
                "WV",
            ),
            "America/New_York",
        ),
        "MI": "America/Detroit",
        "IN": "America/Indiana/Indianapolis",
        **dict.fromkeys(
            (
                "AL",
                "AR",
                "IL",
                "IA",
                "KS",
                "LA",
                "MN",
                "MS",
                "MO",
                "NE",
                "ND",
                "OK",
                "SD",
                "TN",
                "TX",
                "WI",
            ),
            "America/Chicago",
        ),
        **dict.fromkeys(("CO", "MT", "NM", "UT", "WY"), "America/Denver"),
        "ID": "America/Boise",
        "AZ": "America/Phoenix",
        **dict.fromkeys(("CA", "NV", "OR", "WA"), "America/Los_Angeles"),
        "AK": "America/Anchorage",
        "HI": "Pacific/Honolulu",
        "AS": "Pacific/Pago_Pago",
        "GU": "Pacific/Guam",
        "MP": "Pacific/Saipan",
        "PR": "America/Puerto_Rico",
        "VI": "America/St_Thomas",
    },
    "CA": {
        "AB": "America/Edmonton",
        "BC": "America/Vancouver",
        "MB": "America/Winnipeg",
        "NB": "America/Moncton",
        "NL": "America/St_Johns",
        "NS": "America/Halifax",
        "NT": "America/Edmonton",
        "NU": "America/Iqaluit",
        "ON": "America/Toronto",
        "PE": "America/Halifax",
        "QC": "America/Toronto",
        "SK": "America/Regina",
        "YT": "America/Whitehorse",
    },
    "AU": {
        "ACT": "Australia/Sydney",
        "NSW": "Australia/Sydney",
        "NT": "Australia/Darwin",
        "QLD": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "TAS": "Australia/Hobart",
        "VIC": "Australia/Melbourne",
        "WA": "Australia/Perth",
    },
    "BR": {
        "AC": "America/Rio_Branco",
        "AL": "America/Maceio",
        "AP": "America/Belem",
        "AM": "America/Manaus",
        "BA": "America/Bahia",
        "CE": "America/Fortaleza",
        "DF": "America/Sao_Paulo",
        "ES": "America/Sao_Paulo",
        "GO": "America/Sao_Paulo",
        "MA": "America/Fortaleza",
        "MT": "America/Cuiaba",
        "MS": "America/Campo_Grande",
        "MG": "America/Sao_Paulo",
        "PA": "America/Belem",
        "PB": "America/Fortaleza",
        "PR": "America/Sao_Paulo",
        "PE": "America/Recife",
        "PI": "America/Fortaleza",
        "RJ": "America/Sao_Paulo",
        "RN": "America/Fortaleza",
        "RS": "America/Sao_Paulo",
        "RO": "America/Porto_Velho",
        "RR": "America/Boa_Vista",
        "SC": "America/Sao_Paulo",
        "SP": "America/Sao_Paulo",
        "SE": "America/Maceio",
        "TO": "America/Araguaina",
    },
    "MX": {
        **dict.fromkeys(
            (
                "AGU",
                "CHP",
                "CMX",
                "COL",
                "DUR",
                "GRO",
                "GUA",
                "HID",
                "JAL",
                "MEX",
                "MIC",
                "MOR",
                "OAX",
                "PUE",
                "QUE",
                "SLP",
                "TAB",
                "TLA",
                "VER",
                "ZAC",
            ),
            "America/Mexico_City",
        ),
        **dict.fromkeys(("COA", "NLE", "TAM"), "America/Monterrey"),
        **dict.fromkeys(("CAM", "YUC"), "America/Merida"),
        **dict.fromkeys(("BCS", "NAY", "SIN"), "America/Mazatlan"),
        "BCN": "America/Tijuana",
        "CHH": "America/Chihuahua",
        "ROO": "America/Cancun",
        "SON": "America/Hermosillo",
    },
}

# Countries with several zones where one zone holds the overwhelming majority of people
# (the others are remote islands, exclaves or thinly populated regions): guessing it is
# better than falling back to the company's zone. Named explicitly rather than "the first
# listed", because the order of pytz.country_timezones is not a population ranking.
_MAIN_ZONES: dict[str, str] = {
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PT": "Europe/Lisbon",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}


def _zone_name(name: object) -> str | None:
    """The canonical IANA name for ``name``, or None if it is not a zone pytz knows."""
    if not name or not isinstance(name, str):
        return None
    return _known_zone(name)


@lru_cache(maxsize=1024)
def _known_zone(name: str) -> str | None:
    # Cached: every decision resolves its partner's zone, a forecast thousands of times.
    try:
        return pytz.timezone(name.strip()).zone
    except (pytz.UnknownTimeZoneError, ValueError, AttributeError, UnicodeError):
        return None


def _country_zone(country: str, state: str) -> tuple[str, str] | None:
    zones = pytz.country_timezones.get(country) or []
    if len(zones) == 1:
        return zones[0], "country"
    if not zones:
        return None
    if state:
        zone = _zone_name(_STATE_ZONES.get(country, {}).get(state))
        if zone:
            return zone, "state"
    zone = _zone_name(_MAIN_ZONES.get(country))
    if zone:
        return zone, "country"
    return None


def resolve_tz(
    partner_tz: str | None,
    country_code: str | None = None,
    state_code: str | None = None,
    company_tz: str | None = None,
) -> tuple[str, str]:
    """The time zone to apply to a partner, and where it came from.

    Returns ``(tz_name, source)`` with source ``partner`` (the partner's own valid zone),
    ``country`` (the country has a single zone, or one that holds nearly everybody),
    ``state`` (a country with several zones, decided by the state), ``company`` (the
    company's zone, for lack of anything closer) or ``default`` (UTC). The source lets the
    interface say "assumed from the country" instead of pretending to know. Invalid or empty
    names (Odoo's ``False`` included) are skipped, never raised.
    """
    try:
        return _resolve_tz_cached(partner_tz, country_code, state_code, company_tz)
    except TypeError:  # an unhashable argument: resolved without the cache
        return _resolve_tz(partner_tz, country_code, state_code, company_tz)


@lru_cache(maxsize=4096)
def _resolve_tz_cached(partner_tz, country_code, state_code, company_tz) -> tuple[str, str]:
    # Pure and called for every decision: thousands of partners share a few answers.
    return _resolve_tz(partner_tz, country_code, state_code, company_tz)


def _resolve_tz(partner_tz, country_code, state_code, company_tz) -> tuple[str, str]:
    zone = _zone_name(partner_tz)
    if zone:
        return zone, "partner"
    country = country_code.strip().upper() if isinstance(country_code, str) else ""
    state = state_code.strip().upper() if isinstance(state_code, str) else ""
    if country:
        found = _country_zone(country, state)
        if found:
            return found
    zone = _zone_name(company_tz)
    if zone:
        return zone, "company"
    return "UTC", "default"


@lru_cache(maxsize=1024)
def _tz(tz_name: str) -> pytz.BaseTzInfo:
    zone = _zone_name(tz_name)
    if zone is None:
        raise ValueError(f"unknown time zone {tz_name!r}; resolve it with resolve_tz() first")
    return pytz.timezone(zone)


# --------------------------------------------------------------------------- conversions


@lru_cache(maxsize=8192)
def to_local(moment: datetime, tz_name: str) -> datetime:
    """Naive local wall-clock time of a naive UTC ``moment`` in ``tz_name`` (cached:
    the decisions of a run share their moment and a few zones)."""
    tz = _tz(tz_name)
    return pytz.utc.localize(moment).astimezone(tz).replace(tzinfo=None)


@lru_cache(maxsize=8192)
def _occurrences(local: datetime, tz: pytz.BaseTzInfo) -> tuple[datetime, ...]:
    """All naive UTC instants whose local time is ``local``: none, one or two (autumn).

    Cached: the window starts of the next days are the same for every decision of a
    dispatch run, and for every run of a forecast."""
    found = set()
    for is_dst in (False, True):
        aware = tz.localize(local, is_dst=is_dst)
        utc = aware.astimezone(pytz.utc).replace(tzinfo=None)
        if pytz.utc.localize(utc).astimezone(tz).replace(tzinfo=None) == local:
            found.add(utc)
    return tuple(sorted(found))


def _gap_end(local: datetime, tz: pytz.BaseTzInfo) -> datetime:
    """First UTC instant whose local time is at or after a non-existent ``local`` time.

    Bisects between the two readings of ``local`` (with and without DST) over whole
    seconds: transitions always fall on whole seconds, and this needs no pytz internals.
    """
    readings = sorted(
        tz.localize(local, is_dst=flag).astimezone(pytz.utc).replace(tzinfo=None)
        for flag in (False, True)
    )
    low, high = readings[0], readings[1]
    span = int((high - low).total_seconds())
    seconds = range(span + 1)

    def reached(step: int) -> bool:
        utc = low + timedelta(seconds=step)
        return pytz.utc.localize(utc).astimezone(tz).replace(tzinfo=None) >= local

    index = bisect.bisect_left(seconds, True, key=reached)
    return low + timedelta(seconds=min(index, span))


def to_utc(local: datetime, tz_name: str) -> datetime:
    """Naive UTC instant of a naive local wall-clock time (see the module's DST policy)."""
    tz = _tz(tz_name)
    found = _occurrences(local, tz)
    return found[0] if found else _gap_end(local, tz)


# --------------------------------------------------------------------------- windows


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


def _effective_weekend(weekend: Iterable[int] | None) -> frozenset[int]:
    """The weekend, or none at all if it covers the whole week (so a slot always exists)."""
    days = frozenset(int(day) % 7 for day in (weekend or ()))
    return frozenset() if len(days) >= 7 else days


def _second_of_day(local: datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def _inside(local: datetime, intervals: Sequence[tuple[int, int]]) -> bool:
    second = _second_of_day(local)
    return any(a <= second < b for a, b in intervals)


def time_block_reason(
    now: datetime,
    tz_name: str,
    window_start: float,
    window_end: float,
    weekend: Iterable[int] = frozenset(),
    preferred_hours: tuple[float, float] | None = None,
    holidays: Iterable[date] = frozenset(),
) -> str | None:
    """Which local-time rule stops a contact at ``now``, or None if none does.

    Returns ``"weekend"``, ``"holiday"`` (a local date in ``holidays``, the public
    holidays of the company's working calendar), ``"preferred_hours"`` or
    ``"quiet_hours"``, checked in that order: the weekend is the broadest reason, and a
    person's own hours matter more than the company's window when explaining a wait.
    """
    return _time_block_reason(
        now,
        tz_name,
        window_start,
        window_end,
        frozenset(weekend or ()),
        tuple(preferred_hours) if preferred_hours else None,
        frozenset(holidays or ()),
    )


@lru_cache(maxsize=8192)
def _time_block_reason(
    now: datetime,
    tz_name: str,
    window_start: float,
    window_end: float,
    weekend: frozenset[int],
    preferred_hours: tuple[float, float] | None,
    holidays: frozenset[date],
) -> str | None:
    # Cached on its arguments (it is pure), as next_allowed_time.
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


def is_allowed_time(
    now: datetime,
    tz_name: str,
    window_start: float,
    window_end: float,
    weekend: Iterable[int] = frozenset(),
    preferred_hours: tuple[float, float] | None = None,
    holidays: Iterable[date] = frozenset(),
) -> bool:
    """True if no local-time rule stops a contact at ``now`` (see time_block_reason)."""
    reason = time_block_reason(
        now, tz_name, window_start, window_end, weekend, preferred_hours, holidays
    )
    return reason is None


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


def next_allowed_time(
    now: datetime,
    tz_name: str,
    window_start: float,
    window_end: float,
    weekend: Iterable[int] = frozenset(),
    preferred_hours: tuple[float, float] | None = None,
    holidays: Iterable[date] = frozenset(),
) -> datetime:
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
    return _next_allowed_time(
        now,
        tz_name,
        window_start,
        window_end,
        frozenset(weekend or ()),
        tuple(preferred_hours) if preferred_hours else None,
        frozenset(holidays or ()),
    )


@lru_cache(maxsize=8192)
def _next_allowed_time(
    now: datetime,
    tz_name: str,
    window_start: float,
    window_end: float,
    weekend: frozenset[int],
    preferred_hours: tuple[float, float] | None,
    holidays: frozenset[date],
) -> datetime:
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
