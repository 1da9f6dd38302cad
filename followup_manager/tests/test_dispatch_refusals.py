from datetime import datetime
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_dispatch import DispatchCase


@tagged("post_install", "-at_install")
class TestDispatchRefusals(DispatchCase):
    """The dispatch, step by step: what is suppressed or failed, a crash, the cron and
    the cost of a batch (test_dispatch.py: what is done or deferred)."""

    # ------------------------------------------------------------------ suppressed

    def _suppressed(self, partner, sequence=None):
        sequence = sequence or self._marketing_email_sequence()
        enrollment = self._enroll(sequence, partner)
        dispatch = self._dispatch_of(self._dispatch(), enrollment)
        self.assertEqual(dispatch.state, "suppressed")
        self.assertFalse(dispatch.mail_id)
        return dispatch, enrollment

    def test_marketing_without_consent_is_suppressed_and_the_next_step_follows(self):
        dispatch, enrollment = self._suppressed(self.mario)
        self.assertEqual(dispatch.reason, "no_consent")
        self.assertEqual(
            dispatch.note,
            "Suppressed: Mario Rossi has not agreed to receive marketing by E-mail; this "
            "step is skipped.",
        )
        self.assertEqual(enrollment.state, "active")
        self.assertEqual(enrollment.next_step_id.name, "Call")

    def test_withdrawn_consent_suppresses_even_a_service_step(self):
        self.mario.followup_set_consent("post", "withdrawn", "manual")
        sequence = self._sequence(
            "Letters",
            [self._call_step("Send a letter", channel="post"), self._call_step("Call", 2)],
            purpose="service",
        )
        dispatch, _enrollment = self._suppressed(self.mario, sequence)
        self.assertEqual(dispatch.reason, "withdrawn")
        self.assertIn("withdrew their consent for Post", dispatch.note)

    def test_refused_channel_is_suppressed(self):
        self.mario.followup_no_email = True
        dispatch, _enrollment = self._suppressed(self.mario, self._service_email_sequence())
        self.assertEqual(dispatch.reason, "channel_refused")

    def test_blacklisted_address_is_suppressed(self):
        self.env["mail.blacklist"]._add(self.mario.email)
        dispatch, _enrollment = self._suppressed(self.mario, self._service_email_sequence())
        self.assertEqual(dispatch.reason, "blacklisted")

    def test_invalid_address_is_suppressed(self):
        self.mario.email = "mario-at-nowhere"
        dispatch, _enrollment = self._suppressed(self.mario, self._service_email_sequence())
        self.assertEqual(dispatch.reason, "invalid_address")
        self.assertEqual(
            dispatch.note,
            "Suppressed: Mario Rossi has no valid address for E-mail; this step is skipped.",
        )

    def test_archived_partner_stops_the_enrollment(self):
        sequence = self._service_email_sequence()
        enrollment = self._enroll(sequence, self.mario)
        # Archived behind the ORM's back (an import, SQL): the dispatch still notices.
        self.env.cr.execute("UPDATE res_partner SET active = false WHERE id = %s", [self.mario.id])
        self.mario.invalidate_recordset(["active"])
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "suppressed", "reason": "stopped"}])
        self.assertRecordValues(
            enrollment, [{"state": "stopped", "stop_reason": "partner_archived"}]
        )

    # ------------------------------------------------------------------ failed

    @mute_logger(
        "odoo.addons.followup_manager.models.followup_dispatcher",
        "odoo.addons.mail.models.mail_render_mixin",
    )
    def test_one_failing_template_among_good_ones_fails_alone(self):
        boom = self._create_customer("Bruno Boom", "bruno", ref="BOOM")
        anna = self._create_customer("Anna Bianchi", "anna")
        sequence = self._service_email_sequence(self.failing_template)
        enrollments = self._enroll(sequence, self.mario | boom | anna)
        dispatches = self._dispatch()
        failed = dispatches.filtered(lambda d: d.partner_id == boom)
        self.assertRecordValues(failed, [{"state": "failed", "reason": "error", "mail_id": False}])
        self.assertIn("Failed: step “Check-in”", failed.note)
        self.assertIn("Follow-up: fails for BOOM", failed.note)
        done = dispatches - failed
        self.assertEqual(done.mapped("state"), ["done", "done"])
        self.assertEqual(done.mail_id.recipient_ids, self.mario | anna)
        # The failed step is behind the enrollment too: it goes on with the next step.
        self.assertEqual(set(enrollments.next_step_id.mapped("name")), {"Call"})
        self.assertFalse(
            self.env["mail.mail"].search([("model", "=", "res.partner"), ("res_id", "=", boom.id)])
        )

    @mute_logger("odoo.addons.followup_manager.models.followup_dispatcher")
    def test_one_failing_server_action_among_good_ones_fails_alone(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Mark visited",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "if record.ref == 'BOOM':\n"
                "    raise UserError('no visit for ' + record.name)\n"
                "record.write({'comment': 'visited'})",
            }
        )
        boom = self._create_customer("Bruno Boom", "bruno", ref="BOOM")
        sequence = self._sequence(
            "Actions",
            [{"name": "Mark", "action": "server_action", "server_action_id": action.id}],
        )
        self._enroll(sequence, self.mario | boom)
        dispatches = self._dispatch()
        failed = dispatches.filtered(lambda d: d.partner_id == boom)
        self.assertEqual(failed.state, "failed")
        self.assertIn("no visit for Bruno Boom", failed.note)
        self.assertEqual((dispatches - failed).state, "done")
        self.assertEqual(str(self.mario.comment), "<p>visited</p>")
        self.assertFalse(boom.comment)

    # ------------------------------------------------------------------ exactly once

    def test_a_step_moved_back_is_not_done_twice(self):
        sequence = self._sequence("Visit", [self._call_step("Call"), self._call_step("Again", 2)])
        enrollment = self._enroll(sequence, self.mario)
        self._dispatch()
        # Someone moves the enrollment back to the step already done.
        enrollment.write(
            {"next_step_id": sequence.step_ids[0].id, "next_date": datetime(2026, 12, 1, 9, 0)}
        )
        dispatch = self._dispatch(datetime(2026, 12, 1, 9, 0))
        self.assertRecordValues(dispatch, [{"state": "suppressed", "activity_id": False}])
        self.assertIn("already carried out", dispatch.note)
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_id", "=", self.mario.id), ("res_model", "=", "res.partner")]
            ),
            1,
        )
        self.assertEqual(enrollment.next_step_id.name, "Again")

    @mute_logger("odoo.sql_db")
    def test_crash_after_the_claim_rolls_back_everything_and_loses_nothing(self):
        sequence = self._sequence("Visit", [self._call_step("Call")])
        anna = self._create_customer("Anna Bianchi", "anna")
        enrollments = self._enroll(sequence, self.mario | anna)
        Dispatcher = type(self.dispatcher)
        with (
            patch.object(Dispatcher, "_followup_move_on", side_effect=RuntimeError("crash")),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            self._dispatch(datetime(2026, 11, 30, 9, 0))
        self.env.invalidate_all()
        self.assertFalse(
            self.env["followup.dispatch"].search([("enrollment_id", "in", enrollments.ids)])
        )
        self.assertFalse(
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "in", enrollments.partner_id.ids)]
            )
        )
        self.assertEqual(set(enrollments.mapped("state")), {"active"})
        dispatches = self._dispatch(datetime(2026, 11, 30, 9, 0))
        self.assertEqual(dispatches.mapped("state"), ["done", "done"])
        self.assertEqual(len(dispatches.activity_id), 2)

    # ------------------------------------------------------------------ cron

    def test_cron_run_in_a_test_never_commits(self):
        self.assertFalse(self.dispatcher._followup_auto_commit_allowed())
        sequence = self._sequence("Visit", [self._call_step("Call")])
        enrollment = self._enroll(sequence, self.mario)
        with (
            patch.object(type(self.env.cr), "commit", side_effect=AssertionError("commit")),
            self._at(self.MONDAY_10_ROME),
        ):
            self.env["followup.enrollment"]._cron_dispatch()
        self.assertEqual(enrollment.state, "done")

    def test_cron_dispatches_one_batch_per_call_and_reports_its_progress(self):
        # As the mass enrollment: one batch per call, its progress told to Odoo's
        # cron runner, which commits it and calls again while steps remain.
        self.env["ir.config_parameter"].set_param("followup_manager.dispatch_batch_size", "2")
        partners = self.mario | self.saad | self._create_customer("Anna Bianchi", "anna")
        sequence = self._sequence("Tasks", [self._task_step()])
        enrollments = self._enroll(sequence, partners)
        cron = self.env.ref("followup_manager.ir_cron_followup_dispatch")
        for done, remaining in ((2, 1), (1, 0)):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            enrollment_model = self.env["followup.enrollment"].with_context(
                ir_cron_progress_id=progress.id
            )
            with self._at(self.MONDAY_10_ROME):
                enrollment_model._cron_dispatch()
            self.assertEqual((progress.done, progress.remaining), (done, remaining))
        self.assertEqual(set(enrollments.mapped("state")), {"done"})

    def test_cron_is_woken_when_the_next_step_is_due(self):
        cron = self.env.ref("followup_manager.ir_cron_followup_dispatch")
        self.assertEqual(cron.model_id.model, "followup.enrollment")
        self.assertEqual(cron.code, "model._cron_dispatch()")
        self.assertTrue(cron.active)
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        sequence = self._sequence("Visit", [self._call_step("Call"), self._call_step("Again", 2)])
        self._enroll(sequence, self.mario)
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        self._dispatch()
        self.assertEqual(
            Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at"),
            [datetime(2026, 12, 2, 9, 0)],
        )
        # Asking again for a later moment adds nothing: the cron runs before it anyway.
        with self._at(self.MONDAY_10_ROME):
            self.dispatcher._schedule_wakeup([datetime(2026, 12, 3, 9, 0)])
        self.assertEqual(len(Trigger.search([("cron_id", "=", cron.id)])), 1)

    def test_batch_size_is_a_system_parameter(self):
        self.env["ir.config_parameter"].set_param("followup_manager.dispatch_batch_size", "2")
        self.assertEqual(self.dispatcher._followup_batch_size(), 2)
        partners = self.mario | self.saad | self._create_customer("Anna Bianchi", "anna")
        sequence = self._sequence("Tasks", [self._task_step()])
        self._enroll(sequence, partners)
        with self._at(self.MONDAY_10_ROME):
            first = self.dispatcher._dispatch_due(now=self.MONDAY_10_ROME, max_batches=1)
        self.assertEqual(len(first), 2)
        self.assertEqual(len(self._dispatch()), 1)

    # ------------------------------------------------------------------ cost

    def _dispatch_queries(self, partners, steps):
        """Queries of the run that does ``steps`` for ``partners`` (newly enrolled)."""
        sequence = self._sequence(f"Batch {len(partners)}", steps, purpose="service")
        self._enroll(sequence, partners)
        with self._at(self.MONDAY_10_ROME):
            queries, dispatches = self._count_queries(
                self.dispatcher._dispatch_due, now=self.MONDAY_10_ROME
            )
        self.assertEqual(len(dispatches), len(partners))
        self.assertEqual(set(dispatches.mapped("state")), {"done"})
        return queries

    def _customers(self, count, prefix):
        return self.env["res.partner"].create(
            [
                {
                    "name": f"{prefix} {index}",
                    "email": f"{prefix.lower()}{index}@example.com",
                    "phone": "+39 06 4991 0000",
                    "country_id": self.italy.id,
                    "tz": "Europe/Rome",
                    "user_id": self.user_salesman.id,
                }
                for index in range(count)
            ]
        )

    def test_activity_batch_costs_the_same_queries_for_10_and_50_steps(self):
        step = [self._call_step("Call")]
        self._dispatch_queries(self._customers(3, "Warm"), step)  # fills Odoo's caches
        ten = self._dispatch_queries(self._customers(10, "Ten"), step)
        fifty = self._dispatch_queries(self._customers(50, "Fifty"), step)
        self.assertEqual(ten, fifty)

    def test_email_batch_costs_the_same_queries_for_10_and_50_steps(self):
        step = [self._email_step("Check-in", self.template_partner)]
        self._dispatch_queries(self._customers(3, "Warm"), step)
        ten = self._dispatch_queries(self._customers(10, "Ten"), step)
        fifty = self._dispatch_queries(self._customers(50, "Fifty"), step)
        self.assertEqual(ten, fifty)
