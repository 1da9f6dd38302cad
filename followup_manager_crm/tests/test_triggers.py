"""Moved from followup_manager/tests/test_triggers.py: the tests that need CRM."""

from odoo.tests import tagged, users

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase

from .common import FollowupCrmMixin


@tagged("post_install", "-at_install")
class TestTriggersCrm(FollowupCrmMixin, FollowupSequenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_won = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)

    def test_winning_an_opportunity_starts_lead_won_sequences(self):
        lead = self._create_lead()
        lead.action_set_won()
        enrollment = self._enrollments(self.sequence_won)
        self.assertEqual(enrollment.origin, lead)
        self.assertEqual(lead.followup_enrollment_count, 1)

    def test_dragging_an_opportunity_to_a_won_stage_wins_it_too(self):
        lead = self._create_lead()
        lead.stage_id = self.stage_won
        self.assertEqual(self._enrollments(self.sequence_won).origin, lead)
        # Moving between won stages is not a second win.
        lead.write({"stage_id": self.stage_won.id, "probability": 100})
        self.assertEqual(len(self._enrollments(self.sequence_won)), 1)

    @users("fm_salesman")
    def test_losing_an_opportunity_starts_lead_lost_sequences(self):
        lead = self._create_lead().with_user(self.env.user)
        lead.action_set_lost(lost_reason_id=self.env.ref("crm.lost_reason_1").id)
        enrollment = self._enrollments(self.sequence_lost)
        self.assertEqual(enrollment.origin, lead)
        self.assertFalse(self._enrollments(self.sequence_won))

    def test_a_lead_without_partner_enters_nothing(self):
        lead = self.env["crm.lead"].create({"name": "Anonymous", "type": "opportunity"})
        lead.action_set_lost()
        self.assertFalse(self._enrollments(self.sequence_lost))

    def test_losing_a_lead_stops_what_followed_it_up(self):
        lead = self._create_lead()
        lead.action_set_won()
        lead.action_set_lost()
        self.assertEqual(self._enrollments(self.sequence_won).stop_reason, "origin_cancelled")
        self.assertEqual(self._enrollments(self.sequence_lost).state, "active")

    def test_reopening_a_lost_lead_stops_its_re_engagement(self):
        lead = self._create_lead()
        lead.action_set_lost()
        lead.action_unarchive()
        self.assertEqual(self._enrollments(self.sequence_lost).stop_reason, "origin_reopened")
