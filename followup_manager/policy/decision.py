"""The rules: may this partner be contacted on this channel now, and if not, why and when?

One function, :func:`decide`, applies the rules in a fixed order and returns a
:class:`Decision`: ``allow``, ``defer`` (a time rule or the contact cap; ``next_allowed``
says when every rule allows it) or ``suppress`` (the person or the data says no; waiting
will not help). The order matters and is part of the contract:

1. channel ``none`` (an internal task, nobody is contacted): always allowed, never capped;
2. partner archived: ``stopped``;
3. the person refused the channel: ``channel_refused`` (binds whatever consent says);
4. the address is blacklisted: ``blacklisted``;
5. consent: a withdrawn consent binds every purpose (``withdrawn``); marketing needs a
   granted consent on a basis that covers it (``no_consent``); service needs none;
6. the address is unusable: ``invalid_address`` (for e-mail also when it bounced hard:
   ``details["bounced"]`` says so, with the date and the server's words);
7. the Italian opt-out register, for marketing calls and letters (see register.py):
   ``register``, suppressed (registered) or deferred (a check is needed);
   the person is away (an automatic reply said so, every contact channel): ``away``;
   the last e-mail bounced with a transient failure: ``soft_bounce`` (deferred);
8. the contact cap over a rolling window: ``cap`` (deferred);
9. the partner's local time: ``weekend``, ``holiday`` (the company's public holidays),
   ``preferred_hours``, ``quiet_hours`` (deferred).

An *urgent* request (a crisis follow-up: a complaint, a service sequence only) passes
rules 8 and 9 (and a salesperson's daily limit, see planner.py), never 1 to 7 (a
register check is the law; an away person or a full mailbox would not read it): it is
allowed with ``details["urgent"]`` set and ``details["bypassed"]`` naming the limit it
went through (None if none held it). It still counts as a contact for the cap afterwards,
as any allowed request.

Refusals come before the address check so that the log says the strongest reason: "she
withdrew her consent" is what a person needs to read, not "her number is wrong".

No sentences here: ``details`` carries the parameters, the Odoo side writes (and
translates) the sentence. Nothing here imports odoo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from . import register as policy_register
from .calendar import (
    format_hours,
    next_allowed_time,
    resolve_tz,
    time_block_reason,
    to_local,
    weekend_days,
)

# The facts the rules read live in facts.py.
from .facts import PartnerFacts, Settings
from .vocabulary import (
    AWAY,
    BLACKLISTED,
    CAP,
    CHANNEL_REFUSED,
    CHANNELS,
    HOLIDAY,
    INTERNAL,
    INVALID_ADDRESS,
    NO_CONSENT,
    PHONE_CHANNELS,
    PREFERRED_HOURS,
    PURPOSES,
    QUIET_HOURS,
    REASONS,
    REGISTER,
    SOFT_BOUNCE,
    STOPPED,
    WEEKEND,
    WITHDRAWN,
)

ALLOW = "allow"
DEFER = "defer"
SUPPRESS = "suppress"
VERDICTS = (ALLOW, DEFER, SUPPRESS)

# Which blacklist applies to a channel (post has none): a blacklisted number stops every
# channel that reaches it.
_BLACKLIST_FIELD = {
    "email": "email_blacklisted",
    **dict.fromkeys(PHONE_CHANNELS, "phone_blacklisted"),
}
# Which usable address a channel needs (post is always addressable: the address on the
# partner is what the letter is printed with, checked by people).
_ADDRESS_FIELD = {
    "email": "email_valid",
    "sms": "sms_valid",
    "whatsapp": "sms_valid",
    "phone": "phone_valid",
}
_LOCAL_FORMAT = "%Y-%m-%d %H:%M"
_UTC_FORMAT = "%Y-%m-%d %H:%M:%S"
#: What an urgent request goes through (rules 8 and 9): the cap and the local time.
_URGENT_PASSES = frozenset({CAP, WEEKEND, HOLIDAY, PREFERRED_HOURS, QUIET_HOURS})


@dataclass(frozen=True)
class Request:
    """One step that wants to contact one partner; ``key`` is the caller's, untouched.

    ``urgent`` (service only) lets the request through the cap and the send window.

    ``choices``: a step that lets the person's preferred channel decide (see choice.py)
    offers its channels in its order of fallback, each with the limit key it would count
    against, as ``((channel, limit_key), ...)``; ``channel`` is then one of them, and the
    planner replaces the request by the one on the channel chosen (:meth:`on`).
    """

    partner_id: int
    channel: str
    purpose: str = "service"
    due: datetime | None = None
    key: Any = None
    urgent: bool = False
    #: What the request counts against in a daily limit (e.g. ("tasks", user id)), or
    #: None; see ``planner.DailyLimits``.
    limit_key: Any = None
    choices: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS and self.channel != INTERNAL:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {self.purpose!r}")
        if self.urgent and self.purpose != "service":
            raise ValueError("only a service request can be urgent")
        choices = tuple((channel, limit_key) for channel, limit_key in self.choices or ())
        object.__setattr__(self, "choices", choices)
        if choices and self.channel not in self.channels:
            raise ValueError(f"channel {self.channel!r} is not one of the choices {choices!r}")

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels offered, in the step's order (just ``channel`` without choices)."""
        return tuple(channel for channel, _limit in self.choices) or (self.channel,)

    def on(self, channel: str) -> Request:
        """The request on one of its ``choices``: that channel and its limit key."""
        if not self.choices and channel == self.channel:
            return self
        limits = dict(self.choices)
        if channel not in limits:
            raise ValueError(f"channel {channel!r} is not one of the choices {self.choices!r}")
        return replace(self, channel=channel, limit_key=limits[channel], choices=())


