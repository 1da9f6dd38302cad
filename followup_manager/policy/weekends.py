"""Weekends: which days of the week a country rests, from CLDR through babel.

This module must not import odoo: it is unit-tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from babel import Locale, localedata
from babel.core import get_global, parse_locale

__all__ = ["WORLD", "weekend_days"]

#: CLDR's code for "the world": its week data is the default for unknown territories.
WORLD = "001"

_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Saturday and Sunday: what CLDR says for "001"; used only if babel has no data at all.
_WORLD_WEEKEND = frozenset({5, 6})


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


def _effective_weekend(weekend: Iterable[int] | None) -> frozenset[int]:
    """The weekend, or none at all if it covers the whole week (so a slot always exists)."""
    days = frozenset(int(day) % 7 for day in (weekend or ()))
    return frozenset() if len(days) >= 7 else days
