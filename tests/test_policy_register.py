"""The Italian opposition register rule (policy/register.py) inside decide()."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import followup_manager_policy as policy
from _facts import DEFAULTS, NOW, reachable, verdict
from followup_manager_policy import ConsentFacts, Request, decide
from followup_manager_policy.register import (
    RegisterAnswer,
    RegisterFacts,
    RegisterSettings,
    RegisterTarget,
    address_key,
    is_italian_number,
    summary,
)
from hypothesis import given
from hypothesis import strategies as st

NUMBER = "+390649910000"
ADDRESS = "VIA ROMA 1, 00184 ROMA RM"
TODAY = NOW.date()
ON = replace(DEFAULTS, register=RegisterSettings())


def answer(state, days_ago=1, since_days_ago=None):
    since = TODAY - timedelta(days=since_days_ago) if since_days_ago is not None else None
    return RegisterAnswer(state, TODAY - timedelta(days=days_ago), since)


def facts(phone=None, post=None, **register):
    """An Italian partner everybody may contact, with register answers."""
    return reachable(
        register=RegisterFacts(
            phone=RegisterTarget(NUMBER, phone),
            post=RegisterTarget(ADDRESS, post),
            **register,
        )
    )


def decision(partner, channel="phone", purpose="marketing", settings=ON, now=NOW):
    return decide(Request(1, channel, purpose), partner, settings, now)


def test_a_registered_number_suppresses_a_marketing_call():
    result = decision(facts(answer("registered", 3)))
    assert verdict(result) == ("suppress", "register")
    assert result.details["register_value"] == NUMBER
    assert result.details["register_date"] == (TODAY - timedelta(days=3)).isoformat()
    assert result.details["registered_since"] == (TODAY - timedelta(days=3)).isoformat()


def test_a_registered_address_suppresses_a_marketing_letter():
    result = decision(facts(post=answer("registered")), channel="post")
    assert verdict(result) == ("suppress", "register")
    assert result.details["register_kind"] == "post"
    assert result.details["register_value"] == ADDRESS


def test_a_clear_answer_lets_the_other_rules_decide():
    assert verdict(decision(facts(answer("clear")))) == ("allow", None)
    assert verdict(decision(facts(post=answer("clear")), channel="post")) == ("allow", None)


def test_no_answer_defers_until_a_check_then_within_the_window():
    result = decision(facts())
    assert verdict(result) == ("defer", "register")
    assert result.details["check"] == "missing"
    assert result.details["register_state"] == "unknown"
    # Retried a day later (Thursday 10:00 in Rome is inside the window).
    assert result.next_allowed == NOW + timedelta(days=1)


def test_a_stale_answer_defers_whatever_it_said():
    for state in ("clear", "registered"):
        result = decision(facts(answer(state, 31)))
        assert verdict(result) == ("defer", "register"), state
        assert result.details["check"] == "stale"
    # 30 days old is still fresh.
    assert verdict(decision(facts(answer("clear", 30)))) == ("allow", None)


def test_the_period_is_a_setting():
    weekly = replace(DEFAULTS, register=RegisterSettings(max_age_days=7))
    assert verdict(decision(facts(answer("clear", 8)), settings=weekly)) == ("defer", "register")
    assert verdict(decision(facts(answer("clear", 7)), settings=weekly)) == ("allow", None)


def test_a_consent_given_after_the_registration_counts():
    registered = answer("registered", 2, since_days_ago=20)
    after = facts(registered, consent_dates={"phone": NOW - timedelta(days=10)})
    assert verdict(decision(after)) == ("allow", None)
    before = facts(registered, consent_dates={"phone": NOW - timedelta(days=25)})
    assert verdict(decision(before)) == ("suppress", "register")
    # The day of the first registered answer is not "after" it.
    same_day = facts(registered, consent_dates={"phone": NOW - timedelta(days=20)})
    assert verdict(decision(same_day)) == ("suppress", "register")


def test_legitimate_interest_is_not_a_consent_given_after_the_registration():
    partner = facts(answer("registered", 2), consent_dates={"phone": NOW})
    partner = replace(partner, consents={"phone": ConsentFacts("granted", "legitimate_interest")})
    assert verdict(decision(partner)) == ("suppress", "register")


def test_a_recent_contract_exempts():
    recent = facts(answer("registered"), last_order=NOW - timedelta(days=29))
    assert verdict(decision(recent)) == ("allow", None)
    old = facts(answer("registered"), last_order=NOW - timedelta(days=31))
    assert verdict(decision(old)) == ("suppress", "register")
    running = facts(answer("registered"), contract_running=True)
    assert verdict(decision(running)) == ("allow", None)
    # Nothing to check for a customer under contract.
    assert verdict(decision(facts(last_order=NOW - timedelta(days=1)))) == ("allow", None)


def test_service_steps_and_other_channels_are_not_affected():
    partner = facts(answer("registered"), post=answer("registered"))
    for channel in ("phone", "post"):
        assert verdict(decision(partner, channel, "service")) == ("allow", None)
    for channel in ("email", "sms", "whatsapp"):
        assert verdict(decision(partner, channel)) == ("allow", None)


def test_a_non_italian_number_or_address_is_not_affected():
    # No Italian target: the facts side leaves it out.
    foreign = reachable(register=RegisterFacts(phone=None, post=None))
    assert verdict(decision(foreign)) == ("allow", None)
    assert verdict(decision(foreign, channel="post")) == ("allow", None)
    assert verdict(decision(reachable())) == ("allow", None)
    assert is_italian_number(NUMBER)
    assert is_italian_number("+393471234567")
    assert not is_italian_number("+41446681800")
    assert not is_italian_number("+390669812345")  # the Vatican's plan
    assert not is_italian_number(None)


def test_a_company_that_does_not_apply_it_is_not_affected():
    off = replace(DEFAULTS, register=RegisterSettings(enabled=False))
    assert verdict(decision(facts(answer("registered")), settings=off)) == ("allow", None)
    assert verdict(decision(facts(answer("registered")), settings=DEFAULTS)) == ("allow", None)


def test_stronger_refusals_come_first():
    withdrawn = replace(
        facts(answer("registered")), consents={"phone": ConsentFacts("withdrawn", "consent")}
    )
    assert verdict(decision(withdrawn)) == ("suppress", "withdrawn")
    no_number = replace(facts(answer("registered")), phone_valid=False)
    assert verdict(decision(no_number)) == ("suppress", "invalid_address")


def test_summary_of_a_partners_numbers():
    assert summary([]) == ("unknown", None)
    assert summary([None, answer("clear")]) == ("unknown", None)
    old, new = answer("clear", 10), answer("clear", 2)
    assert summary([old, new]) == ("clear", old.date)
    registered = answer("registered", 5)
    assert summary([new, registered, None]) == ("registered", registered.date)


def test_address_key_is_one_comparable_line():
    assert address_key(" Via  Roma 1", "", "00184", "Roma", "RM") == ADDRESS
    assert address_key("Via Roma 1", "scala B", "00184", "roma", None) == (
        "VIA ROMA 1 SCALA B, 00184 ROMA"
    )
    assert address_key("", None, "00184", "Roma", "RM") is None
    assert address_key("Via Roma 1", None, None, "", None) is None


states = st.sampled_from(["registered", "clear", None])
ages = st.integers(min_value=0, max_value=90)


@given(
    state=states,
    age=ages,
    channel=st.sampled_from(policy.CHANNELS),
    purpose=st.sampled_from(policy.PURPOSES),
    order_age=st.one_of(st.none(), st.integers(min_value=0, max_value=90)),
    consent_age=st.one_of(st.none(), st.integers(min_value=0, max_value=90)),
)
def test_the_register_only_ever_adds_refusals(
    state, age, channel, purpose, order_age, consent_age
):
    """With or without the register, the other rules say the same; the register turns an
    allowed marketing call or letter into its own refusal, and nothing else."""
    reply = answer(state, age) if state else None
    partner = facts(
        reply,
        post=reply,
        last_order=NOW - timedelta(days=order_age) if order_age is not None else None,
        consent_dates={channel: NOW - timedelta(days=consent_age)} if consent_age else {},
    )
    without = decision(partner, channel, purpose, settings=DEFAULTS)
    with_rule = decision(partner, channel, purpose)
    if with_rule.reason == "register":
        assert purpose == "marketing" and channel in ("phone", "post")
        assert without.allowed
        assert (with_rule.verdict == "suppress") == (state == "registered" and age <= 30)
        assert order_age is None or order_age >= 30
    else:
        assert verdict(with_rule) == verdict(without)


@given(age=ages, since=st.integers(min_value=0, max_value=90))
def test_a_registration_never_lets_an_earlier_consent_through(age, since):
    since = max(since, age)
    partner = facts(
        answer("registered", age, since_days_ago=since),
        consent_dates={
            "phone": datetime.combine(TODAY - timedelta(days=since), datetime.min.time())
        },
    )
    assert not decision(partner).allowed


def test_registered_since_defaults_to_the_answer():
    assert RegisterAnswer("registered", date(2025, 1, 1)).registered_since == date(2025, 1, 1)
    assert RegisterAnswer("clear", date(2025, 1, 1)).registered_since is None


def test_an_address_key_fits_the_database_indexes():
    key = address_key("Via " + "lunga " * 2000, "", "00184", "Roma", "RM")
    assert len(key) <= 500
    assert key.startswith("VIA LUNGA LUNGA")
