"""The rules of decide()/check(): every reason, and which one wins."""

from datetime import datetime, timedelta
from types import MappingProxyType

import pytest
from _facts import DEFAULTS, NOW, ROME, reachable, rome, verdict
from followup_manager_policy import (
    CHANNELS,
    INTERNAL,
    ConsentFacts,
    Decision,
    PartnerFacts,
    Request,
    Settings,
    check,
    decide,
    to_utc,
    whole_second,
)
from hypothesis import given
from hypothesis import strategies as st


def marketing(channel="email", partner_id=1):
    return Request(partner_id, channel, "marketing")


def service(channel="email", partner_id=1):
    return Request(partner_id, channel, "service")


# ----------------------------------------------------------------- each rule


def test_reachable_partner_is_allowed_on_every_channel():
    for channel in CHANNELS:
        assert decide(marketing(channel), reachable(), DEFAULTS, NOW).allowed, channel


def test_internal_task_is_allowed_even_for_an_archived_blacklisted_partner_at_night():
    facts = reachable(
        active=False, email_blacklisted=True, recent_contacts=(NOW - timedelta(hours=1),)
    )
    night = datetime(2025, 1, 18, 2, 0)  # a Saturday, 03:00 in Rome
    decision = decide(Request(1, INTERNAL), facts, DEFAULTS, night)
    assert decision.allowed and decision.reason is None


def test_archived_partner_is_stopped():
    assert verdict(decide(service(), reachable(active=False), DEFAULTS, NOW)) == (
        "suppress",
        "stopped",
    )


def test_refused_channel_is_suppressed():
    facts = reachable(refused_channels={"sms"})
    assert verdict(decide(service("sms"), facts, DEFAULTS, NOW)) == ("suppress", "channel_refused")
    assert decide(service("email"), facts, DEFAULTS, NOW).allowed


@pytest.mark.parametrize(
    ("channel", "flag"),
    [
        ("email", "email_blacklisted"),
        ("sms", "phone_blacklisted"),
        ("phone", "phone_blacklisted"),
        ("whatsapp", "phone_blacklisted"),
    ],
)
def test_blacklisted_address_is_suppressed(channel, flag):
    decision = decide(service(channel), reachable(**{flag: True}), DEFAULTS, NOW)
    assert verdict(decision) == ("suppress", "blacklisted")


def test_post_has_no_blacklist():
    facts = reachable(email_blacklisted=True, phone_blacklisted=True)
    assert decide(service("post"), facts, DEFAULTS, NOW).allowed


def test_withdrawn_consent_stops_even_service_messages():
    facts = reachable(consents={"email": ConsentFacts("withdrawn", "consent")})
    for request in (marketing(), service()):
        assert verdict(decide(request, facts, DEFAULTS, NOW)) == ("suppress", "withdrawn")


def test_marketing_without_any_consent_row_is_suppressed():
    decision = decide(marketing(), reachable(consents={}), DEFAULTS, NOW)
    assert verdict(decision) == ("suppress", "no_consent")
    assert decision.details["consent_state"] is None


def test_marketing_with_pending_consent_is_suppressed():
    facts = reachable(consents={"email": ConsentFacts("pending", "consent")})
    assert verdict(decide(marketing(), facts, DEFAULTS, NOW)) == ("suppress", "no_consent")


def test_service_needs_no_consent_row():
    assert decide(service(), reachable(consents={}), DEFAULTS, NOW).allowed


def test_a_contract_does_not_cover_marketing():
    facts = reachable(consents={"email": ConsentFacts("granted", "contract")})
    assert verdict(decide(marketing(), facts, DEFAULTS, NOW)) == ("suppress", "no_consent")
    assert decide(service(), facts, DEFAULTS, NOW).allowed


