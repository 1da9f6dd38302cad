from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .common import FollowupCase, FollowupSequenceCase


@tagged("post_install", "-at_install")
class TestSequence(FollowupSequenceCase):
    def test_steps_follow_their_handle_order(self):
        first, second = self.sequence_manual.step_ids
        second.sequence, first.sequence = 1, 2
        self.sequence_manual.invalidate_recordset(["step_ids"])
        self.assertEqual(self.sequence_manual.step_ids, second | first)
        self.assertEqual(self.sequence_manual.step_ids[:1], second)

    def test_step_constraints_explain_what_is_wrong(self):
        step = self.sequence_manual.step_ids[0]
        email = {"action": "email", "channel": "email"}
        cases = [
            (
                "activity without type",
                {"action": "activity", "activity_type_id": False},
                "needs an activity type",
            ),
            ("email without template", {**email, "mail_template_id": False}, "needs an e-mail"),
            (
                "server action without action",
                {"action": "server_action", "channel": "none", "server_action_id": False},
                "needs a server action",
            ),
            ("negative delay", {"delay": -2}, "negative delay"),
            (
                "email on another channel",
                {**email, "mail_template_id": self.template_partner.id, "channel": "phone"},
                "its channel must be E-mail",
            ),
            (
                "fixed user missing",
                {"responsible_type": "fixed_user", "responsible_id": False},
                "choose the user",
            ),
        ]
        for label, values, message in cases:
            with (
                self.subTest(label),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                step.write(values)
                step.flush_recordset()

    def test_an_active_sequence_needs_steps(self):
        with self.assertRaisesRegex(ValidationError, "has no steps"):
            self.env["followup.sequence"].create({"name": "Empty"})
        draft = self.env["followup.sequence"].create({"name": "Draft", "active": False})
        with self.assertRaisesRegex(ValidationError, "has no steps"):
            draft.action_unarchive()

    def test_partner_filter_must_be_a_valid_domain(self):
        with self.assertRaisesRegex(ValidationError, "not a valid filter"):
            self.sequence_manual.partner_domain = "[('no_such_field', '=', 1)]"
        self.sequence_manual.partner_domain = "[('email', '!=', False)]"

    def test_kanban_counts_enrollments_by_state(self):
        partners = self.customer | self.customer_sa
        enrollments = self.env["followup.enrollment"].browse(self.sequence_manual.enroll(partners))
        enrollments[0]._stop("manual")
        self.env["followup.sequence"].invalidate_model()
        self.assertEqual(self.sequence_manual.enrollment_active_count, 1)
        self.assertEqual(self.sequence_manual.enrollment_stopped_count, 1)
        self.assertEqual(self.sequence_manual.enrollment_done_count, 0)

    def test_archiving_a_sequence_stops_its_enrollments(self):
        enrollment = self.env["followup.enrollment"].browse(
            self.sequence_manual.enroll(self.customer)
        )
        self.sequence_manual.action_archive()
        self.assertEqual(enrollment.state, "stopped")
        self.assertEqual(enrollment.stop_reason, "sequence_archived")

    @users("fm_salesman")
    def test_salesman_reads_sequences_but_cannot_configure_them(self):
        sequence = self.sequence_manual.with_user(self.env.user)
        self.assertEqual(sequence.name, "Nurture")
        with self.assertRaises(AccessError):
            sequence.write({"name": "Mine"})
        with self.assertRaises(AccessError):
            sequence.step_ids[0].write({"delay": 1})


@tagged("post_install", "-at_install")
class TestSequenceDemo(FollowupCase):
    def test_the_demo_shows_every_trigger_stage_and_consent_state(self):
        """A person trying the add-on finds an example of everything it knows."""
        demo_sequences = self.env["followup.sequence"].search(
            [("id", "in", self._demo_ids("followup.sequence"))]
        )
        triggers = dict(self.env["followup.sequence"]._fields["trigger"].selection)
        self.assertEqual(set(demo_sequences.mapped("trigger")), set(triggers))
        stages = dict(self.env["res.partner"]._fields["lifecycle_stage"].selection)
        self.assertEqual(
            set(self.env["res.partner"].search([]).mapped("lifecycle_stage")), set(stages)
        )
        states = dict(self.env["followup.consent"]._fields["state"].selection)
        self.assertEqual(set(self.env["followup.consent"].search([]).mapped("state")), set(states))

    def _demo_ids(self, model):
        return (
            self.env["ir.model.data"]
            # The demo of the core and of the companions installed with it (their
            # triggers are in the selection too).
            .search([("module", "like", "followup_manager"), ("model", "=", model)])
            .mapped("res_id")
        )
