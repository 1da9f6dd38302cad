from odoo.tests import HttpCase, tagged

from .common import FollowupSequenceCase


@tagged("post_install", "-at_install")
class TestSteeringTour(FollowupSequenceCase, HttpCase):
    def _sequence_with(self, name, partner):
        sequence = self._create_sequence(
            name,
            "manual",
            [self._call_step("Tour call", 2, "days")],
            purpose="service",
        )
        enrollment = self.env["followup.enrollment"].browse(sequence.enroll(partner.ids))
        return sequence, enrollment

    def test_manager_pauses_a_sequence_and_resumes_it(self):
        sequence, enrollment = self._sequence_with("Pause Tour", self.customer)
        self.start_tour(
            f"/odoo/action-followup_manager.followup_sequence_action/{sequence.id}",
            "followup_pause_sequence_tour",
            login=self.user_manager.login,
        )
        self.assertFalse(sequence.paused)
        self.assertEqual(enrollment.state, "active")
        # Both changes are in the follow-up's history.
        bodies = " ".join(enrollment.message_ids.mapped("body"))
        self.assertIn("Follow-up resumed.", bodies)

    def test_salesperson_snoozes_one_follow_up_from_my_follow_ups(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Snooze Tour Customer",
                "email": "snooze@example.com",
                "country_id": self.env.ref("base.it").id,
                "user_id": self.user_salesman.id,
            }
        )
        _sequence, enrollment = self._sequence_with("Snooze Tour", partner)
        self.assertEqual(enrollment.user_id, self.user_salesman)
        self.start_tour(
            "/odoo/action-followup_manager.followup_enrollment_action_mine",
            "followup_snooze_mine_tour",
            login=self.user_salesman.login,
        )
        self.assertTrue(enrollment.snoozed_until)
        self.assertEqual(enrollment.snooze_reason, "After the fair")
        self.assertIn("After the fair", enrollment.message_ids[:1].body)