def test_legitimate_interest_covers_marketing():
    facts = reachable(consents={"post": ConsentFacts("granted", "legitimate_interest")})
    assert decide(marketing("post"), facts, DEFAULTS, NOW).allowed


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_soft_opt_in_covers_email_and_sms_marketing_while_valid(channel):
    valid = reachable(consents={channel: ConsentFacts("granted", "soft_opt_in")})
    expired = reachable(consents={channel: ConsentFacts("granted", "soft_opt_in", False)})
    assert decide(marketing(channel), valid, DEFAULTS, NOW).allowed
    decision = decide(marketing(channel), expired, DEFAULTS, NOW)
    assert verdict(decision) == ("suppress", "no_consent")
    assert decision.details["soft_opt_in_valid"] is False


@pytest.mark.parametrize("channel", ["phone", "whatsapp", "post"])
def test_soft_opt_in_does_not_exist_for_calls_chats_or_letters(channel):
    facts = reachable(consents={channel: ConsentFacts("granted", "soft_opt_in")})
    assert verdict(decide(marketing(channel), facts, DEFAULTS, NOW)) == ("suppress", "no_consent")


@pytest.mark.parametrize(
    ("channel", "flag", "address"),
    [
        ("email", "email_valid", "email"),
        ("sms", "sms_valid", "sms"),
        ("whatsapp", "sms_valid", "sms"),
        ("phone", "phone_valid", "phone"),
    ],
)
def test_unusable_address_is_suppressed(channel, flag, address):
    decision = decide(service(channel), reachable(**{flag: False}), DEFAULTS, NOW)
    assert verdict(decision) == ("suppress", "invalid_address")
    assert decision.details["address"] == address


def test_post_is_always_addressable():
    facts = reachable(email_valid=False, phone_valid=False, sms_valid=False)
    assert decide(service("post"), facts, DEFAULTS, NOW).allowed


# ----------------------------------------------------------------- rule order


def test_refusal_binds_whatever_consent_says():
    facts = reachable(refused_channels={"email"})
    assert decide(marketing(), facts, DEFAULTS, NOW).reason == "channel_refused"


def test_archived_beats_refused():
    facts = reachable(active=False, refused_channels={"email"})
    assert decide(marketing(), facts, DEFAULTS, NOW).reason == "stopped"


def test_blacklist_beats_consent():
    facts = reachable(email_blacklisted=True, consents={})
    assert decide(marketing(), facts, DEFAULTS, NOW).reason == "blacklisted"


def test_withdrawal_is_reported_before_a_bad_address():
    facts = reachable(email_valid=False, consents={"email": ConsentFacts("withdrawn", None)})
    assert decide(service(), facts, DEFAULTS, NOW).reason == "withdrawn"


def test_bad_address_is_reported_before_the_cap():
    facts = reachable(email_valid=False, recent_contacts=(NOW - timedelta(days=1),))
    assert decide(service(), facts, DEFAULTS, NOW).reason == "invalid_address"


def test_cap_is_reported_before_quiet_hours():
    night = to_utc(datetime(2025, 1, 15, 22, 0), ROME)
    facts = reachable(recent_contacts=(night - timedelta(days=1),))
    assert decide(service(), facts, DEFAULTS, night).reason == "cap"


# ----------------------------------------------------------------- cap


def test_one_contact_in_the_last_week_defers_until_it_leaves_the_window():
    last = NOW - timedelta(days=2)
    decision = decide(service(), reachable(recent_contacts=(last,)), DEFAULTS, NOW)
    assert verdict(decision) == ("defer", "cap")
    assert decision.next_allowed == last + timedelta(days=7)
    assert decision.details["count"] == 1 and decision.details["days"] == 7
    assert decision.details["tz"] == ROME
    assert decision.details["local_time"] == "2025-01-20 10:00"


def test_contact_exactly_cap_days_ago_no_longer_counts():
    facts = reachable(recent_contacts=(NOW - timedelta(days=7),))
    assert decide(service(), facts, DEFAULTS, NOW).allowed


