from odoo.tests import HttpCase, tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestSequenceTour(FollowupCase, HttpCase):
    def test_crm_manager_builds_a_sequence_and_enrolls_a_contact(self):
        partner = self.env["res.partner"].create(
            {"name": "Tour Customer", "email": "tour@example.com", "tz": "Europe/Rome"}
        )
        self.start_tour(
            "/odoo/action-followup_manager.followup_sequence_action",
            "followup_sequence_tour",
            login=self.user_manager.login,
        )
        sequence = self.env["followup.sequence"].search([("name", "=", "Tour Sequence")])
        self.assertEqual(sequence.step_ids.mapped("name"), ["First call", "Second call"])
        self.assertEqual(sequence.step_ids.mapped("delay"), [0, 2])
        self.assertEqual(set(sequence.step_ids.mapped("action")), {"activity"})

        self.start_tour(
            f"/odoo/res.partner/{partner.id}",
            "followup_sequence_enroll_tour",
            login=self.user_manager.login,
        )
        enrollment = self.env["followup.enrollment"].search([("partner_id", "=", partner.id)])
        self.assertEqual(enrollment.sequence_id, sequence)
        self.assertEqual(enrollment.origin, partner)
        self.assertEqual(enrollment.next_step_id.name, "First call")