@dataclass(frozen=True)
class Decision:
    """The answer: ``verdict`` (allow, defer, suppress), a reason code, and when.

    ``next_allowed`` (naive UTC) is set for a deferral: the earliest moment every rule
    allows, assuming nothing else changes. ``details`` holds what a sentence needs
    (numbers, zone, local times as ``YYYY-MM-DD HH:MM`` strings) and only RPC-safe values.
    """

    verdict: str
    reason: str | None = None
    next_allowed: datetime | None = None
    details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")
        if self.reason is not None and self.reason not in REASONS:
            raise ValueError(f"unknown reason {self.reason!r}")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details or {})))

    @property
    def allowed(self) -> bool:
        return self.verdict == ALLOW

    @property
    def deferred(self) -> bool:
        return self.verdict == DEFER

    @property
    def suppressed(self) -> bool:
        return self.verdict == SUPPRESS

    def to_check_result(self, partner_id: int) -> dict[str, Any]:
        """The dict ``res.partner.followup_check`` returns (see the contract)."""
        return {
            "partner_id": partner_id,
            "allowed": self.allowed,
            "reason": self.reason or False,
            "next_allowed": (
                self.next_allowed.strftime(_UTC_FORMAT) if self.next_allowed else False
            ),
        }


def _suppress(reason: str, details: Mapping[str, Any]) -> Decision:
    return Decision(SUPPRESS, reason, None, details)


def _consent_refusal(request: Request, facts: PartnerFacts) -> Decision | None:
    consent = facts.consents.get(request.channel)
    details = {
        "channel": request.channel,
        "purpose": request.purpose,
        "consent_state": consent.state if consent else None,
        "legal_basis": consent.legal_basis if consent else None,
    }
    if consent is not None and consent.state == "withdrawn":
        return _suppress(WITHDRAWN, details)
    if request.purpose == "marketing" and not (
        consent and consent.covers_marketing(request.channel)
    ):
        if consent is not None and consent.legal_basis == "soft_opt_in":
            details["soft_opt_in_valid"] = consent.soft_opt_in_valid
        return _suppress(NO_CONSENT, details)
    return None


def whole_second(moment: datetime) -> datetime:
    """``moment`` without its fraction of a second: the precision of every decision.

    Odoo's clock for decisions (``fields.Datetime.now()``) has whole seconds, while the
    database stamps a contact (``create_date``) with microseconds. Compared as they are, a
    contact made earlier in the same second as ``now`` would lie "in the future" and
    escape the cap; compared by their whole seconds, it counts.
    """
    return moment.replace(microsecond=0)


def _counted_contacts(facts: PartnerFacts, settings: Settings, now: datetime) -> list[datetime]:
    """Contacts inside the rolling window ``(now - cap_days, now]``, at whole seconds.

    Each contact counts as made at its whole second (see :func:`whole_second`), so one made
    a moment ago, in the second of ``now``, counts; contacts after ``now``'s second (clock
    skew, a forecast's future) are not counted yet. Returned at whole seconds, so the
    moment the cap frees up is a whole second too.
    """
    now = whole_second(now)
    start = now - timedelta(days=settings.cap_days)
    moments = (whole_second(moment) for moment in facts.recent_contacts)
    return [moment for moment in moments if start < moment <= now]


