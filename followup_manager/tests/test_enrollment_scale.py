"""Enrolling many at once: a cost that does not grow with the number of partners, one
summary note instead of thousands, and selections too large for a request enrolled in
the background (followup.enroll.job)."""

from datetime import datetime

from odoo.tests import Form, tagged, users

from .common import FollowupSequenceCase


@tagged("post_install", "-at_install")
class TestEnrollmentScale(FollowupSequenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("followup_manager.note_per_document_limit", 5)
        cls.partners = cls.env["res.partner"].create(
            [
                {"name": f"Bulk {index}", "country_id": cls.env.ref("base.it").id}
                for index in range(460)
            ]
        )

    def _notes(self, records):
        return self.env["mail.message"].search(
            [("model", "=", records._name), ("res_id", "in", records.ids)]
        )

    def test_enroll_costs_the_same_queries_for_150_or_300_partners(self):
        warm, few, many = self.partners[:10], self.partners[10:160], self.partners[160:]
        # Caches (parameters, the dispatch's wake-up) warmed by a first enrollment.
        self.sequence_manual.enroll(warm.ids)
        # Only the ORM's own INSERT statements grow (100 rows each: 2 for 150, 3 for
        # 300); the filter, the duplicate guard, the due dates and the note do not.
        count_few, _ids = self._count_queries(self.sequence_manual.enroll, few.ids)
        count_many, ids = self._count_queries(self.sequence_manual.enroll, many.ids)
        self.assertEqual(len(ids), len(many))
        self.assertEqual(count_many - count_few, 3 - 2)

    def test_enroll_dates_each_partner_in_its_own_calendar(self):
        partners = self.customer | self.customer_sa | self.partners[:3]
        Enrollment = self.env["followup.enrollment"]
        # A Tuesday: three business days later is a Friday in Rome and a Sunday in
        # Riyadh (its weekend is Friday and Saturday). From a Monday both calendars
        # give Thursday, and the test would prove nothing (it failed on such days).
        with self._at(datetime(2026, 12, 1, 8, 0)):
            enrollments = Enrollment.browse(self.sequence_manual.enroll(partners.ids))
            expected = {e.id: e.next_date for e in enrollments}
            enrollments._followup_schedule_next(start=enrollments[0].date_start)
        self.assertEqual({e.id: e.next_date for e in enrollments}, expected)
        self.assertNotEqual(
            enrollments.filtered(lambda e: e.partner_id == self.customer).next_date,
            enrollments.filtered(lambda e: e.partner_id == self.customer_sa).next_date,
        )

    def test_beyond_the_note_limit_the_sequence_gets_one_summary_note(self):
        sequence = self.sequence_manual
        before = len(sequence.message_ids)
        self.sequence_manual.enroll(self.partners[:6].ids)
        self.assertFalse(self._notes(self.partners[:6]))
        self.assertEqual(len(sequence.message_ids) - before, 1)
        self.assertIn("6 enrollments started", sequence.message_ids[0].body)
        # Up to the limit, each followed-up document keeps its own note.
        self.sequence_manual.enroll(self.partners[6:11].ids)
        self.assertEqual(len(self._notes(self.partners[6:11])), 5)

    @users("fm_salesman")
    def test_a_large_selection_is_enrolled_in_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "followup_manager.enroll_background_threshold", 20
        )
        self.env["ir.config_parameter"].sudo().set_param("followup_manager.enroll_batch_size", 12)
        partners = self.partners[:30].with_user(self.env.user)
        cron = self.env.ref("followup_manager.ir_cron_followup_enroll").sudo()
        triggers = self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)])
        wizard = Form(
            self.env["followup.enroll.wizard"].with_context(
                active_model="res.partner", active_ids=partners.ids
            )
        )
        wizard.sequence_id = self.sequence_manual
        action = wizard.save().action_enroll()
        # Nothing enrolled in the request: a job is queued and its cron woken.
        self.assertIn("background", action["params"]["message"])
        self.assertFalse(self._enrollments(self.sequence_manual))
        self.assertEqual(
            self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)]),
            triggers + 1,
        )
        sequence = self.sequence_manual.with_user(self.env.user)
        self.assertEqual(sequence.enroll_job_pending, 30)
        Job = self.env["followup.enroll.job"].sudo()
        # The cron's calls, as the runner makes them (one batch each).
        Job._cron_enroll()
        sequence.invalidate_recordset()
        self.assertEqual(sequence.enroll_job_pending, 18)
        self.assertEqual(len(self._enrollments(self.sequence_manual)), 12)
        Job._cron_enroll()
        Job._cron_enroll()
        self.assertEqual(self._enrollments(self.sequence_manual).partner_id, partners)
        job = Job.search([("sequence_id", "=", sequence.id)])
        self.assertEqual((job.state, job.enrolled_count, job.position), ("done", 30, 30))
        sequence.invalidate_recordset()
        self.assertEqual(sequence.enroll_job_pending, 0)
        self.assertIn("30 of 30 enrolled in the background", sequence.message_ids[0].body)
        # The user is told, on the bus (sent when the cron's transaction commits, or
        # when the savepoint each batch runs in flushes it).
        queued = self.env.cr.precommit.data.get("bus.bus.values", [])
        sent = [value["message"] for value in queued]
        sent += self.env["bus.bus"].sudo().search([]).mapped("message")
        self.assertTrue(
            any('"simple_notification"' in message and "30 of 30" in message for message in sent)
        )
        # Made with the rights of the user who asked.
        self.assertEqual(self._enrollments(self.sequence_manual).create_uid, self.env.user)

    def test_a_batch_run_again_after_an_interruption_enrolls_nobody_twice(self):
        job = self.env["followup.enroll.job"]._followup_queue(
            self.sequence_manual, [(p.id, "res.partner", p.id) for p in self.partners[:10]]
        )
        self.env["ir.config_parameter"].set_param("followup_manager.enroll_batch_size", 6)
        job._followup_run_batch()
        # A crash after the enrollments but before the position was saved.
        job.position = 0
        job._followup_run_batch()
        job._followup_run_batch()
        self.assertEqual(job.state, "done")
        enrollments = self._enrollments(self.sequence_manual)
        self.assertEqual(len(enrollments), 10)
        self.assertEqual(enrollments.partner_id, self.partners[:10])
