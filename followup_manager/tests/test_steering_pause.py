from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestSteeringPause(FollowupDispatchCase):
    """A sales team pauses, resumes and snoozes follow-ups while they run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence = cls._create_sequence(
            "Pausable",
            "manual",
            [
                cls._email_step("Hello", cls.template_partner, 0, "hours"),
                cls._email_step("Again", cls.template_partner, 2, "days"),
            ],
            purpose="service",
        )
        cls.luigi = cls._create_customer("Luigi Verdi", "luigi")

    def test_a_paused_enrollment_is_not_dispatched_and_keeps_its_place(self):
        enrollment = self._enroll(self.sequence, self.mario)
        step, due = enrollment.next_step_id, enrollment.next_date
        enrollment.action_pause()
        self.assertEqual(enrollment.state, "paused")
        self.assertFalse(self._dispatch(self.MONDAY_10_ROME + timedelta(days=3)))
        self.assertEqual((enrollment.next_step_id, enrollment.next_date), (step, due))

    def test_resume_makes_only_the_current_step_due_and_the_log_says_resumed(self):
        enrollment = self._enroll(self.sequence, self.mario)
        enrollment.action_pause()
        later = self.MONDAY_10_ROME + timedelta(days=10)
        with self._at(later):
            enrollment.action_resume()
        self.assertEqual((enrollment.state, enrollment.next_date), ("active", later))
        dispatch = self._dispatch(later)
        self.assertEqual(len(dispatch), 1, "no burst: one step, not the two that fell due")
        self.assertEqual(dispatch.state, "done")
        self.assertIn("Resumed on", dispatch.note)
        # The next step counts its delay from the decision, as usual.
        self.assertEqual(enrollment.next_step_id.name, "Again")
        self.assertEqual(enrollment.next_date, later + timedelta(days=2))
        self.assertFalse(enrollment.resumed_date)

    def test_resumed_steps_go_through_the_cap_and_the_send_window(self):
        enrollments = self._enroll(self.sequence, self.mario | self.luigi)
        enrollments.action_pause()
        # Resumed at 22:00 in Rome: outside the send window, nothing leaves at once.
        night = datetime(2026, 12, 2, 21, 0)
        with self._at(night):
            enrollments.action_resume()
        dispatches = self._dispatch(night)
        self.assertEqual(set(dispatches.mapped("state")), {"deferred"})
        self.assertEqual(set(dispatches.mapped("reason")), {"quiet_hours"})
        self.assertTrue(all("Resumed on" in note for note in dispatches.mapped("note")))

    def test_pausing_a_sequence_pauses_its_enrollments_and_new_ones(self):
        first = self._enroll(self.sequence, self.mario)
        mine = self._enroll(self.sequence, self.luigi)
        mine.action_pause()  # paused by hand: stays paused when the sequence resumes
        self.sequence.action_pause()
        self.assertTrue(self.sequence.paused)
        self.assertEqual(first.state, "paused")
        self.assertEqual(self.sequence.enrollment_paused_count, 2)
        newcomer = self._enroll(self.sequence, self.customer)
        self.assertEqual(newcomer.state, "paused")
        with self.assertRaises(UserError):
            first.action_resume()
        self.sequence.action_resume()
        self.assertEqual((first | newcomer).mapped("state"), ["active", "active"])
        self.assertEqual(mine.state, "paused")

    def test_a_paused_enrollment_still_blocks_a_duplicate_and_can_be_stopped(self):
        enrollment = self._enroll(self.sequence, self.mario)
        enrollment.action_pause()
        self.assertFalse(self._enroll(self.sequence, self.mario))
        enrollment.action_stop()
        self.assertEqual(enrollment.state, "stopped")

    def test_snooze_moves_the_next_step_and_logs_the_reason(self):
        enrollment = self._enroll(self.sequence, self.mario)
        until = self.MONDAY_10_ROME + timedelta(days=3)  # Thursday
        enrollment.snooze(until.strftime("%Y-%m-%d %H:%M:%S"), reason="After the fair")
        self.assertEqual(enrollment.next_date, until)
        self.assertEqual(enrollment.snoozed_until, until)
        body = enrollment.message_ids[:1].body
        self.assertIn("After the fair", body)
        self.assertIn("snoozed until", body)
        self.assertFalse(self._dispatch(until - timedelta(hours=1)))
        self.assertEqual(self._dispatch(until).state, "done")

    def test_snooze_keeps_a_later_date(self):
        enrollment = self._enroll(self.sequence, self.mario)
        far = self.MONDAY_10_ROME + timedelta(days=30)
        enrollment.next_date = far
        enrollment.snooze(self.MONDAY_10_ROME + timedelta(days=1))
        self.assertEqual(enrollment.next_date, far)

    def test_pause_and_resume_cost_the_same_for_5_and_25(self):
        partners = [self._create_customer(f"Batch {i}", f"batch{i}") for i in range(25)]
        small = self._enroll(self.sequence, self.env["res.partner"].union(*partners[:5]))
        large = self._enroll(self.sequence, self.env["res.partner"].union(*partners[5:]))
        costs = {}
        for name, enrollments in (("small", small), ("large", large)):
            pause, _r = self._count_queries(enrollments.action_pause)
            resume, _r = self._count_queries(enrollments.action_resume)
            snooze, _r = self._count_queries(
                enrollments.snooze, self.MONDAY_10_ROME + timedelta(days=3), "Fair"
            )
            costs[name] = (pause, resume, snooze)
        self.assertEqual(costs["small"], costs["large"])
