"""Moved from followup_manager/tests/test_security.py: the tests that need Sales."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase

from .common import FollowupSaleMixin

OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

USERS = ("employee", "user", "salesman", "auditor", "manager", "admin", "portal", "public")

MATRIX = {
    #                          employee user  salesman auditor manager admin  portal public
    "followup.consent": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.consent.event": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.consent.request": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.sequence": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.step": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.enrollment": ("", "rwc", "rwc", "r", "rwcu", "rwcu", "", ""),
    "followup.dispatch": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.delivery": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.forecast": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.forecast.line": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.enroll.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    # Mass enrollments: queued by users, run by the cron, never edited by hand.
    "followup.enroll.job": ("", "rc", "rc", "r", "rcu", "rcu", "", ""),
    "followup.stop.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.snooze.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.step.preview": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.lifecycle.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.consent.record": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.company.settings": ("", "", "", "", "rwcu", "rwcu", "", ""),
    # The Italian opt-out register: managers import (answers are written by the import
    # only, never by hand), auditors read.
    "followup.rpo.entry": ("", "", "", "r", "r", "r", "", ""),
    "followup.rpo.answer": ("", "", "", "r", "r", "r", "", ""),
    "followup.rpo.import": ("", "", "", "r", "rc", "rc", "", ""),
    "followup.rpo.export": ("", "", "", "", "rwcu", "rwcu", "", ""),
    "followup.rpo.import.wizard": ("", "", "", "", "rwcu", "rwcu", "", ""),
}


@tagged("post_install", "-at_install")
class TestFollowupAccessMatrixSale(FollowupSaleMixin, FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "employee": cls.user_employee,
            "user": cls.user_followup,
            "salesman": cls.user_salesman,
            "auditor": cls.user_auditor,
            "manager": cls.user_manager,
            "admin": cls.user_admin,
            "portal": cls.user_portal,
            "public": cls.user_public,
        }
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.mario.followup_set_consent("email", "granted", "manual", proof="Yes, e-mail me")
        cls.consent = cls.env["followup.consent"].search([("partner_id", "=", cls.mario.id)])
        cls.event = cls.env["followup.consent.event"].search([("partner_id", "=", cls.mario.id)])
        cls.enrollment = cls.env["followup.enrollment"].browse(
            cls.sequence_manual.enroll(cls.mario.ids)
        )
        cls.dispatch = cls.env["followup.dispatch"].create(
            {
                "enrollment_id": cls.enrollment.id,
                "step_id": cls.enrollment.next_step_id.id,
                "channel": "phone",
                "state": "deferred",
                "reason": "quiet_hours",
            }
        )
        cls.forecast = cls.env["followup.forecast"].create({"sequence_id": cls.sequence_manual.id})
        cls.forecast_line = cls.env["followup.forecast.line"].create(
            {"forecast_id": cls.forecast.id, "date": "2026-12-01", "state": "done", "count": 1}
        )

    def test_a_document_the_user_cannot_read_never_becomes_a_followed_up_document(self):
        # Nina (Sales / User: own documents) does not read Sam's order; the dispatch
        # would post and mail as superuser on it.
        order = self._create_order(self.mario, user_id=self.user_salesman.id)
        nina = self.user_salesman_ny
        with self.assertRaises(AccessError):
            order.with_user(nina).read(["name"])
        values = {
            "sequence_id": self.sequence_sale.id,
            "partner_id": self.mario.id,
            "origin_model": "sale.order",
            "origin_id": order.id,
        }
        Enrollment = self.env["followup.enrollment"].with_user(nina)
        # (savepoints: an RPC call that raises is rolled back as a whole)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Enrollment.create(values)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.sequence_sale.with_user(nina).enroll(self.mario.ids, "sale.order", order.id)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.enrollment.with_user(nina).write(
                {"origin_model": "sale.order", "origin_id": order.id}
            )
        with (
            self.assertRaisesRegex(UserError, "cannot follow up documents of model res.users"),
            self.env.cr.savepoint(),
        ):
            Enrollment.create(dict(values, origin_model="res.users", origin_id=nina.id))
        # Sam reads his order: he follows it up.
        Enrollment.with_user(self.user_salesman).create(values)

    def test_a_consent_decision_cannot_name_a_document_the_user_cannot_read(self):
        order = self._create_order(self.mario, user_id=self.user_salesman.id)
        carla = self.carla.with_user(self.user_salesman_ny)
        with self.assertRaises(AccessError):
            carla.followup_set_consent("email", "granted", "manual", origin=order)
        with self.assertRaises(AccessError):
            carla.followup_set_consent(
                "email", "granted", "manual", origin=f"sale.order,{order.id}"
            )
        with self.assertRaises(UserError):
            carla.followup_set_consent("email", "granted", "manual", origin="no.such.model,1")
        self.assertFalse(self.carla.followup_consent_ids)
        self.carla.with_user(self.user_salesman).followup_set_consent(
            "email", "granted", "manual", origin=order
        )
        self.assertEqual(self.carla.followup_consent_ids.state, "granted")

    def test_a_user_reads_the_enrollment_of_a_document_they_cannot_read(self):
        order = self._create_order(self.mario, user_id=self.user_salesman.id)
        enrollment = self.env["followup.enrollment"].browse(
            self.sequence_sale.enroll(self.mario.ids, "sale.order", order.id)
        )
        values = enrollment.with_user(self.user_salesman_ny).web_read(
            {"display_name": {}, "origin": {"fields": {"display_name": {}}}, "state": {}}
        )
        self.assertEqual(values[0]["state"], "active")

    def test_the_next_step_is_always_one_of_the_enrollment_sequence(self):
        with self.assertRaises(ValidationError):
            self.enrollment.write({"next_step_id": self.sequence_sale.step_ids[0].id})
        self.enrollment.write({"next_step_id": self.sequence_manual.step_ids[1].id})


from odoo.addons.followup_manager.tests.test_security_public import (  # noqa: E402
    TestFollowupPublicMethods,
)


@tagged("post_install", "-at_install")
class TestFollowupPublicMethodsSale(FollowupSaleMixin, TestFollowupPublicMethods):
    """The public methods of sale orders, in the table of who may call what."""

    DOCUMENT_MODELS = (*TestFollowupPublicMethods.DOCUMENT_MODELS, "sale.order")
    ADDON_MODULES = (
        *TestFollowupPublicMethods.ADDON_MODULES,
        "odoo.addons.followup_manager_sale.",
    )
    # A confirmed order, a quotation sent: Odoo's checks apply, the reaction runs as
    # the system.
    EXTENDED_ACTIONS = ("action_confirm", "action_quotation_sent")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.env["sale.order"].create({"partner_id": cls.carla.id, "user_id": False})

    def _calls(self, user):
        return {
            **super()._calls(user),
            "sale.order.action_view_followup_enrollments": (
                self.order.with_user(user).action_view_followup_enrollments
            ),
        }

    # Odoo runs only the test methods a class defines itself: the table's two tests
    # again, with this add-on's documents in it.
    def test_every_public_method_is_in_the_table(self):
        super().test_every_public_method_is_in_the_table()

    def test_public_methods_as_each_user(self):
        super().test_public_methods_as_each_user()