def test_contact_one_second_inside_the_window_still_counts():
    facts = reachable(recent_contacts=(NOW - timedelta(days=7) + timedelta(seconds=1),))
    decision = decide(service(), facts, DEFAULTS, NOW)
    assert decision.reason == "cap"
    assert decision.next_allowed == NOW + timedelta(seconds=1)


def test_cap_release_after_friday_closing_time_waits_for_monday_morning():
    friday_evening_contact = to_utc(datetime(2025, 1, 10, 18, 30), ROME)
    now = to_utc(datetime(2025, 1, 15, 10, 0), ROME)
    decision = decide(
        service(), reachable(recent_contacts=(friday_evening_contact,)), DEFAULTS, now
    )
    # Released Friday 17 at 18:30 local, still inside the window.
    assert decision.next_allowed == to_utc(datetime(2025, 1, 17, 18, 30), ROME)
    contact = to_utc(datetime(2025, 1, 10, 18, 45), ROME)
    late = decide(
        service(),
        reachable(recent_contacts=(contact, contact - timedelta(days=9))),
        Settings(window_end=18.5),
        now,
    )
    assert late.next_allowed == to_utc(datetime(2025, 1, 20, 9, 0), ROME)


def test_a_larger_cap_waits_for_enough_contacts_to_leave():
    contacts = tuple(NOW - timedelta(days=d) for d in (6, 5, 1))
    decision = decide(service(), reachable(recent_contacts=contacts), Settings(cap_count=2), NOW)
    # Three counted, two allowed: two must leave, the second oldest leaves in two days.
    assert decision.next_allowed == NOW - timedelta(days=5) + timedelta(days=7)


def test_cap_count_zero_means_no_cap():
    contacts = tuple(NOW - timedelta(hours=h) for h in range(1, 20))
    facts = reachable(recent_contacts=contacts)
    assert decide(service(), facts, Settings(cap_count=0), NOW).allowed
    assert decide(service(), facts, Settings(cap_days=0), NOW).allowed


def test_contacts_in_the_future_are_not_counted_yet():
    facts = reachable(recent_contacts=(NOW + timedelta(hours=1),))
    assert decide(service(), facts, DEFAULTS, NOW).allowed


def test_a_contact_later_in_the_second_of_now_counts():
    """The dispatch's clock has whole seconds, the contact's stamp microseconds."""
    facts = reachable(recent_contacts=(NOW + timedelta(microseconds=999_999),))
    decision = decide(service(), facts, DEFAULTS, NOW)
    assert verdict(decision) == ("defer", "cap")
    assert decision.next_allowed == NOW + timedelta(days=7)


def test_a_contact_in_the_next_second_is_not_counted_yet():
    facts = reachable(recent_contacts=(NOW + timedelta(seconds=1),))
    assert decide(service(), facts, DEFAULTS, NOW).allowed


@given(
    moment=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)),
    ago=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=7, seconds=-1)),
    truncated=st.booleans(),
)
def test_any_contact_not_after_now_counts_whatever_its_fraction_of_a_second(
    moment, ago, truncated
):
    """A contact made at ``moment - ago`` (any microseconds) counts for the cap of a
    decision taken at ``moment``, whether the caller's clock keeps the microseconds or
    drops them as Odoo's ``fields.Datetime.now()`` does; and the cap frees up at a whole
    second after that decision."""
    now = whole_second(moment) if truncated else moment
    facts = reachable(recent_contacts=(moment - ago,))
    decision = decide(service(), facts, DEFAULTS, now)
    assert verdict(decision) == ("defer", "cap")
    assert decision.details["contacts"] == 1
    assert decision.next_allowed > now
    assert decision.next_allowed.microsecond == 0


# ----------------------------------------------------------------- time rules


