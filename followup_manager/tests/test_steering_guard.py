"""The steering fields (pause, snooze, the activity a step waits for) belong to the
official actions and the dispatch: a follow-up user cannot write them by hand, the
actions still work for them, and a manager's hand-made change is written in the chatter."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import FollowupSecurityCase

STEERING_VALUES = {
    "snoozed_until": "2026-12-24 09:00:00",
    "snooze_reason": "I decided it",
    "resumed_date": "2026-12-01 09:00:00",
    "date_paused": "2026-12-01 09:00:00",
    "paused_by_sequence": True,
}


@tagged("post_install", "-at_install")
class TestSteeringGuard(FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence = cls._create_sequence(
            "Call then write",
            "manual",
            [
                cls._call_step("Call", 0, "hours", wait_for_activity=True),
                cls._email_step("Recap", cls.template_partner, 2, "days"),
            ],
            purpose="service",
        )

    def _steering(self, enrollment):
        return {
            fname: enrollment[fname]
            for fname in (*STEERING_VALUES, "waiting_activity_id", "state", "next_date")
        }

    def test_a_user_cannot_steer_an_enrollment_by_hand(self):
        enrollment = self._enroll(self.sequence, self.mario)
        activity = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.mario.id,
                "summary": "Not the step's call",
                "user_id": self.user_salesman.id,
            }
        )
        before = self._steering(enrollment)
        attempts = [{fname: value} for fname, value in STEERING_VALUES.items()]
        attempts.append({"waiting_activity_id": activity.id})
        for user in (self.user_followup, self.user_salesman):
            for vals in attempts:
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(AccessError) as caught:
                        enrollment.with_user(user).write(vals)
                    self.assertIn("Pause, Resume or Snooze", str(caught.exception))
        self.assertEqual(self._steering(enrollment), before)

    def test_a_user_cannot_create_an_enrollment_already_steered(self):
        carla = self._create_customer("Carla Conti", "carla")
        Enrollment = self.env["followup.enrollment"].with_user(self.user_followup)
        base = {"sequence_id": self.sequence.id, "partner_id": carla.id}
        for fname, value in STEERING_VALUES.items():
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                Enrollment.create([dict(base, **{fname: value})])
        self.assertFalse(self._enrollments(self.sequence, carla))

    def test_the_official_actions_still_work_for_a_user(self):
        enrollment = self._enroll(self.sequence, self.mario)
        mine = enrollment.with_user(self.user_followup)
        self.assertIs(mine.action_pause(), True)
        self.assertEqual(enrollment.state, "paused")
        self.assertTrue(enrollment.date_paused)
        later = self.MONDAY_10_ROME + timedelta(days=2)
        with self._at(later):
            self.assertIs(mine.action_resume(), True)
        self.assertRecordValues(
            enrollment, [{"state": "active", "resumed_date": later, "date_paused": False}]
        )
        until = self.MONDAY_10_ROME + timedelta(days=5)
        self.assertIs(mine.snooze(fields.Datetime.to_string(until), "After the fair"), True)
        self.assertRecordValues(
            enrollment,
            [{"snoozed_until": until, "snooze_reason": "After the fair", "next_date": until}],
        )

    def test_the_salesperson_completing_the_awaited_call_moves_the_follow_up_on(self):
        enrollment = self._enroll(self.sequence, self.mario)
        dispatch = self._dispatch()
        self.assertEqual(enrollment.waiting_activity_id, dispatch.activity_id)
        done_at = self.MONDAY_10_ROME + timedelta(days=1)
        with self._at(done_at):
            dispatch.activity_id.with_user(self.user_salesman).action_feedback(feedback="Done")
        self.assertRecordValues(
            enrollment,
            [{"waiting_activity_id": False, "next_date": done_at + timedelta(days=2)}],
        )

    def test_a_manager_steers_by_hand_and_the_chatter_says_who(self):
        enrollment = self._enroll(self.sequence, self.mario)
        enrollment.with_user(self.user_manager).write(
            {"snoozed_until": "2026-12-24 09:00:00", "snooze_reason": "Christmas"}
        )
        self.assertEqual(enrollment.snooze_reason, "Christmas")
        note = enrollment.message_ids[:1]
        self.assertIn("Moved by hand by Mia Manager", note.body)
        self.assertIn("Christmas", note.body)

    def test_values_of_the_wrong_kind_are_refused_with_a_sentence(self):
        enrollment = self._enroll(self.sequence, self.mario)
        manager = enrollment.with_user(self.user_manager)
        for vals in (
            {"snoozed_until": "next week"},
            {"resumed_date": ["2026-12-01"]},
            {"waiting_activity_id": "the call"},
            {"snooze_reason": {"why": "no"}},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                manager.write(vals)
        mine = enrollment.with_user(self.user_followup)
        for until, reason in (("next week", False), (["2026-12-01"], False), (42, False)):
            with self.subTest(until=until), self.assertRaises(UserError):
                mine.snooze(until, reason)
        with self.assertRaises(ValidationError):
            mine.snooze("2026-12-24 09:00:00", ["a", "list"])
        self.assertFalse(enrollment.snoozed_until)
