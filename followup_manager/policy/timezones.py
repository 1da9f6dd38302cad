"""Time zones: which zone a partner lives in, and the conversions between UTC and it.

Everything works on *naive UTC* datetimes (what Odoo stores) and converts to the
partner's local wall clock only to apply rules people express in local terms.

DST policy, applied everywhere a local wall-clock time is turned into an instant:

* a local time that does not exist (the hour skipped in spring) moves forward to the first
  instant that exists after it, i.e. the moment the clocks jump;
* a local time that happens twice (the hour repeated in autumn) means its first occurrence.

This module must not import odoo: it is unit-tested without a database.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta
from functools import lru_cache

import pytz

__all__ = ["resolve_tz", "to_local", "to_utc"]

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
