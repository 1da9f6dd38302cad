"""A whole batch of due steps at once, so that steps compete fairly for each partner's cap.

Deciding requests one by one against the database would let two sequences that fall due
in the same cron run both contact a partner whose cap allows one. :func:`plan` decides the
batch in priority order and counts every contact it allows, so the second one sees the
cap. It is pure (no input is changed), which is what lets a forecast call it day after
day: plan the day, then :func:`record_contacts` to carry the allowed contacts forward.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from . import choice as policy_choice
from .decision import DEFER, SUPPRESS, Decision, Request, decide
from .facts import PartnerFacts, Settings
from .vocabulary import ERROR, INTERNAL, USER_LIMIT

__all__ = ["DailyLimits", "claim_order", "plan", "priority", "record_contacts"]

# Service messages (an invoice reminder, a delivery notice) go before promotion: when the
# cap allows one contact, it should be the one the customer needs.
_PURPOSE_RANK = {"service": 0, "marketing": 1}


def priority(request: Request, index: int, now: datetime) -> tuple[int, datetime, int]:
    """Sort key of a request in a batch: urgent first, then service, then the oldest due,
    then input order.

    A request without ``due`` counts as due ``now``. An urgent request goes first: it
    passes the cap anyway, and counting it first leaves the cap to it rather than to a
    routine message of the same moment.
    """
    rank = -1 if request.urgent else _PURPOSE_RANK.get(request.purpose, len(_PURPOSE_RANK))
    return (rank, request.due or now, index)


def claim_order(due: datetime, enrollment_id: int) -> tuple[datetime, int]:
    """Sort key of the enrollments a dispatch claims: the oldest due first, then the
    lowest id. The dispatch's claim query (``followup.dispatcher._followup_claim``,
    ``ORDER BY next_date, id``) is its SQL mirror, checked by a test; the forecast
    orders its simulated enrollments with this very function.
    """
    return (due, enrollment_id)


@dataclass(frozen=True)
class DailyLimits:
    """Daily limits of the people who carry steps out (a salesperson's tasks, a sender's
    e-mails), keyed by a request's ``limit_key``.

    ``limits``: key -> most a day (absent or 0: no limit); ``used``: key -> already done
    in the current day; ``next_day``: key -> when that person's next day starts (naive
    UTC), from which a step over the limit is tried again.
    """

    limits: Mapping[Hashable, int] = field(default_factory=dict)
    used: Mapping[Hashable, int] = field(default_factory=dict)
    next_day: Mapping[Hashable, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("limits", "used", "next_day"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name) or {})))


def _over_limit(
    request: Request,
    facts: PartnerFacts,
    settings: Settings,
    now: datetime,
    limits: DailyLimits,
    limit: int,
) -> Decision:
    """The deferral of an allowed request over its daily limit: the earliest moment of
    the next day that every rule allows (the rules decide it at that moment)."""
    start = max(limits.next_day.get(request.limit_key) or now, now)
    later = decide(request, facts, settings, start)
    when = start if later.allowed else (later.next_allowed or start)
    kind, user = (
        request.limit_key if isinstance(request.limit_key, tuple) else (None, request.limit_key)
    )
    return Decision(
        DEFER,
        USER_LIMIT,
        when,
        {**later.details, "limit": limit, "limit_kind": kind, "user_id": user},
    )


SettingsArg = Settings | Mapping[int, Settings] | Callable[[Request], Settings | None]


def _settings_for(settings: SettingsArg, request: Request) -> Settings | None:
    if isinstance(settings, Settings):
        return settings
    if callable(settings):
        return settings(request)
    return settings.get(request.partner_id)


def _error(request: Request, error: str) -> Decision:
    return Decision(
        SUPPRESS,
        ERROR,
        None,
        {"channel": request.channel, "purpose": request.purpose, "error": error},
    )


def _decide(
    request: Request, facts: PartnerFacts, settings: Settings, now: datetime
) -> tuple[Request, Decision]:
    """The decision on ``request``, and the request on the channel it takes: for a
    request with ``choices``, the channel :func:`policy.choice.choose` picks, every
    channel decided by :func:`decide` on the same facts."""
    if not request.choices:
        return request, decide(request, facts, settings, now)
    picked = policy_choice.choose(
        request.channels,
        facts.preferred_channel,
        lambda channel: decide(request.on(channel), facts, settings, now),
    )
    return request.on(picked.channel), picked.settled()


def plan(
    requests: Sequence[Request],
    facts_by_partner: Mapping[int, PartnerFacts],
    settings: SettingsArg,
    now: datetime,
    limits: DailyLimits | None = None,
) -> list[tuple[Request, Decision]]:
    """Decide a batch of requests at ``now``; results in the original order of ``requests``.

    Requests are decided in :func:`priority` order; every allowed request on a real channel
    (not ``none``) counts as a contact at ``now`` for the later requests of the same
    partner. A request with ``choices`` takes the channel :func:`policy.choice.choose`
    picks (the person's preferred one, else the first allowed of the step's order); its
    result pairs the request *on that channel* (its ``key`` unchanged) with the decision,
    whose ``details["choice"]`` says why, and only that channel counts as a contact.

    ``settings`` is one :class:`Settings` for everybody, a mapping partner id ->
    Settings when partners belong to companies with different policies, or a function
    request -> Settings when it depends on the request (a person followed up by two
    companies: each request under its own company's policy, one cap count for both).

    A partner missing from ``facts_by_partner`` (or from a settings mapping) gets a
    ``suppress`` decision with reason ``error`` and ``details["error"]`` set to
    ``missing_facts`` / ``missing_settings``, instead of failing the whole batch.

    ``limits`` (:class:`DailyLimits`): an allowed request whose ``limit_key`` already
    reached its daily limit is deferred (reason ``user_limit``) to the person's next day;
    in priority order, so exactly the excess waits, and it does not count as a contact.
    An urgent request is never held by a daily limit (it still uses one of its places).
    """
    used = dict(limits.used) if limits else {}
    requests = list(requests)
    order = sorted(range(len(requests)), key=lambda i: priority(requests[i], i, now))
    added: dict[int, list[datetime]] = {}
    results: list[tuple[Request, Decision] | None] = [None] * len(requests)
    for index in order:
        request = requests[index]
        facts = facts_by_partner.get(request.partner_id)
        partner_settings = _settings_for(settings, request)
        if facts is None:
            results[index] = (request, _error(request, "missing_facts"))
            continue
        if partner_settings is None:
            results[index] = (request, _error(request, "missing_settings"))
            continue
        facts = facts.with_contacts(added.get(request.partner_id, ()))
        request, decision = _decide(request, facts, partner_settings, now)
        limit = limits.limits.get(request.limit_key) if limits and request.limit_key else 0
        if decision.allowed and limit:
            # An urgent request goes through a full day (it still counts in it).
            if used.get(request.limit_key, 0) >= limit and not request.urgent:
                decision = _keep_choice(
                    _over_limit(request, facts, partner_settings, now, limits, limit), decision
                )
            else:
                used[request.limit_key] = used.get(request.limit_key, 0) + 1
        results[index] = (request, decision)
        if decision.allowed and request.channel != INTERNAL:
            added.setdefault(request.partner_id, []).append(now)
    return results


def _keep_choice(decision: Decision, chosen: Decision) -> Decision:
    """``decision`` with the channel choice of ``chosen`` (if any) in its details: a
    step held by a daily limit still says which channel it took and why."""
    if "choice" not in chosen.details:
        return decision
    return replace(decision, details={**decision.details, "choice": chosen.details["choice"]})


def record_contacts(
    facts_by_partner: Mapping[int, PartnerFacts],
    results: Iterable[tuple[Request, Decision]],
    now: datetime,
) -> dict[int, PartnerFacts]:
    """New facts where every contact allowed in ``results`` counts at ``now``.

    For a forecast: ``facts = record_contacts(facts, plan(reqs, facts, settings, t), t)``
    and go on with the next moment. The input mapping is left untouched.
    """
    added: dict[int, list[datetime]] = {}
    for request, decision in results:
        if decision.allowed and request.channel != INTERNAL:
            added.setdefault(request.partner_id, []).append(now)
    return {
        partner_id: facts.with_contacts(added.get(partner_id, ()))
        for partner_id, facts in facts_by_partner.items()
    }
