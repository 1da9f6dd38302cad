"""Issue 27, hostile input, third round: the doors of the last round's features, probed
as a salesperson, a manager, a customer on the portal and bad data would.

- A mass enrollment job runs with the rights of its creator, who may only queue
  documents they can read; a failing job fails alone.
- A step's condition runs at save with its author's rights (no oracle on fields they
  cannot read); one that raises when its step falls due fails that step alone.
- A test send without a chosen contact renders on a contact the user can read.
"""

from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import FollowupSecurityCase
from .mail_gateway_common import FollowupGatewayCase
from .test_step_preview import StepPreviewMixin


@tagged("post_install", "-at_install")
class TestHostileEnrollJob(FollowupSecurityCase, HttpCase):
    """Mass enrollment jobs created directly over XML-RPC, and the cron that runs them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["followup.enroll.job"]
        # Sam's own partner, a target on a colleague's order.
        cls.sam_partner = cls.user_salesman.partner_id
        cls.sam_partner.write({"email": "sam@example.com"})
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.sequence_other = cls._create_sequence(
            "Other", "manual", [cls._task_step()], purpose="service"
        )

    def _create_job(self, user, vals):
        return self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, user.login, "followup.enroll.job", "create", [vals], {}
        )

    # ------------------------------------------------------------------ failures

    def test_a_failing_job_is_marked_failed_its_user_told_and_the_next_one_runs(self):
        first = self.Job.with_user(self.user_salesman)._followup_queue(
            self.sequence_manual, [[self.mario.id, "res.partner", self.mario.id]]
        )
        second = self.Job._followup_queue(
            self.sequence_other, [[self.carla.id, "res.partner", self.carla.id]]
        )
        Sequence = self.registry["followup.sequence"]
        original = Sequence._followup_enroll
        sequence_manual = self.sequence_manual

        def enroll(sequence, targets):
            if sequence == sequence_manual:
                raise UserError("The moon is in the wrong phase.")  # pylint: disable=translation-required
            return original(sequence, targets)

        with (
            patch.object(Sequence, "_followup_enroll", enroll),
            mute_logger("odoo.addons.followup_manager.models.followup_enroll_job"),
        ):
            self.Job._cron_enroll()
        self.assertRecordValues(
            first, [{"state": "failed", "error": "The moon is in the wrong phase."}]
        )
        self.assertEqual((second.state, second.enrolled_count), ("done", 1))
        self.assertFalse(self._enrollments(self.sequence_manual))
        self.assertIn("The moon is in the wrong phase.", self.sequence_manual.message_ids[0].body)
        # The user is told on the bus (the savepoints flush what is already queued).
        sent = [v["message"] for v in self.env.cr.precommit.data.get("bus.bus.values", [])]
        sent += self.env["bus.bus"].search([]).mapped("message")
        self.assertTrue(any('"danger"' in m and "wrong phase" in m for m in sent), sent)
        # A failed job waits no more.
        self.assertEqual(self.sequence_manual.enroll_job_pending, 0)


@tagged("post_install", "-at_install")
class TestHostileCondition(FollowupSecurityCase):
    """A step's condition: saved with its author's rights, and failing alone."""

    def test_a_condition_that_raises_fails_its_step_and_the_rest_goes_on(self):
        broken = self._sequence(
            "Month end", [self._task_step("Month end check")], purpose="service"
        )
        healthy = self._sequence("Healthy", [self._task_step("Prepare")], purpose="service")
        # Saved in October, when the 31st exists; due on 30 November, when it does not.
        with self._at(datetime(2026, 10, 15, 9, 0)):
            broken.step_ids.condition_domain = (
                "[('create_date', '<', context_today().replace(day=31).isoformat())]"
            )
        carla = self._create_customer("Carla Conti", "carla")
        broken_enrollment = self._enroll(broken, self.mario)
        healthy_enrollment = self._enroll(healthy, carla)
        with mute_logger("odoo.addons.followup_manager.models.followup_dispatcher_decide"):
            self._dispatch()
        failed = broken_enrollment.dispatch_ids
        self.assertRecordValues(failed, [{"state": "failed", "reason": "error"}])
        self.assertIn("its condition could not be checked", failed.note)
        self.assertIn("day is out of range for month", failed.note)
        self.assertEqual(broken_enrollment.state, "done", "the step is behind it")
        self.assertRecordValues(healthy_enrollment.dispatch_ids, [{"state": "done"}])


@tagged("post_install", "-at_install")
class TestHostileTestSend(FollowupGatewayCase, FollowupSecurityCase, StepPreviewMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._preview_fixtures()

    def test_a_test_send_without_a_contact_renders_on_one_the_user_can_read(self):
        self._enroll(self.sequence, self.mario)
        olga = self._create_customer(
            "Olga Elsewhere", "olga", comment="<p>Internal: owes us 40,000 EUR</p>"
        )
        self._enroll(self.sequence, olga)
        # The latest follow-up's person moved to a company the salesperson cannot see.
        olga.company_id = self.company_b
        self.assertFalse(olga.with_user(self.user_salesman).has_access("read"))
        with self._sent_messages() as sent:
            self.step_email.with_user(self.user_salesman).action_send_test()
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["Subject"], "[Test] Help us help you, Mario Rossi")
        # With nobody readable left, on the user's own contact (issue 28, as Odoo's
        # mass mailing renders a test), never on the person they cannot read.
        self._enrollments(self.sequence, self.mario).sudo().unlink()
        with self._sent_messages() as sent:
            self.step_email.with_user(self.user_salesman).action_send_test()
        self.assertEqual(sent[0]["Subject"], "[Test] Help us help you, Sam Salesman")
