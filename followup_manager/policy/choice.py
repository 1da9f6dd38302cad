"""Which channel a step takes when the person's preference decides.

A step can offer several channels in an order of fallback (an e-mail template, an SMS
template, a call for the salesperson) and leave the choice to the person's preferred
channel. :func:`choose` picks, in this order:

1. the person's **preferred** channel, when the step offers it and the rules allow it now;
2. else the **first channel of the step's order** that the rules allow now;
3. else no channel is allowed now. If waiting helps on some channel (a deferral), the step
   waits: the deferral whose next try comes first (on a tie, the first in the order of 1
   and 2), so that a preferred SMS refused for good does not stop a step that can go by
   e-mail tomorrow morning. Otherwise every channel is suppressed, and so is the step, with
   the reason of the preferred channel (of the step's first channel when the step does not
   offer the preferred one): what the person said about their own channel comes first.

Every channel is decided by the caller's ``decide_on(channel)``: the planner passes
:func:`policy.decision.decide` on the same facts, settings and moment, so each channel
meets every rule (consent, opt-outs, address, cap, hours, urgency) exactly as a step fixed
on that channel would. Channels are decided lazily, in the order of 1 and 2, and none after
the first allowed one. One choice is one decision: only the channel used counts as a
contact (the planner counts it once).

The choice says why (:attr:`Choice.why`) and which channels were refused on the way
(:attr:`Choice.refused`); :meth:`Choice.settled` puts that into the decision's details,
as plain values, for the log's sentence. Pure: no ORM import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .decision import Decision
from .vocabulary import CHANNELS

__all__ = [
    "FALLBACK",
    "NONE_ALLOWED",
    "NOT_OFFERED",
    "NO_PREFERENCE",
    "PREFERRED",
    "WHYS",
    "Choice",
    "choose",
    "trial_order",
]

#: The person's preferred channel, allowed now.
PREFERRED = "preferred"
#: The step offers the preferred channel, but the rules do not allow it now: the first
#: allowed channel of the step's order.
FALLBACK = "fallback"
#: The person prefers a channel the step does not offer: the first allowed of its order.
NOT_OFFERED = "not_offered"
#: The person has no preferred channel: the first allowed channel of the step's order.
NO_PREFERENCE = "no_preference"
#: No channel of the step is allowed now: the step waits or is suppressed (rule 3).
NONE_ALLOWED = "none_allowed"
WHYS = (PREFERRED, FALLBACK, NOT_OFFERED, NO_PREFERENCE, NONE_ALLOWED)


@dataclass(frozen=True)
class Choice:
    """The channel a step takes, its decision, and why.

    ``channel`` is the channel used; when none is allowed (``why == NONE_ALLOWED``), the
    channel whose decision stands (rule 3). ``preferred`` is the person's preferred
    channel (None: no preference). ``refused`` holds the channels decided and not
    allowed, as ``(channel, decision)`` in the order they were tried; when none is
    allowed, every channel of the step.
    """

    channel: str
    decision: Decision
    why: str
    preferred: str | None = None
    refused: tuple[tuple[str, Decision], ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    def details(self) -> dict[str, Any]:
        """The choice as plain values (what a sentence needs, what JSON can store):
        ``{"channel", "preferred", "why", "refused": [[channel, reason], ...]}``."""
        return {
            "channel": self.channel,
            "preferred": self.preferred,
            "why": self.why,
            "refused": [[channel, decision.reason] for channel, decision in self.refused],
        }

    def settled(self) -> Decision:
        """The step's decision: the channel's own, with the choice in
        ``details["choice"]``."""
        return replace(self.decision, details={**self.decision.details, "choice": self.details()})


def trial_order(channels: Iterable[str], preferred: str | None) -> tuple[str, ...]:
    """The order the channels are tried in: the preferred one first when the step offers
    it, then the step's order."""
    channels = tuple(channels)
    if preferred in channels:
        return (preferred, *(channel for channel in channels if channel != preferred))
    return channels


def _check_channels(channels: tuple[str, ...]) -> None:
    if not channels:
        raise ValueError("a choice needs at least one channel")
    if len(set(channels)) != len(channels):
        raise ValueError(f"a channel is offered twice in {channels!r}")
    unknown = [channel for channel in channels if channel not in CHANNELS]
    if unknown:
        raise ValueError(f"unknown channel(s) {unknown!r}: only contact channels are chosen")


def _standing(tried: list[tuple[str, Decision]]) -> tuple[str, Decision]:
    """Rule 3: the earliest deferral (first tried on a tie), else the first tried."""
    deferred = [
        (decision.next_allowed or datetime.max, index)
        for index, (_channel, decision) in enumerate(tried)
        if decision.deferred
    ]
    if deferred:
        return tried[min(deferred)[1]]
    return tried[0]


def choose(
    channels: Iterable[str],
    preferred: str | None,
    decide_on: Callable[[str], Decision],
) -> Choice:
    """Choose the channel of a step offering ``channels`` (in its order of fallback) to a
    person who prefers ``preferred`` (None: no preference); ``decide_on(channel)`` is the
    policy's decision on that channel now. See the module docstring for the rule."""
    channels = tuple(channels)
    _check_channels(channels)
    preferred = preferred or None
    tried: list[tuple[str, Decision]] = []
    for channel in trial_order(channels, preferred):
        decision = decide_on(channel)
        if decision.allowed:
            if channel == preferred:
                why = PREFERRED
            elif preferred in channels:
                why = FALLBACK
            else:
                why = NOT_OFFERED if preferred else NO_PREFERENCE
            return Choice(channel, decision, why, preferred, tuple(tried))
        tried.append((channel, decision))
    channel, decision = _standing(tried)
    return Choice(channel, decision, NONE_ALLOWED, preferred, tuple(tried))
