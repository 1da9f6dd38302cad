from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestSteeringWaitForActivity(FollowupDispatchCase):
    """An activity step holds the next one until its activity is done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence = cls._create_sequence(
            "Call first",
            "manual",
            [
                cls._call_step("Call", 0, "hours", wait_for_activity=True),
                cls._email_step("Recap", cls.template_partner, 2, "days"),
            ],
            purpose="service",
        )

    def _held(self, partner, cancel="go_on"):
        self.sequence.step_ids[0].activity_cancel_action = cancel
        enrollment = self._enroll(self.sequence, partner)
        dispatch = self._dispatch()
        self.assertEqual(dispatch.state, "done")
        self.assertEqual(enrollment.next_step_id.name, "Recap")
        self.assertFalse(enrollment.next_date, "the next step waits for the call")
        self.assertEqual(enrollment.waiting_activity_id, dispatch.activity_id)
        return enrollment, dispatch.activity_id

    def test_the_next_step_counts_its_delay_from_the_completion(self):
        enrollment, activity = self._held(self.mario)
        done_at = self.MONDAY_10_ROME + timedelta(days=4)
        with self._at(done_at):
            activity.action_feedback(feedback="Talked to Mario")
        self.assertEqual(enrollment.next_date, done_at + timedelta(days=2))
        self.assertFalse(enrollment.waiting_activity_id)

    def test_a_cancelled_activity_goes_on_when_the_step_says_so(self):
        enrollment, activity = self._held(self.mario)
        cancelled_at = self.MONDAY_10_ROME + timedelta(days=1)
        with self._at(cancelled_at):
            activity.unlink()
        self.assertEqual(enrollment.state, "active")
        self.assertEqual(enrollment.next_date, cancelled_at + timedelta(days=2))

    def test_a_cancelled_activity_stops_when_the_step_says_so(self):
        enrollment, activity = self._held(self.mario, cancel="stop")
        activity.unlink()
        self.assertEqual(
            (enrollment.state, enrollment.stop_reason), ("stopped", "activity_cancelled")
        )

    def test_activities_done_together_cost_the_same_for_3_and_12(self):
        costs = []
        for count in (3, 12):
            partners = self.env["res.partner"].union(
                *(self._create_customer(f"W{count}-{i}", f"w{count}y{i}") for i in range(count))
            )
            enrollments = self._enroll(self.sequence, partners)
            self._dispatch(enrollment_ids=enrollments.ids)
            activities = enrollments.waiting_activity_id
            self.assertEqual(len(activities), count)
            queries, _result = self._count_queries(activities._action_done)
            self.assertFalse(enrollments.filtered(lambda e: not e.next_date))
            costs.append(queries)
        # Marking activities done costs Odoo one message per activity; ours is constant.
        self.assertLessEqual(costs[1] - costs[0], (12 - 3) * (costs[0] // 3 + 1))

    def test_waiting_is_only_for_activity_steps(self):
        with self.assertRaises(ValidationError):
            self._create_sequence(
                "Bad",
                "manual",
                [self._email_step("Mail", self.template_partner, wait_for_activity=True)],
            )


@tagged("post_install", "-at_install")
class TestSteeringForecast(FollowupDispatchCase):
    """The forecast knows what people steered: pauses, conditions, held steps."""

    def _forecast(self, sequence):
        with self._at(self.MONDAY_10_ROME):
            return self.env["followup.forecast"]._followup_run(
                sequence, days=7, now=self.MONDAY_10_ROME
            )

    def test_paused_enrollments_and_paused_sequences_are_not_simulated(self):
        sequence = self._sequence("Nurture", [self._task_step("Prepare", 1, "days")])
        luigi = self._create_customer("Luigi Verdi", "luigi")
        self._enroll(sequence, self.mario | luigi)
        self._enrollments(sequence, luigi).action_pause()
        forecast = self._forecast(sequence)
        self.assertIn("Paused enrollments of this sequence: 1", forecast.assumptions)
        enrolled = forecast.line_ids.filtered(lambda line: line.population == "enrolled")
        self.assertEqual(sum(enrolled.mapped("count")), 1, "only Mario's task")
        sequence.action_pause()
        forecast = self._forecast(sequence)
        self.assertFalse(forecast.line_ids)
        self.assertIn("The sequence is paused", forecast.assumptions)

    def test_a_step_with_a_condition_is_unknown_until_due(self):
        sequence = self._sequence(
            "Conditional",
            [self._task_step("Prepare", 1, "days", condition_domain="[('name', 'ilike', 'zzz')]")],
        )
        self._enroll(sequence, self.mario)
        forecast = self._forecast(sequence)
        lines = forecast.line_ids.filtered(lambda line: line.population == "enrolled")
        self.assertEqual(lines.mapped("state"), ["done"])
        self.assertTrue(all(lines.mapped("conditional")))
        self.assertIn("Unknown Until Due", forecast.assumptions)
