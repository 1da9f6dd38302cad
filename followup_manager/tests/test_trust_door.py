"""Issue 12, "one door into a sequence": enrollments created or changed directly over
XML-RPC pass the checks of enroll(), and a plain follow-up user cannot place an
enrollment at an administrator's server-action step of their choosing."""

import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import FollowupSecurityCase


@tagged("post_install", "-at_install")
class TestTrustDoor(FollowupSecurityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carla = cls._create_customer("Carla Conti", "carla")
        # A contact outside the sequence's filter (not a customer), readable by users.
        cls.victim = cls.env["res.partner"].create(
            {"name": "Vittorio Victim", "email": "vittorio@example.com", "comment": "untouched"}
        )
        cls.server_action = cls.env["ir.actions.server"].create(
            {
                "name": "Mark the contact (runs as superuser)",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "record.write({'comment': 'server action ran'})",
            }
        )
        cls.sequence = cls._create_sequence(
            "Admin automation",
            "manual",
            [
                cls._task_step("Prepare", 0, "days"),
                {
                    "name": "Automation",
                    "delay": 30,
                    "delay_unit": "days",
                    "action": "server_action",
                    "channel": "none",
                    "server_action_id": cls.server_action.id,
                },
            ],
            purpose="service",
            partner_domain="[('user_id', '!=', False)]",
        )
        cls.first_step, cls.automation_step = cls.sequence.step_ids
        cls.archived = cls._create_sequence(
            "Archived", "manual", [cls._task_step()], purpose="service"
        )
        cls.archived.action_archive()

    def _rpc(self, user, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, user.login, "followup.enrollment", method, list(args), kwargs
        )

    def _vals(self, partner, **values):
        return {
            "sequence_id": self.sequence.id,
            "partner_id": partner.id,
            "origin_model": "res.partner",
            "origin_id": partner.id,
            **values,
        }

    def _assert_refused(self, user, method, *args):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._rpc(user, method, *args)
        self.assertIn(caught.exception.faultCode, (2, 4), caught.exception.faultString[-800:])
        return caught.exception

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model")
    def test_a_plain_user_cannot_run_an_admin_server_action_on_a_contact_of_their_choice(self):
        user = self.user_followup
        past = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=1))
        attempts = [
            # at the server-action step, due at once, on a contact outside the filter
            self._vals(self.victim, next_step_id=self.automation_step.id, next_date=past),
            # the same on a contact inside the filter
            self._vals(self.carla, next_step_id=self.automation_step.id, next_date=past),
            self._vals(self.carla, next_step_id=self.automation_step.id),
            self._vals(self.carla, next_date=past),
            # outside the filter at the first step
            self._vals(self.victim),
            # an archived sequence
            dict(self._vals(self.carla), sequence_id=self.archived.id),
            # already finished or stopped
            self._vals(self.carla, state="done"),
        ]
        for vals in attempts:
            with self.subTest(vals=vals):
                self._assert_refused(user, "create", vals)
        self.assertFalse(self._enrollments(self.sequence), "nothing entered")

        # Through the door: the first step, a contact in the filter.
        [enrollment_id] = self._rpc(user, "create", [self._vals(self.carla)])
        enrollment = self.env["followup.enrollment"].browse(enrollment_id)
        self.assertEqual(enrollment.next_step_id, self.first_step)
        # ... and then moved by hand: step, date, contact, sequence, state.
        for vals in (
            {"next_step_id": self.automation_step.id},
            {"next_date": past},
            {"partner_id": self.victim.id},
            {"origin_id": self.victim.id},
            {"state": "done"},
            {"stop_reason": "manual"},
        ):
            with self.subTest(vals=vals):
                fault = self._assert_refused(user, "write", [enrollment_id], vals)
                self.assertIn("Only follow-up managers", fault.faultString)
        self.assertRecordValues(
            enrollment, [{"next_step_id": self.first_step.id, "partner_id": self.carla.id}]
        )

        self.env["followup.dispatcher"]._dispatch_due(now=fields.Datetime.now())
        self.assertNotIn("server action ran", str(self.victim.comment))
        self.assertNotIn("server action ran", str(self.carla.comment))

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model")
    def test_the_door_of_enroll_cannot_be_opened_from_an_rpc_context(self):
        """enroll() lets its own values through with a context key an RPC caller can
        name but never fill (DOOR_KEY): a caller setting it chooses nothing."""
        past = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=1))
        vals = self._vals(self.carla, next_step_id=self.automation_step.id, next_date=past)
        for value in (True, 1, "open", {"open": True}):
            with self.subTest(value=value), self.assertRaises(xmlrpc.client.Fault):
                self.xmlrpc_object.execute_kw(
                    get_db_name(),
                    self.user_followup.id,
                    self.user_followup.login,
                    "followup.enrollment",
                    "create",
                    [vals],
                    {"context": {"followup_enroll_door": value}},
                )
        self.assertFalse(self._enrollments(self.sequence), "nothing entered")

    @mute_logger("odoo.http")
    def test_enroll_over_rpc_and_stopping_still_work_for_a_plain_user(self):
        user = self.user_followup
        ids = self.xmlrpc_object.execute_kw(
            get_db_name(),
            user.id,
            user.login,
            "followup.sequence",
            "enroll",
            [self.sequence.ids, self.carla.ids],
            {},
        )
        enrollment = self.env["followup.enrollment"].browse(ids)
        self.assertTrue(enrollment.next_date, "scheduled by the add-on")
        self.assertIs(self._rpc(user, "action_stop", ids, "manual", "On the phone"), True)
        self.assertRecordValues(enrollment, [{"state": "stopped", "stop_note": "On the phone"}])
        # A salesperson may still hand the follow-up to a colleague.
        self._rpc(user, "write", ids, {"user_id": self.user_salesman.id})
        self.assertEqual(enrollment.user_id, self.user_salesman)

    def test_a_manager_moves_an_enrollment_by_hand_and_the_chatter_says_who(self):
        [enrollment_id] = self.sequence.enroll(self.carla.ids)
        enrollment = self.env["followup.enrollment"].browse(enrollment_id)
        enrollment.with_user(self.user_manager).write(
            {"next_step_id": self.automation_step.id, "next_date": "2026-12-01 09:00:00"}
        )
        self.assertEqual(enrollment.next_step_id, self.automation_step)
        note = enrollment.message_ids[:1]
        self.assertIn("Moved by hand by Mia Manager", note.body)
        self.assertIn("Automation", note.body)

    @mute_logger("odoo.http")
    def test_even_a_manager_enrolls_only_inside_the_filter_of_an_active_sequence(self):
        manager = self.user_manager
        archived = dict(self._vals(self.carla), sequence_id=self.archived.id)
        for vals in (self._vals(self.victim), archived):
            with self.subTest(vals=vals):
                self._assert_refused(manager, "create", vals)
