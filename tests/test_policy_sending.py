"""A queued message asks its person again when it leaves (refusal_at_sending): the
refusals that bind every purpose stop it, in decide()'s order; the rest let it go. An
unreachable mail server sends it back to the queue for a day; one whose sending was
interrupted is never sent again (interrupted_at_sending)."""

from datetime import datetime, timedelta

import pytest
from followup_manager_policy.sending import (
    interrupted_at_sending,
    refusal_at_sending,
    retry_after_failure,
)


@pytest.mark.parametrize(
    ("refused", "blacklisted", "consent", "expected"),
    [
        (False, False, "granted", None),
        (False, False, "pending", None),
        (False, False, None, None),
        (False, False, "withdrawn", "withdrawn"),
        (False, True, "granted", "blacklisted"),
        (True, True, "withdrawn", "channel_refused"),
        (False, True, "withdrawn", "blacklisted"),
    ],
)
def test_refusals_since_the_decision_stop_the_message(refused, blacklisted, consent, expected):
    assert refusal_at_sending(refused, blacklisted, consent) == expected


START = datetime(2026, 12, 1, 10, 0)


@pytest.mark.parametrize(
    ("failure_type", "queued_ago", "expected"),
    [
        ("mail_smtp", timedelta(0), START + timedelta(minutes=5)),
        ("mail_smtp", timedelta(hours=23, minutes=59), START + timedelta(minutes=5)),
        ("mail_smtp", timedelta(hours=24), None),
        ("unknown", timedelta(0), None),
        ("mail_email_invalid", timedelta(0), None),
        (None, timedelta(0), None),
    ],
)
def test_only_an_unreachable_mail_server_sends_an_email_back_to_the_queue(
    failure_type, queued_ago, expected
):
    assert retry_after_failure(failure_type, START - queued_ago, START) == expected


@pytest.mark.parametrize(
    ("sending_started", "mail_state", "expected"),
    [
        # The worker died after the mail server had it, before the queue committed it.
        (START, "outgoing", True),
        (None, "outgoing", False),
        # Its sending finished, whatever the outcome: the queue does not send it anyway.
        (START, "sent", False),
        (START, "exception", False),
        (START, "cancel", False),
        (None, "exception", False),
    ],
)
def test_an_email_whose_sending_started_and_is_still_queued_is_not_sent_again(
    sending_started, mail_state, expected
):
    assert interrupted_at_sending(sending_started, mail_state) is expected
