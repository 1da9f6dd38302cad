"""A step sent by the person's preferred channel: the preferred one when allowed, else the
first allowed of the step's order, else the step waits or is suppressed (policy.choice)."""

from datetime import datetime, timedelta

import pytest
from _facts import DEFAULTS, NOW, reachable, rome, verdict
from followup_manager_policy import (
    CHANNELS,
    ConsentFacts,
    Decision,
    Request,
    Settings,
    choose,
    plan,
)
from followup_manager_policy import choice as policy_choice
from followup_manager_policy.planner import DailyLimits
from hypothesis import given
from hypothesis import strategies as st

STEP = ("email", "sms", "phone")


def choosing(partner_id=1, channels=STEP, purpose="service", **values):
    """A request letting the person's preferred channel decide among ``channels``."""
    return Request(
        partner_id,
        channels[0],
        purpose,
        choices=tuple((channel, None) for channel in channels),
        **values,
    )


def planned(request, facts, moment=NOW, settings=DEFAULTS):
    [(used, decision)] = plan([request], {facts.partner_id: facts}, settings, moment)
    return used, decision


# ------------------------------------------------------------------ the rule, on the facts


def test_the_preferred_channel_is_used_when_it_is_allowed():
    used, decision = planned(choosing(), reachable(preferred_channel="sms"))
    assert (used.channel, verdict(decision)) == ("sms", ("allow", None))
    assert decision.details["choice"] == {
        "channel": "sms",
        "preferred": "sms",
        "why": "preferred",
        "refused": [],
    }


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (reachable(preferred_channel="sms", phone_blacklisted=True), "blacklisted"),
        (reachable(preferred_channel="sms", sms_valid=False), "invalid_address"),
        (
            reachable(
                preferred_channel="sms", consents={"sms": ConsentFacts("withdrawn", "consent")}
            ),
            "withdrawn",
        ),
        (reachable(preferred_channel="sms", refused_channels={"sms"}), "channel_refused"),
    ],
)
def test_a_refused_preferred_channel_falls_back_to_the_first_allowed_of_the_order(facts, reason):
    used, decision = planned(choosing(), facts)
    assert (used.channel, verdict(decision)) == ("email", ("allow", None))
    assert decision.details["choice"] == {
        "channel": "email",
        "preferred": "sms",
        "why": "fallback",
        "refused": [["sms", reason]],
    }


def test_the_fallback_follows_the_steps_order_past_other_refusals():
    facts = reachable(preferred_channel="sms", phone_blacklisted=True, email_valid=False)
    used, decision = planned(choosing(channels=("sms", "email", "phone")), facts)
    # SMS (the preferred) and e-mail refused; the call is on the same blacklisted number.
    assert verdict(decision) == ("suppress", "blacklisted")
    assert used.channel == "sms"
    assert decision.details["choice"]["refused"] == [
        ["sms", "blacklisted"],
        ["email", "invalid_address"],
        ["phone", "blacklisted"],
    ]
    facts = reachable(preferred_channel="sms", sms_valid=False, email_valid=False)
    used, decision = planned(choosing(channels=("sms", "email", "phone")), facts)
    assert (used.channel, decision.details["choice"]["refused"]) == (
        "phone",
        [["sms", "invalid_address"], ["email", "invalid_address"]],
    )


@pytest.mark.parametrize(
    ("preferred", "why"), [(None, "no_preference"), ("whatsapp", "not_offered")]
)
def test_without_a_preference_the_steps_order_decides(preferred, why):
    facts = reachable(preferred_channel=preferred, email_blacklisted=True)
    used, decision = planned(choosing(), facts)
    assert (used.channel, decision.details["choice"]["why"]) == ("sms", why)
    assert decision.details["choice"]["refused"] == [["email", "blacklisted"]]


def test_none_allowed_waits_when_waiting_helps_on_some_channel():
    # SMS refused for good; e-mail only waits for the morning: the step waits.
    facts = reachable(preferred_channel="sms", phone_blacklisted=True)
    used, decision = planned(choosing(), facts, moment=rome(21))
    assert (used.channel, verdict(decision)) == ("email", ("defer", "quiet_hours"))
    assert decision.next_allowed == rome(9, day=datetime(2025, 1, 16))
    assert decision.details["choice"]["why"] == "none_allowed"


def test_none_allowed_and_none_will_be_suppresses_with_the_preferred_channels_reason():
    facts = reachable(preferred_channel="sms", phone_blacklisted=True, refused_channels={"email"})
    used, decision = planned(choosing(), facts)
    assert (used.channel, verdict(decision)) == ("sms", ("suppress", "blacklisted"))
    facts = reachable(phone_blacklisted=True, refused_channels={"email"})
    used, decision = planned(choosing(), facts)
    assert (used.channel, verdict(decision)) == ("email", ("suppress", "channel_refused"))


def test_marketing_by_the_preferred_channel_needs_its_consent():
    consents = {"email": ConsentFacts("granted", "consent")}
    facts = reachable(preferred_channel="sms", consents=consents)
    used, decision = planned(choosing(purpose="marketing"), facts)
    assert (used.channel, verdict(decision)) == ("email", ("allow", None))
    assert decision.details["choice"]["refused"] == [["sms", "no_consent"]]


