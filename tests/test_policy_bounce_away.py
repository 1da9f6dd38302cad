"""Bounces and absences in the rules: a hard bounce makes e-mail unusable, a soft bounce
and an automatic reply make follow-ups wait."""

from datetime import date, datetime, timedelta

from _facts import DEFAULTS, NOW, reachable, verdict
from followup_manager_policy import Request, Settings, decide
from hypothesis import given
from hypothesis import strategies as st


def service(channel="email"):
    return Request(1, channel, "service")


def test_hard_bounce_suppresses_email_with_the_date_and_the_servers_words():
    bounced = datetime(2025, 1, 10, 8, 30)
    facts = reachable(
        email_bounced=True, email_bounce_date=bounced, email_bounce_info="5.1.1 user unknown"
    )
    decision = decide(service(), facts, DEFAULTS, NOW)
    assert verdict(decision) == ("suppress", "invalid_address")
    assert decision.details["bounced"] is True
    assert decision.details["bounce_date"] == "2025-01-10 08:30:00"
    assert decision.details["bounce_info"] == "5.1.1 user unknown"
    # Other channels still reach the person.
    assert decide(service("sms"), facts, DEFAULTS, NOW).allowed


def test_a_refusal_is_said_before_the_bounce():
    facts = reachable(email_bounced=True, refused_channels={"email"})
    assert verdict(decide(service(), facts, DEFAULTS, NOW)) == ("suppress", "channel_refused")


def test_soft_bounce_defers_email_until_the_retry():
    retry = NOW + timedelta(hours=20)
    facts = reachable(email_retry_after=retry, email_bounce_info="4.2.2 mailbox full")
    decision = decide(service(), facts, DEFAULTS, NOW)
    assert verdict(decision) == ("defer", "soft_bounce")
    assert decision.next_allowed >= retry
    assert decision.details["bounce_info"] == "4.2.2 mailbox full"
    assert decide(service("sms"), facts, DEFAULTS, NOW).allowed


def test_soft_bounce_in_the_past_holds_nothing():
    facts = reachable(email_retry_after=NOW - timedelta(minutes=1))
    assert decide(service(), facts, DEFAULTS, NOW).allowed


def test_away_defers_every_contact_channel_until_back_within_the_window():
    # Back on Thursday 16 January 2025, 00:00 in Rome (23:00 UTC the day before).
    until = datetime(2025, 1, 15, 23, 0)
    facts = reachable(away_until=until, away_return=date(2025, 1, 15))
    for channel in ("email", "sms", "phone"):
        decision = decide(service(channel), facts, DEFAULTS, NOW)
        assert verdict(decision) == ("defer", "away"), channel
        # 9:00 in Rome, the opening of the send window that day.
        assert decision.next_allowed == datetime(2025, 1, 16, 8, 0)
        assert decision.details["away_return"] == "2025-01-15"
        assert decision.details["away_until"] == "2025-01-16 00:00"
    assert decide(Request(1, "none"), facts, DEFAULTS, NOW).allowed


def test_away_wins_over_a_soft_bounce():
    facts = reachable(
        away_until=NOW + timedelta(days=2), email_retry_after=NOW + timedelta(days=1)
    )
    assert verdict(decide(service(), facts, DEFAULTS, NOW)) == ("defer", "away")


def test_away_ends_when_the_cap_allows_too():
    contacted = NOW - timedelta(days=1)
    facts = reachable(away_until=NOW + timedelta(days=1), recent_contacts=(contacted,))
    decision = decide(service(), facts, Settings(cap_count=1, cap_days=7), NOW)
    assert verdict(decision) == ("defer", "away")
    assert decision.next_allowed >= contacted + timedelta(days=7)


@given(hours=st.integers(min_value=1, max_value=24 * 60))
def test_nothing_is_allowed_while_away(hours):
    facts = reachable(away_until=NOW + timedelta(hours=hours))
    decision = decide(service(), facts, DEFAULTS, NOW)
    assert decision.deferred
    assert decision.next_allowed >= facts.away_until
