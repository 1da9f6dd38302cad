"""The Italian opt-out register (Registro Pubblico delle Opposizioni, RPO).

Since July 2022 (law 5/2018, DPR 26/2022) anybody can enter any Italian phone number,
mobile included, and postal address in the register. A company that calls or writes for
marketing checks its lists against the register before each campaign and at least
monthly, and drops the registered ones: registration cancels the consents given before it,
except those given within a contract that is running or ended less than 30 days ago.

:func:`objection` is the whole rule; ``decision.decide`` applies it after the address check
and before the contact cap (see its order). It only concerns a **marketing** step on the
``phone`` or ``post`` channel to an Italian number (``+39``) or an address in Italy, and only
for a company that applies it (:class:`RegisterSettings`). In this order:

1. a contract that is running, or whose last confirmed order is less than
   ``contract_days`` old: no objection (registration does not cancel it);
2. no answer of the register for the number or address, or an answer older than
   ``max_age_days``: deferred, a check is needed (tried again ``retry_hours`` later; an
   import of the register's answer brings waiting steps forward);
3. the register says *registered*: suppressed, unless the person gave a consent (on the
   basis ``consent``, not the company's legitimate interest) after the registration. The
   register does not say when a number was entered: the registration is taken to be no
   later than the first answer that found it registered (``registered_since``), so a
   consent counts only when it is later than that day;
4. *clear*: no objection; the other rules go on.

Dates of answers are calendar dates (the register answers for a day); ``now`` and consent
times are naive UTC datetimes. Nothing here imports odoo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

import phonenumbers

from .vocabulary import REGISTER_STATES

__all__ = [
    "CHECK_MISSING",
    "CHECK_STALE",
    "CLEAR",
    "COUNTRY",
    "KINDS",
    "MAX_ADDRESS_LENGTH",
    "REGISTERED",
    "REGISTER_CHANNELS",
    "STATES",
    "UNKNOWN",
    "Objection",
    "RegisterAnswer",
    "RegisterFacts",
    "RegisterSettings",
    "RegisterTarget",
    "address_key",
    "is_italian_number",
    "normalize_key",
    "objection",
    "summary",
]

COUNTRY = "IT"
#: The channels the register covers: calls (by a person or automated) and paper mail.
REGISTER_CHANNELS = ("phone", "post")
#: What is checked: a phone number (E.164) or a postal address (see :func:`address_key`).
KINDS = ("phone", "post")
UNKNOWN, CLEAR, REGISTERED = REGISTER_STATES
#: The answers the register gives; ``unknown`` is the partner's state before any answer.
STATES = (CLEAR, REGISTERED)
# Why a check is needed (``details["check"]``).
CHECK_MISSING, CHECK_STALE = "missing", "stale"
_CONSENT_BASES = frozenset({None, "consent"})


@dataclass(frozen=True)
class RegisterSettings:
    """A company's use of the register. ``enabled`` False: the rule does not apply.

    ``max_age_days``: an answer older than that needs a new check (the law: monthly).
    ``contract_days``: a contract ended less than that ago still exempts (the law: 30).
    ``retry_hours``: how long a step waits for a check before it is tried again.
    """

    enabled: bool = True
    max_age_days: int = 30
    contract_days: int = 30
    retry_hours: int = 24

    def __post_init__(self) -> None:
        if self.max_age_days <= 0 or self.contract_days < 0 or self.retry_hours <= 0:
            raise ValueError("register periods must be positive")


@dataclass(frozen=True)
class RegisterAnswer:
    """The register's last answer for one number or address, and since when it says
    *registered* (the first answer of the current run of *registered* answers)."""

    state: str
    date: date
    registered_since: date | None = None

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown register state {self.state!r}")
        if self.state == REGISTERED and self.registered_since is None:
            object.__setattr__(self, "registered_since", self.date)


@dataclass(frozen=True)
class RegisterTarget:
    """A number or address a channel reaches: its value and the register's last answer."""

    value: str
    answer: RegisterAnswer | None = None


@dataclass(frozen=True)
class RegisterFacts:
    """What the rule needs about one partner.

    ``phone``: the Italian number a call dials, None when the number is not Italian (or
    there is none); ``post``: the address in Italy, None when not in Italy. ``consent_dates``
    maps a channel to when its current consent was given. ``last_order``: the last
    confirmed order (naive UTC); ``contract_running``: a subscription runs.
    """

    phone: RegisterTarget | None = None
    post: RegisterTarget | None = None
    consent_dates: Mapping[str, datetime] = field(default_factory=lambda: MappingProxyType({}))
    last_order: datetime | None = None
    contract_running: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "consent_dates", MappingProxyType(dict(self.consent_dates or {})))

    def target(self, channel: str) -> RegisterTarget | None:
        return self.phone if channel == "phone" else self.post if channel == "post" else None


