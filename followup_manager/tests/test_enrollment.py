from datetime import datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import FollowupSequenceCase


@tagged("post_install", "-at_install")
class TestEnrollment(FollowupSequenceCase):
    def _enroll(self, sequence, partners, origin=None):
        ids = sequence.enroll(
            partners.ids, origin._name if origin else False, origin.id if origin else False
        )
        return self.env["followup.enrollment"].browse(ids)

    # ------------------------------------------------------------------ entering

    def test_enroll_starts_at_the_first_step_on_the_partner_thread(self):
        enrollment = self._enroll(self.sequence_manual, self.customer)
        self.assertEqual(enrollment.state, "active")
        self.assertEqual(enrollment.partner_id, self.customer)
        self.assertEqual(enrollment.origin, self.customer)
        self.assertEqual(enrollment.next_step_id, self.sequence_manual.step_ids[0])
        self.assertEqual(enrollment.company_id, self.company)

    @freeze_time("2026-01-08 10:00:00")  # a Thursday
    def test_business_days_are_counted_in_the_partner_calendar(self):
        sequence = self._create_sequence(
            "Next day", "manual", [self._call_step("Call", 1, "business_days")]
        )
        enrollments = self._enroll(sequence, self.customer | self.customer_sa)
        italian = enrollments.filtered(lambda e: e.partner_id == self.customer)
        saudi = enrollments - italian
        # Italy rests on Saturday and Sunday: Friday, same local time.
        self.assertEqual(italian.next_date, datetime(2026, 1, 9, 10, 0))
        # Saudi Arabia rests on Friday and Saturday: Sunday, same local time.
        self.assertEqual(saudi.next_date, datetime(2026, 1, 11, 10, 0))

    @mute_logger("odoo.sql_db")
    def test_the_database_refuses_two_active_enrollments(self):
        values = {
            "sequence_id": self.sequence_manual.id,
            "partner_id": self.customer.id,
            "origin_model": "res.partner",
            "origin_id": self.customer.id,
        }
        self.env["followup.enrollment"].create(values)
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env["followup.enrollment"].create(values)
            self.env.flush_all()

    def test_the_partner_filter_decides_who_enters(self):
        self.sequence_manual.partner_domain = (
            f"[('country_id', '=', {self.env.ref('base.it').id})]"
        )
        enrollments = self._enroll(self.sequence_manual, self.customer | self.customer_sa)
        self.assertEqual(enrollments.partner_id, self.customer)

    def test_archived_partners_are_not_enrolled(self):
        self.customer_sa.action_archive()
        enrollments = self._enroll(self.sequence_manual, self.customer | self.customer_sa)
        self.assertEqual(enrollments.partner_id, self.customer)

    def test_an_archived_sequence_enrolls_nobody(self):
        self.sequence_manual.action_archive()
        with self.assertRaisesRegex(UserError, "archived"):
            self._enroll(self.sequence_manual, self.customer)

    # ------------------------------------------------------------------ wizards

    @users("fm_salesman")
    def test_salesman_enrolls_several_partners_from_the_action_menu(self):
        partners = (self.customer | self.customer_sa).with_user(self.env.user)
        wizard = Form(
            self.env["followup.enroll.wizard"].with_context(
                active_model="res.partner", active_ids=partners.ids
            )
        )
        wizard.sequence_id = self.sequence_manual
        self.assertEqual(wizard.partner_count, 2)
        wizard.save().action_enroll()
        enrollments = self._enrollments(self.sequence_manual)
        self.assertEqual(enrollments.partner_id, partners)
        self.assertEqual(enrollments.mapped("origin_model"), ["res.partner"] * 2)

    @users("fm_salesman")
    def test_salesman_stops_follow_ups_of_several_partners_with_a_reason(self):
        self._enroll(self.sequence_manual, self.customer | self.customer_sa)
        self._enroll(self.sequence_inactive, self.customer)
        partners = (self.customer | self.customer_sa).with_user(self.env.user)
        wizard = Form(
            self.env["followup.stop.wizard"].with_context(
                active_model="res.partner", active_ids=partners.ids
            )
        )
        self.assertEqual(wizard.enrollment_count, 3)
        wizard.note = "Asked us to stop"
        wizard.save().action_stop()
        enrollments = self.env["followup.enrollment"].search([("partner_id", "in", partners.ids)])
        self.assertEqual(set(enrollments.mapped("state")), {"stopped"})
        self.assertEqual(set(enrollments.mapped("stop_reason")), {"manual"})
        self.assertEqual(set(enrollments.mapped("stop_note")), {"Asked us to stop"})

    def _run_partner_action(self, xmlid, partners):
        """What the Contacts list's "Actions" menu does with the selected contacts."""
        action = self.env.ref(xmlid)
        return action.with_context(
            active_model="res.partner", active_ids=partners.ids, active_id=partners[0].id
        ).run()

    def test_contacts_list_offers_stop_pause_and_snooze_to_followup_users(self):
        bound = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .get_views([(False, "list")], {"toolbar": True})["views"]["list"]["toolbar"]["action"]
        )
        names = {action["name"] for action in bound}
        self.assertTrue({"Stop follow-ups", "Pause follow-ups", "Snooze follow-ups"} <= names)
        bound = (
            self.env["res.partner"]
            .with_user(self.user_auditor)
            .get_views([(False, "list")], {"toolbar": True})["views"]["list"]["toolbar"]["action"]
        )
        self.assertFalse({"Pause follow-ups", "Snooze follow-ups"} & {a["name"] for a in bound})

    # ------------------------------------------------------------------ leaving

    def test_withdrawing_every_remaining_channel_stops_the_enrollment(self):
        Enrollment = self.env["followup.enrollment"]
        email_only = self._enroll(self.sequence_inactive, self.customer)
        call_and_email = self._enroll(self.sequence_manual, self.customer)
        Enrollment._followup_stop_for_withdrawn(self.customer, ["email"])
        self.assertEqual(email_only.stop_reason, "consent_withdrawn")
        # A call is still allowed: the other sequence goes on.
        self.assertEqual(call_and_email.state, "active")
        Enrollment._followup_stop_for_withdrawn(self.customer, ["email", "phone"])
        self.assertEqual(call_and_email.stop_reason, "consent_withdrawn")

    def test_a_consent_withdrawal_recorded_on_the_partner_stops_e_mail_only_sequences(self):
        email_only = self._enroll(self.sequence_inactive, self.customer)
        call_and_email = self._enroll(self.sequence_manual, self.customer)
        self.customer.followup_set_consent("email", "withdrawn", "manual")
        self.assertEqual(email_only.stop_reason, "consent_withdrawn")
        self.assertEqual(call_and_email.state, "active")
        # Channels withdrawn earlier count too: now nothing is left to use.
        self.customer.followup_set_consent("phone", "withdrawn", "manual")
        self.assertEqual(call_and_email.stop_reason, "consent_withdrawn")

    def test_withdrawal_only_looks_at_the_remaining_steps(self):
        enrollment = self._enroll(self.sequence_manual, self.customer)
        # The call is behind us: only the e-mail remains.
        enrollment.next_step_id = self.sequence_manual.step_ids[1]
        self.env["followup.enrollment"]._followup_stop_for_withdrawn(self.customer, ["email"])
        self.assertEqual(enrollment.state, "stopped")

    def test_archiving_the_partner_stops_their_follow_ups(self):
        enrollment = self._enroll(self.sequence_manual, self.customer)
        self.customer.action_archive()
        self.assertEqual(enrollment.stop_reason, "partner_archived")

    def test_advancing_past_the_last_step_finishes_the_enrollment(self):
        enrollment = self._enroll(self.sequence_manual, self.customer)
        enrollment._followup_advance()
        self.assertEqual(enrollment.next_step_id, self.sequence_manual.step_ids[1])
        self.assertTrue(enrollment.next_date)
        enrollment._followup_advance()
        self.assertEqual(enrollment.state, "done")
        self.assertFalse(enrollment.next_step_id)

    @users("fm_salesman")
    def test_the_enrollment_form_shows_each_decision_with_its_reason(self):
        enrollment = self._enroll(self.sequence_manual, self.customer).with_user(self.env.user)
        # Only the dispatch writes the log (salespeople read it).
        self.env["followup.dispatch"].sudo().create(
            [
                {
                    "enrollment_id": enrollment.id,
                    "step_id": self.sequence_manual.step_ids[0].id,
                    "channel": "phone",
                    "state": "deferred",
                    "reason": "quiet_hours",
                    "note": "Carla's evening: tried again at 9:00 her time.",
                },
                {
                    "enrollment_id": enrollment.id,
                    "step_id": self.sequence_manual.step_ids[0].id,
                    "channel": "phone",
                    "state": "done",
                },
            ]
        )
        form = Form(enrollment)
        self.assertEqual(len(form.dispatch_ids), 2)
        self.assertEqual(enrollment.dispatch_count, 2)
        self.assertEqual(set(enrollment.dispatch_ids.mapped("state")), {"deferred", "done"})
        self.assertEqual(enrollment.dispatch_ids.partner_id, self.customer)