def decide(request: Request, facts: PartnerFacts, settings: Settings, now: datetime) -> Decision:
    """Apply the rules (see the module docstring for their order) to one request at ``now``.

    ``now`` and every datetime are naive UTC. The partner's zone is ``facts.tz`` if it is a
    valid name, else derived from ``facts.country_code`` (see resolve_tz), else UTC; the
    weekend comes from ``facts.country_code``.
    """
    if request.partner_id != facts.partner_id:
        raise ValueError(
            f"facts of partner {facts.partner_id} given for a request of {request.partner_id}"
        )
    channel = request.channel
    base = {"channel": channel, "purpose": request.purpose}
    if channel == INTERNAL:
        return Decision(ALLOW, None, None, base)
    if not facts.active:
        return _suppress(STOPPED, base)
    if channel in facts.refused_channels:
        return _suppress(CHANNEL_REFUSED, base)
    blacklist = _BLACKLIST_FIELD.get(channel)
    if blacklist and getattr(facts, blacklist):
        return _suppress(BLACKLISTED, base)
    refusal = _consent_refusal(request, facts)
    if refusal is not None:
        return refusal
    address = _ADDRESS_FIELD.get(channel)
    if address and not getattr(facts, address):
        return _suppress(INVALID_ADDRESS, {**base, "address": address.removesuffix("_valid")})
    if channel == "email" and facts.email_bounced:
        return _suppress(INVALID_ADDRESS, _bounce_details(base, facts))
    register = policy_register.objection(
        channel,
        request.purpose,
        facts.register,
        facts.consents.get(channel),
        settings.register,
        now,
    )
    if register is not None and register.suppress:
        return _suppress(REGISTER, {**base, **register.details})
    limited = _limits(channel, facts, settings, now, base, register)
    if request.urgent and (limited.verdict == ALLOW or limited.reason in _URGENT_PASSES):
        bypassed = limited.reason if limited.deferred else None
        return Decision(
            ALLOW, None, None, {**limited.details, "urgent": True, "bypassed": bypassed}
        )
    return limited


class _LocalRules(NamedTuple):
    """The partner's local-time rules, in the order the calendar's functions take them
    after the moment (``next_allowed_time(moment, *rules)``)."""

    tz_name: str
    window_start: float
    window_end: float
    weekend: frozenset[int]
    preferred_hours: tuple[float, float] | None
    holidays: frozenset[date]


def _limits(
    channel: str,
    facts: PartnerFacts,
    settings: Settings,
    now: datetime,
    base: dict[str, Any],
    register: policy_register.Objection | None,
) -> Decision:
    """Rules 7 to 9 (a register check, away or a soft bounce; the cap; the partner's
    local time) for a request that every other rule allows: ``allow`` or ``defer``."""
    tz_name, tz_source = resolve_tz(facts.tz, facts.country_code)
    rules = _LocalRules(
        tz_name,
        settings.window_start,
        settings.window_end,
        weekend_days(facts.country_code) if settings.business_days else frozenset(),
        facts.preferred_hours,
        settings.holidays if settings.business_days else frozenset(),
    )
    base = {**base, "tz": tz_name, "tz_source": tz_source, "now_local": _local_str(now, tz_name)}
    if register is not None:
        # A check of the register is needed: wait for it, then the time rules apply.
        when = next_allowed_time(register.retry_from, *rules)
        details = {**base, **register.details, "local_time": _local_str(when, tz_name)}
        return Decision(DEFER, REGISTER, when, details)
    held = _hold(channel, facts, now)
    full = _full_cap(facts, settings, now)
    if held is not None:
        return _held(held, full, facts, base, rules)
    if full is not None:
        return _capped(full, settings, base, rules)
    return _local_time(now, facts, settings, base, rules)