def test_only_the_channel_used_counts_for_the_cap():
    facts = reachable(preferred_channel="sms", phone_blacklisted=True)
    requests = [choosing(key="preferred"), Request(1, "email", "service", key="next")]
    results = plan(requests, {1: facts}, DEFAULTS, NOW)
    assert [(used.channel, verdict(decision)) for used, decision in results] == [
        ("email", ("allow", None)),
        ("email", ("defer", "cap")),
    ]
    assert results[1][1].details["contacts"] == 1


def test_an_urgent_choice_passes_the_cap_on_the_channel_it_takes():
    facts = reachable(preferred_channel="sms", recent_contacts=(NOW - timedelta(hours=1),))
    used, decision = planned(choosing(urgent=True), facts)
    assert (used.channel, decision.allowed, decision.details["bypassed"]) == ("sms", True, "cap")


def test_a_daily_limit_holds_the_channel_taken_and_keeps_the_choice():
    request = Request(
        1, "email", "service", choices=(("email", ("emails", 7)), ("phone", ("tasks", 7)))
    )
    limits = DailyLimits({("emails", 7): 1}, {("emails", 7): 1}, {("emails", 7): NOW})
    [(used, decision)] = plan(
        [request], {1: reachable(preferred_channel="email")}, DEFAULTS, NOW, limits
    )
    assert (used.channel, used.limit_key, verdict(decision)) == (
        "email",
        ("emails", 7),
        ("defer", "user_limit"),
    )
    assert decision.details["choice"]["why"] == "preferred"


def test_a_request_checks_its_choices():
    with pytest.raises(ValueError, match="not one of the choices"):
        Request(1, "post", choices=(("email", None), ("sms", None)))
    with pytest.raises(ValueError, match="not one of the choices"):
        choosing().on("post")
    with pytest.raises(ValueError, match="twice"):
        choose(("email", "email"), None, lambda channel: Decision("allow"))
    with pytest.raises(ValueError, match="unknown channel"):
        choose(("email", "none"), None, lambda channel: Decision("allow"))


# ------------------------------------------------------------------ properties

_WHEN = st.datetimes(min_value=NOW, max_value=NOW + timedelta(days=30))
_DECISIONS = st.one_of(
    st.just(Decision("allow")),
    st.builds(lambda when: Decision("defer", "cap", when), _WHEN),
    st.builds(lambda when: Decision("defer", "quiet_hours", when), _WHEN),
    st.sampled_from([Decision("suppress", reason) for reason in ("blacklisted", "withdrawn")]),
)


@st.composite
def _cases(draw):
    channels = tuple(
        draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=len(CHANNELS), unique=True))
    )
    preferred = draw(st.one_of(st.none(), st.sampled_from(CHANNELS)))
    decisions = {channel: draw(_DECISIONS) for channel in channels}
    return channels, preferred, decisions


@given(_cases())
def test_property_the_choice_follows_the_rule(case):
    channels, preferred, decisions = case
    asked = []

    def decide_on(channel):
        asked.append(channel)
        return decisions[channel]

    picked = choose(channels, preferred, decide_on)
    order = policy_choice.trial_order(channels, preferred)
    allowed = [channel for channel in order if decisions[channel].allowed]
    assert picked.channel in channels
    assert picked.decision is decisions[picked.channel]
    # Each channel is decided at most once, in the trial order, none after the one used.
    assert asked == list(order[: len(asked)])
    if allowed:
        assert picked.channel == allowed[0]
        assert asked[-1] == picked.channel
        assert (picked.why == "preferred") == (picked.channel == preferred)
        assert [channel for channel, _decision in picked.refused] == asked[:-1]
        return
    assert picked.why == "none_allowed"
    assert [channel for channel, _decision in picked.refused] == list(order)
    deferred = [channel for channel in order if decisions[channel].deferred]
    if deferred:
        earliest = min(decisions[channel].next_allowed for channel in deferred)
        first = next(c for c in deferred if decisions[c].next_allowed == earliest)
        assert picked.channel == first
    else:
        assert picked.channel == order[0]
        assert picked.decision.suppressed


@given(st.sampled_from(CHANNELS), st.one_of(st.none(), st.sampled_from(CHANNELS)), _WHEN)
def test_property_one_channel_decides_as_the_plain_request(channel, preferred, moment):
    facts = reachable(preferred_channel=preferred, email_valid=moment.hour % 2 == 0)
    plain = plan([Request(1, channel)], {1: facts}, DEFAULTS, moment)[0][1]
    chosen = plan([choosing(channels=(channel,))], {1: facts}, DEFAULTS, moment)[0][1]
    assert verdict(chosen) == verdict(plain)
    assert chosen.next_allowed == plain.next_allowed


@given(
    st.integers(min_value=1, max_value=6),
    st.one_of(st.none(), st.sampled_from(STEP)),
    st.sets(st.sampled_from(("email_blacklisted", "phone_blacklisted", "sms_valid"))),
)
def test_property_a_batch_of_choices_counts_one_contact_each(count, preferred, refusals):
    """However many channels each step tries, the cap (3 here) sees one contact per
    allowed step: exactly min(cap, steps that can go) are allowed."""
    facts = reachable(
        preferred_channel=preferred,
        email_blacklisted="email_blacklisted" in refusals,
        phone_blacklisted="phone_blacklisted" in refusals,
        sms_valid="sms_valid" not in refusals,
    )
    settings = Settings(cap_count=3)
    results = plan([choosing(key=i) for i in range(count)], {1: facts}, settings, NOW)
    can_go = planned(choosing(), facts, settings=settings)[1].allowed
    allowed = sum(decision.allowed for _used, decision in results)
    assert allowed == (min(count, 3) if can_go else 0)
