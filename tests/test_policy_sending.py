"""A queued message asks its person again when it leaves (refusal_at_sending): the
refusals that bind every purpose stop it, in decide()'s order; the rest let it go."""

import pytest
from followup_manager_policy.decision import refusal_at_sending


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
