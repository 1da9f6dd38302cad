"""Urgent service requests (a complaint's follow-up): through the cap and the send window,
never through what the person or the data says."""

from datetime import datetime, timedelta

import pytest
from _facts import DEFAULTS, NOW, reachable, rome, verdict
from followup_manager_policy import (
    CHANNELS,
    ConsentFacts,
    Request,
    Settings,
    decide,
    plan,
)
from hypothesis import given
from hypothesis import strategies as st


def urgent(channel="email", partner_id=1):
    return Request(partner_id, channel, "service", urgent=True)


def routine(channel="email", partner_id=1):
    return Request(partner_id, channel, "service")


CAPPED = reachable(recent_contacts=(NOW - timedelta(hours=1),))
SATURDAY_NIGHT = datetime(2025, 1, 18, 2, 0)  # 03:00 in Rome


def test_an_urgent_request_passes_the_cap():
    assert verdict(decide(routine(), CAPPED, DEFAULTS, NOW)) == ("defer", "cap")
    decision = decide(urgent(), CAPPED, DEFAULTS, NOW)
    assert decision.allowed
    assert decision.details["urgent"] is True
    assert decision.details["bypassed"] == "cap"


@pytest.mark.parametrize(
    ("moment", "facts", "held_by"),
    [
        (rome(21), reachable(), "quiet_hours"),
        (SATURDAY_NIGHT + timedelta(hours=10), reachable(), "weekend"),
        (rome(10), reachable(preferred_hours=(14.0, 16.0)), "preferred_hours"),
    ],
)
def test_an_urgent_request_passes_the_send_window(moment, facts, held_by):
    assert verdict(decide(routine(), facts, DEFAULTS, moment)) == ("defer", held_by)
    decision = decide(urgent(), facts, DEFAULTS, moment)
    assert decision.allowed and decision.details["bypassed"] == held_by


def test_an_urgent_request_inside_every_limit_says_it_bypassed_nothing():
    decision = decide(urgent(), reachable(), DEFAULTS, NOW)
    assert decision.allowed and decision.details["urgent"] is True
    assert decision.details["bypassed"] is None


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (reachable(active=False), "stopped"),
        (reachable(refused_channels={"email"}), "channel_refused"),
        (reachable(email_blacklisted=True), "blacklisted"),
        (
            reachable(consents={"email": ConsentFacts("withdrawn", "consent")}),
            "withdrawn",
        ),
        (reachable(email_valid=False), "invalid_address"),
    ],
)
def test_an_urgent_request_never_passes_what_the_person_or_the_data_says(facts, reason):
    # Capped and at night too: the refusal, not the limit, is what the log says.
    facts = facts.with_contacts([NOW - timedelta(hours=1)])
    assert verdict(decide(urgent(), facts, DEFAULTS, SATURDAY_NIGHT)) == ("suppress", reason)


def test_only_a_service_request_can_be_urgent():
    with pytest.raises(ValueError, match="service"):
        Request(1, "email", "marketing", urgent=True)


def test_an_urgent_contact_counts_in_the_cap_afterwards():
    requests = [routine(), urgent()]
    results = plan(requests, {1: reachable()}, DEFAULTS, NOW)
    # The urgent one goes first and uses the cap; the routine one waits.
    assert results[1][1].allowed
    assert verdict(results[0][1]) == ("defer", "cap")


@given(
    channel=st.sampled_from(CHANNELS),
    contacts=st.integers(min_value=0, max_value=5),
    hours=st.integers(min_value=0, max_value=24 * 7),
    cap=st.integers(min_value=0, max_value=3),
)
def test_urgent_never_turns_a_suppression_into_an_allow_nor_holds_back(
    channel, contacts, hours, cap
):
    facts = reachable(recent_contacts=tuple(NOW - timedelta(hours=i + 1) for i in range(contacts)))
    settings = Settings(cap_count=cap)
    moment = NOW + timedelta(hours=hours)
    normal = decide(Request(1, channel, "service"), facts, settings, moment)
    fast = decide(Request(1, channel, "service", urgent=True), facts, settings, moment)
    if normal.suppressed:
        assert verdict(fast) == verdict(normal)
    else:
        assert fast.allowed