@pytest.mark.parametrize(
    ("hour", "minute", "reason"),
    [(8, 59, "quiet_hours"), (9, 0, None), (18, 59, None), (19, 0, "quiet_hours")],
)
def test_quiet_hours_edges_for_a_partner_in_rome(hour, minute, reason):
    decision = decide(service(), reachable(), DEFAULTS, rome(hour, minute))
    assert decision.reason == reason
    if reason:
        assert decision.details["window_start"] == "09:00"
        assert decision.details["window_end"] == "19:00"


def test_partner_zone_comes_from_the_country_when_unset():
    at_8_in_rome = rome(8, 0)
    assert decide(service(), reachable(tz=False), DEFAULTS, at_8_in_rome).reason == ("quiet_hours")
    decision = decide(service(), reachable(tz=False), DEFAULTS, rome(10, 0))
    assert decision.details["tz_source"] == "country"


def test_saturday_is_deferred_to_monday_in_italy():
    saturday = rome(11, 0, datetime(2025, 1, 18))
    decision = decide(service(), reachable(), DEFAULTS, saturday)
    assert verdict(decision) == ("defer", "weekend")
    assert decision.next_allowed == rome(9, 0, datetime(2025, 1, 20))
    assert decision.details["weekend"] == [5, 6]


def test_business_days_off_allows_saturday():
    saturday = rome(11, 0, datetime(2025, 1, 18))
    assert decide(service(), reachable(), Settings(business_days=False), saturday).allowed


def test_friday_is_weekend_in_saudi_arabia():
    riyadh = "Asia/Riyadh"
    friday = to_utc(datetime(2025, 1, 17, 11, 0), riyadh)
    facts = reachable(tz=riyadh, country_code="SA")
    decision = decide(service(), facts, DEFAULTS, friday)
    assert decision.reason == "weekend"
    assert decision.next_allowed == to_utc(datetime(2025, 1, 19, 9, 0), riyadh)


def test_outside_preferred_hours_is_deferred_to_them():
    facts = reachable(preferred_hours=(15.0, 17.0))
    decision = decide(service(), facts, DEFAULTS, rome(10, 0))
    assert verdict(decision) == ("defer", "preferred_hours")
    assert decision.next_allowed == rome(15, 0)
    assert decision.details["preferred_start"] == "15:00"


def test_evening_preferred_hours_outside_the_window_are_respected():
    facts = reachable(preferred_hours=(20.0, 21.0))
    assert decide(service(), facts, DEFAULTS, rome(20, 30)).allowed


def test_deferred_decision_over_dst_gives_the_summer_time_instant():
    saturday_evening = datetime(2025, 3, 29, 19, 0)
    decision = decide(service(), reachable(), DEFAULTS, saturday_evening)
    assert decision.reason == "weekend"
    assert decision.next_allowed == datetime(2025, 3, 31, 7, 0)  # Monday 09:00 CEST


# ----------------------------------------------------------------- check() and the result


def test_check_answers_with_the_contract_dict():
    facts = reachable(recent_contacts=(NOW - timedelta(days=2),))
    assert check("email", facts, DEFAULTS, NOW).to_check_result(1) == {
        "partner_id": 1,
        "allowed": False,
        "reason": "cap",
        "next_allowed": "2025-01-20 09:00:00",
    }
    assert check("email", reachable(), DEFAULTS, NOW).to_check_result(1) == {
        "partner_id": 1,
        "allowed": True,
        "reason": False,
        "next_allowed": False,
    }


def test_check_is_strict_about_marketing_by_default():
    facts = reachable(consents={})
    assert check("email", facts, DEFAULTS, NOW).reason == "no_consent"
    assert check("email", facts, DEFAULTS, NOW, purpose="service").allowed


def test_details_and_facts_are_read_only():
    decision = decide(service(), reachable(), DEFAULTS, NOW)
    assert isinstance(decision.details, MappingProxyType)
    with pytest.raises(TypeError):
        reachable().consents["email"] = ConsentFacts("withdrawn", None)