def _held(
    held: tuple[str, datetime],
    full: tuple[list[datetime], datetime] | None,
    facts: PartnerFacts,
    base: dict[str, Any],
    rules: _LocalRules,
) -> Decision:
    """Deferred while the person asked us to wait (away, a soft bounce)."""
    reason, until = held
    # When the hold ends the cap must allow too: the later of both, then the hours.
    when = next_allowed_time(max(until, full[1] if full else until), *rules)
    details = {**base, "local_time": _local_str(when, rules.tz_name)}
    if reason == AWAY:
        details.update(
            away_until=_local_str(facts.away_until, rules.tz_name),
            away_return=facts.away_return.isoformat() if facts.away_return else None,
        )
    else:
        details.update(_bounce_details({}, facts))
    return Decision(DEFER, reason, when, details)


def _capped(
    full: tuple[list[datetime], datetime],
    settings: Settings,
    base: dict[str, Any],
    rules: _LocalRules,
) -> Decision:
    """Deferred by the contact cap until it frees up, then the time rules still apply."""
    counted, free = full
    when = next_allowed_time(free, *rules)
    return Decision(
        DEFER,
        CAP,
        when,
        {
            **base,
            "count": settings.cap_count,
            "days": settings.cap_days,
            "contacts": len(counted),
            "last_contact": counted[-1].strftime(_UTC_FORMAT),
            "freed_at": free.strftime(_UTC_FORMAT),
            "local_time": _local_str(when, rules.tz_name),
        },
    )


def _local_time(
    now: datetime,
    facts: PartnerFacts,
    settings: Settings,
    base: dict[str, Any],
    rules: _LocalRules,
) -> Decision:
    """Rule 9, the partner's local time: allowed, or deferred to the next allowed moment."""
    blocked = time_block_reason(now, *rules)
    if blocked is None:
        return Decision(ALLOW, None, None, base)
    when = next_allowed_time(now, *rules)
    details = {**base, "local_time": _local_str(when, rules.tz_name)}
    if blocked == WEEKEND:
        details.update(
            weekend=sorted(rules.weekend),
            weekday=to_local(now, rules.tz_name).weekday(),
            country=facts.country_code or None,
        )
    elif blocked == HOLIDAY:
        details.update(holiday=to_local(now, rules.tz_name).date().isoformat())
    elif blocked == PREFERRED_HOURS:
        start, end = facts.preferred_hours
        details.update(preferred_start=format_hours(start), preferred_end=format_hours(end))
    else:
        details.update(
            window_start=format_hours(settings.window_start),
            window_end=format_hours(settings.window_end),
        )
    return Decision(DEFER, blocked, when, details)


def _bounce_details(base: Mapping[str, Any], facts: PartnerFacts) -> dict[str, Any]:
    return {
        **base,
        "address": "email",
        "bounced": True,
        "bounce_date": (
            facts.email_bounce_date.strftime(_UTC_FORMAT) if facts.email_bounce_date else None
        ),
        "bounce_info": facts.email_bounce_info or None,
    }


def _hold(channel: str, facts: PartnerFacts, now: datetime) -> tuple[str, datetime] | None:
    """(reason, until) when the person asked us to wait: away (every contact channel)
    before a soft bounce (e-mail only); None when nothing holds at ``now``."""
    if facts.away_until and facts.away_until > now:
        return AWAY, facts.away_until
    if channel == "email" and facts.email_retry_after and facts.email_retry_after > now:
        return SOFT_BOUNCE, facts.email_retry_after
    return None


def _full_cap(
    facts: PartnerFacts, settings: Settings, now: datetime
) -> tuple[list[datetime], datetime] | None:
    """(the contacts counted, when the cap allows one more) if it is full at ``now``,
    else None. The request fits once enough counted contacts have left the window: the
    (n - cap + 1)-th oldest leaves at its time + cap_days (the window is open on the
    left)."""
    if not settings.capped:
        return None
    counted = _counted_contacts(facts, settings, now)
    if len(counted) < settings.cap_count:
        return None
    return counted, counted[len(counted) - settings.cap_count] + timedelta(days=settings.cap_days)


def check(
    channel: str,
    facts: PartnerFacts,
    settings: Settings,
    now: datetime,
    purpose: str = "marketing",
) -> Decision:
    """May this partner be contacted on ``channel`` now? (``res.partner.followup_check``)

    The same rules as :func:`decide`. ``purpose`` defaults to marketing, the strictest:
    a "yes" then holds for any message.
    """
    return decide(Request(facts.partner_id, channel, purpose), facts, settings, now)


@lru_cache(maxsize=8192)
def _local_str(moment: datetime, tz_name: str) -> str:
    return to_local(moment, tz_name).strftime(_LOCAL_FORMAT)