@dataclass(frozen=True)
class Objection:
    """The register's objection to a step: ``suppress`` (registered) or, if False, a check
    is needed and the step waits until ``retry_from``. ``details`` feed the sentence."""

    suppress: bool
    details: Mapping[str, Any]
    retry_from: datetime | None = None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _has_contract(facts: RegisterFacts, settings: RegisterSettings, now: datetime) -> bool:
    if facts.contract_running:
        return True
    return facts.last_order is not None and facts.last_order > now - timedelta(
        days=settings.contract_days
    )


def objection(
    channel: str,
    purpose: str,
    facts: RegisterFacts | None,
    consent: Any,
    settings: RegisterSettings | None,
    now: datetime,
) -> Objection | None:
    """The register's objection to a step at ``now``, or None (see the module docstring).

    :param consent: the partner's current consent on ``channel`` (an object with
        ``state`` and ``legal_basis``, i.e. ``decision.ConsentFacts``) or None
    """
    if settings is None or not settings.enabled or facts is None:
        return None
    if purpose != "marketing" or channel not in REGISTER_CHANNELS:
        return None
    target = facts.target(channel)
    if target is None or _has_contract(facts, settings, now):
        return None
    answer = target.answer
    details: dict[str, Any] = {
        "register_kind": channel,
        "register_value": target.value,
        "register_state": answer.state if answer else UNKNOWN,
        "register_date": _iso(answer.date if answer else None),
        "register_max_age": settings.max_age_days,
    }
    if answer is None or answer.date < now.date() - timedelta(days=settings.max_age_days):
        details["check"] = CHECK_MISSING if answer is None else CHECK_STALE
        return Objection(False, details, now + timedelta(hours=settings.retry_hours))
    if answer.state == CLEAR:
        return None
    given = facts.consent_dates.get(channel)
    if (
        consent is not None
        and consent.state == "granted"
        and consent.legal_basis in _CONSENT_BASES
        and given is not None
        and given.date() > answer.registered_since
    ):
        return None
    details["registered_since"] = _iso(answer.registered_since)
    return Objection(True, details)


def summary(answers: list[RegisterAnswer | None]) -> tuple[str, date | None]:
    """A partner's state over the answers for its Italian numbers and address:
    ``registered`` if one is registered (dated by the oldest registered answer),
    ``clear`` if all are answered clear (dated by the oldest answer, the first to age),
    else ``unknown`` (no date)."""
    registered = [a.date for a in answers if a is not None and a.state == REGISTERED]
    if registered:
        return REGISTERED, min(registered)
    if answers and all(a is not None for a in answers):
        return CLEAR, min(a.date for a in answers)
    return UNKNOWN, None


def is_italian_number(e164: str | None) -> bool:
    """True for a valid E.164 number of the Italian plan (not the Vatican's ``+39 06 698``)."""
    if not e164:
        return False
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.region_code_for_number(parsed) == COUNTRY


#: The longest address the register is asked about, in characters. Addresses are
#: looked up in database indexes, which refuse values of more than about 2,700 bytes;
#: no postal address comes near this length.
MAX_ADDRESS_LENGTH = 500


def normalize_key(text: object) -> str:
    """An address written the way the register compares it: upper case, single spaces,
    no space before a comma."""
    words = " ".join(str(text or "").split()).upper()
    return words.replace(" ,", ",").strip(" ,")


def address_key(
    street: str | None,
    street2: str | None,
    zip_code: str | None,
    city: str | None,
    province: str | None,
) -> str | None:
    """One line for a postal address in Italy, e.g. ``VIA ROMA 1, 00184 ROMA RM``; None
    when the street or the city is missing (no letter can be sent). An address longer
    than :data:`MAX_ADDRESS_LENGTH` (typed by anyone, a customer on the portal too) is
    cut there: it still waits for the register's answer, and it fits the indexes."""
    if not (street or "").strip() or not (city or "").strip():
        return None
    parts = [
        " ".join(p for p in (street, street2) if p),
        " ".join(p for p in (zip_code, city, province) if p),
    ]
    return normalize_key(", ".join(parts))[:MAX_ADDRESS_LENGTH].rstrip(" ,")
