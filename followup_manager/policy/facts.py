"""The facts the rules read: a company's settings, a partner's consents and contact data.

Immutable, read once from the database by the Odoo side (``followup.facts``) and shared
between decisions; :mod:`decision` applies the rules to them. Nothing here imports odoo.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from . import register as policy_register
from .vocabulary import CHANNELS, CONSENT_STATES, LEGAL_BASES

__all__ = ["ConsentFacts", "PartnerFacts", "Settings"]

# Bases that cover marketing on any channel. "contract" covers only what the contract
# needs (service messages), never promotion.
_MARKETING_BASES = frozenset({"consent", "legitimate_interest"})
# The soft opt-in (ePrivacy art. 13(2)) exists for electronic mail to existing customers:
# e-mail and text messages only, and only while its conditions hold.
_SOFT_OPT_IN_CHANNELS = frozenset({"email", "sms"})


@dataclass(frozen=True)
class Settings:
    """A company's contact policy (res.company ``followup_*`` fields).

    ``cap_count`` contacts at most over any rolling ``cap_days`` days, across sequences and
    channels. ``cap_count == 0`` (or ``cap_days == 0``) means *no cap*: a company that
    blanks the field wants no limit, and "never contact anybody" is already expressible by
    not enrolling. The window is in the partner's local time, ``[window_start,
    window_end)``; start after end is an overnight window, start equal to end no window
    (see calendar.hours_to_intervals). ``business_days`` keeps contacts off the partner's
    country's weekend and off the company's public ``holidays`` (local dates).
    ``register``: the company's use of the Italian opt-out register, None when it does
    not apply it.
    """

    cap_count: int = 1
    cap_days: int = 7
    window_start: float = 9.0
    window_end: float = 19.0
    business_days: bool = True
    register: policy_register.RegisterSettings | None = None
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays or ()))
        if self.cap_count < 0 or self.cap_days < 0:
            raise ValueError("cap_count and cap_days cannot be negative")
        for hours in (self.window_start, self.window_end):
            if not 0 <= hours <= 24:
                raise ValueError(f"window hours must be within 0..24, got {hours}")

    @property
    def capped(self) -> bool:
        return self.cap_count > 0 and self.cap_days > 0


@dataclass(frozen=True)
class ConsentFacts:
    """The current consent of a partner on one channel (a followup.consent row).

    An empty ``legal_basis`` (Odoo's ``False``) on a granted row is read as ``consent``:
    the person said yes, and that is what the row records.
    """

    state: str
    legal_basis: str | None
    soft_opt_in_valid: bool = True

    def __post_init__(self) -> None:
        if self.state not in CONSENT_STATES:
            raise ValueError(f"unknown consent state {self.state!r}")
        basis = self.legal_basis or None
        if basis is not None and basis not in LEGAL_BASES:
            raise ValueError(f"unknown legal basis {self.legal_basis!r}")
        object.__setattr__(self, "legal_basis", basis)

    def covers_marketing(self, channel: str) -> bool:
        """True if this consent lets the company send promotion on ``channel``."""
        if self.state != "granted":
            return False
        basis = self.legal_basis or "consent"
        if basis in _MARKETING_BASES:
            return True
        return (
            basis == "soft_opt_in"
            and channel in _SOFT_OPT_IN_CHANNELS
            and (self.soft_opt_in_valid)
        )


def _consent(value: ConsentFacts | Mapping[str, Any] | tuple) -> ConsentFacts:
    if isinstance(value, ConsentFacts):
        return value
    if isinstance(value, Mapping):
        return ConsentFacts(**value)
    return ConsentFacts(*value)


@dataclass(frozen=True)
class PartnerFacts:
    """Everything the rules need to know about one partner, read once from the database.

    ``consents`` maps a channel to its :class:`ConsentFacts` (plain dicts or tuples are
    converted); it is stored read-only, so facts can be shared between decisions.
    ``recent_contacts`` are the UTC times of the contacts that count for the cap (all
    sequences, all channels); stored sorted. ``preferred_hours`` is ``(start, end)`` in
    local float hours, or None.

    ``register`` holds what the opposition register rule needs (None: no Italian number
    or address, or not read). ``preferred_channel`` is how the person prefers to be
    contacted (None: no preference); only a step that lets it decide reads it (see
    choice.py).
    ``email_bounced`` is a hard bounce of the current address (``email_bounce_date``
    naive UTC, ``email_bounce_info`` the server's words); ``email_retry_after`` (naive
    UTC) is when e-mail may be tried again after a soft bounce. ``away_until`` (naive
    UTC) is when the person is back according to an automatic reply, ``away_return`` the
    return date it stated (None when it stated none).

    ``tz`` should be the zone already resolved with :func:`resolve_tz` (state and company
    included); decide() re-resolves it from ``country_code`` alone only as a safety net
    against an invalid name. Facts are immutable but not hashable (``consents``).
    """

    partner_id: int
    tz: str = "UTC"
    country_code: str | None = None
    active: bool = True
    email_valid: bool = False
    email_blacklisted: bool = False
    phone_valid: bool = False
    phone_blacklisted: bool = False
    sms_valid: bool = False
    email_bounced: bool = False
    email_bounce_date: datetime | None = None
    email_bounce_info: str | None = None
    email_retry_after: datetime | None = None
    away_until: datetime | None = None
    away_return: date | None = None
    refused_channels: frozenset[str] = frozenset()
    preferred_hours: tuple[float, float] | None = None
    consents: Mapping[str, ConsentFacts] = field(default_factory=lambda: MappingProxyType({}))
    recent_contacts: tuple[datetime, ...] = ()
    register: policy_register.RegisterFacts | None = None
    preferred_channel: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        preferred = self.preferred_channel or None
        if preferred is not None and preferred not in CHANNELS:
            raise ValueError(f"unknown preferred channel {self.preferred_channel!r}")
        set_(self, "preferred_channel", preferred)
        set_(self, "refused_channels", frozenset(self.refused_channels or ()))
        set_(
            self,
            "consents",
            MappingProxyType(
                {channel: _consent(value) for channel, value in (self.consents or {}).items()}
            ),
        )
        set_(self, "recent_contacts", tuple(sorted(self.recent_contacts or ())))
        hours = self.preferred_hours
        set_(self, "preferred_hours", (float(hours[0]), float(hours[1])) if hours else None)

    def with_contacts(self, contacts: Iterable[datetime]) -> PartnerFacts:
        """A copy with more contacts counted for the cap (used by the planner)."""
        extra = tuple(contacts)
        if not extra:
            return self
        return replace(self, recent_contacts=self.recent_contacts + extra)
