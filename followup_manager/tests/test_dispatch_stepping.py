import json
from datetime import datetime

from odoo.tests import tagged

from ..models.followup_outcome import StepOutcome
from ..policy import planner, stepping
from ..policy.vocabulary import SUPPRESSED
from .common import FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestDispatchStepping(FollowupDispatchCase):
    """One rule, written once: the claim query mirrors the planner's claim order, and the
    log's sentences are composed from plain values."""

    def test_the_claim_query_is_the_mirror_of_the_claim_order(self):
        sequence = self._sequence("Visit", [self._call_step("Call")])
        partners = self.env["res.partner"].union(
            *(self._create_customer(f"Claim {index}", f"claim{index}") for index in range(6))
        )
        enrollments = self._enroll(sequence, partners).sorted("id")
        # Ids and due dates in different orders, with ties that the id breaks.
        dates = [
            datetime(2026, 11, 30, 9, 0),
            datetime(2026, 11, 29, 9, 0),
            datetime(2026, 11, 30, 9, 0),
            datetime(2026, 11, 28, 12, 0),
            datetime(2026, 11, 29, 9, 0),
            datetime(2026, 12, 1, 9, 0),  # not due yet
        ]
        for enrollment, due in zip(enrollments, dates, strict=True):
            enrollment.next_date = due
        now = datetime(2026, 11, 30, 9, 0)
        expected = [
            enrollment.id
            for enrollment in sorted(
                enrollments, key=lambda e: planner.claim_order(e.next_date, e.id)
            )
            if stepping.is_due(enrollment.next_date, now)
        ]
        self.assertEqual(len(expected), 5)
        claim = self.dispatcher._followup_claim
        self.assertEqual(claim(now, 100, enrollment_ids=enrollments.ids).ids, expected)
        self.assertEqual(claim(now, 2, enrollment_ids=enrollments.ids).ids, expected[:2])

    def test_a_logged_sentence_can_be_composed_again_from_plain_values(self):
        self.mario.email = "mario-at-nowhere"
        sequence = self._sequence("Care", [self._email_step("Check-in", self.template_partner)])
        enrollment = self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        self.assertEqual(dispatch.reason, "invalid_address")
        Dispatch = self.env["followup.dispatch"]
        outcome = StepOutcome(
            enrollment,
            dispatch.step_id,
            self.mario,
            self.mario,
            state=SUPPRESSED,
            reason="invalid_address",
        )
        code, details = Dispatch._followup_describe(outcome)
        # Plain values: they survive a JSON round trip (what fields.Json would store).
        stored = json.loads(json.dumps(details))
        self.assertEqual(Dispatch._followup_note(code, stored), dispatch.note)
        self.assertEqual(
            Dispatch._followup_note("no_such_reason", {}),
            "Suppressed (no_such_reason): this step is skipped.",
        )