def test_consents_can_be_given_as_plain_dicts():
    facts = PartnerFacts(1, consents={"email": {"state": "granted", "legal_basis": False}})
    assert facts.consents["email"] == ConsentFacts("granted", None)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Request(1, "fax"),
        lambda: Request(1, "email", "spam"),
        lambda: ConsentFacts("maybe", "consent"),
        lambda: ConsentFacts("granted", "whim"),
        lambda: Settings(cap_count=-1),
        lambda: Settings(window_end=25),
        lambda: Decision("perhaps"),
    ],
)
def test_unknown_values_are_refused_early(build):
    with pytest.raises(ValueError):
        build()


def test_facts_of_another_partner_are_a_programming_error():
    with pytest.raises(ValueError):
        decide(service(partner_id=2), reachable(partner_id=1), DEFAULTS, NOW)


# ----------------------------------------------------------------- properties

consent_facts = st.builds(
    ConsentFacts,
    st.sampled_from(["pending", "granted", "withdrawn"]),
    st.sampled_from(["consent", "soft_opt_in", "contract", "legitimate_interest", None]),
    st.booleans(),
)
contact_offsets = st.lists(st.integers(min_value=0, max_value=14 * 24 * 60), max_size=4)


@st.composite
def partner_facts(draw):
    now = draw(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)))
    facts = PartnerFacts(
        partner_id=1,
        tz=draw(st.sampled_from([ROME, "America/New_York", "Asia/Riyadh", "Bad/Zone", ""])),
        country_code=draw(st.sampled_from(["IT", "US", "SA", "IN", None])),
        active=draw(st.booleans()),
        email_valid=draw(st.booleans()),
        email_blacklisted=draw(st.booleans()),
        phone_valid=draw(st.booleans()),
        phone_blacklisted=draw(st.booleans()),
        sms_valid=draw(st.booleans()),
        refused_channels=draw(st.frozensets(st.sampled_from(CHANNELS), max_size=2)),
        preferred_hours=draw(st.sampled_from([None, (8.0, 12.0), (20.0, 22.0)])),
        consents=draw(st.dictionaries(st.sampled_from(CHANNELS), consent_facts, max_size=5)),
        recent_contacts=tuple(now - timedelta(minutes=m) for m in draw(contact_offsets)),
    )
    settings = Settings(
        cap_count=draw(st.integers(min_value=0, max_value=3)),
        cap_days=draw(st.integers(min_value=0, max_value=10)),
        window_start=draw(st.sampled_from([0.0, 8.0, 9.0])),
        window_end=draw(st.sampled_from([17.5, 19.0, 24.0])),
        business_days=draw(st.booleans()),
    )
    return facts, settings, now


@given(case=partner_facts(), channel=st.sampled_from(CHANNELS))
def test_a_yes_of_check_holds_for_service_too_and_only_consent_tells_them_apart(case, channel):
    """check() answers for marketing, the strictest purpose: what it allows, a service
    message may do; what it refuses for any reason but the missing consent, a service
    message is refused too, for the same reason and until the same moment."""
    facts, settings, now = case
    strict = check(channel, facts, settings, now)
    assert strict.details["purpose"] == "marketing"
    served = decide(Request(1, channel, "service"), facts, settings, now)
    if strict.allowed:
        assert served.allowed
    elif strict.reason != "no_consent":
        assert (served.verdict, served.reason, served.next_allowed) == (
            strict.verdict,
            strict.reason,
            strict.next_allowed,
        )


@given(case=partner_facts(), channel=st.sampled_from(CHANNELS))
def test_a_deferred_request_is_allowed_at_its_next_allowed_moment(case, channel):
    facts, settings, now = case
    decision = decide(Request(1, channel), facts, settings, now)
    if decision.verdict == "defer":
        assert decision.next_allowed > now
        assert decide(Request(1, channel), facts, settings, decision.next_allowed).allowed
    else:
        assert decision.next_allowed is None
