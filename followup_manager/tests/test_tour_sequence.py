from odoo.tests import HttpCase, tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestSequenceTour(FollowupCase, HttpCase):
    # The smallest screen the add-on's forms are made for.
    browser_size = "1280x800"

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
        self.assertEqual(
            sequence.step_ids.mapped("name"), ["First call", "Reminder about your quotation"]
        )
        self.assertEqual(sequence.purpose, "service")
        self.assertEqual(sequence.step_ids.mapped("delay"), [0, 2])
        self.assertEqual(sequence.step_ids.mapped("delay_unit"), ["days", "business_days"])
        self.assertEqual(sequence.step_ids.mapped("action"), ["activity", "email"])
        self.assertEqual(
            sequence.step_ids[1].mail_template_id,
            self.env.ref("followup_manager.mail_template_followup_partner_help"),
        )

        self.start_tour(
            f"/odoo/action-followup_manager.followup_sequence_action/{sequence.id}",
            "followup_step_preview_tour",
            login=self.user_manager.login,
        )

        self.start_tour(
            f"/odoo/res.partner/{partner.id}",
            "followup_sequence_enroll_tour",
            login=self.user_manager.login,
        )
        enrollment = self.env["followup.enrollment"].search([("partner_id", "=", partner.id)])
        self.assertEqual(enrollment.sequence_id, sequence)
        self.assertEqual(enrollment.origin, partner)
        self.assertEqual(enrollment.next_step_id.name, "First call")

    def test_the_sequence_form_fits_1280_by_800(self):
        sequence = self.env.ref("followup_manager.followup_sequence_complaint_demo", False)
        if not sequence:
            sequence = self.env["followup.sequence"].create(
                {
                    "name": "Wide",
                    "purpose": "service",
                    "step_ids": [
                        (0, 0, {"name": f"Step {n} with a long name", "delay": n})
                        for n in range(3)
                    ],
                }
            )
        self.start_tour(
            f"/odoo/action-followup_manager.followup_sequence_action/{sequence.id}",
            "followup_sequence_width_tour",
            login=self.user_manager.login,
        )
