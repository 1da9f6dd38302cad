"""The seeds' touchpoints (issue 14, point 1): a quotation sent, a question received, a
lifecycle stage reached (a meeting done: followup_manager_calendar). Each enrolls, stops on
the events named, costs the same number of queries for one document as for many, and never
makes the user's act fail."""

from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FollowupSequenceCase

# Valid Python, a valid domain for the ORM, refused by the database.
BAD_FILTER = "[('id', '=', 'abc')]"


class TouchpointCase(FollowupSequenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence_question = cls._create_sequence(
            "Did we answer?",
            "question_received",
            [
                cls._email_step("We are on it", cls.template_partner, urgent=True),
                cls._call_step("Answer", 2, "hours", channel="none"),
            ],
            purpose="service",
        )

    def _break(self, sequence):
        """Make ``sequence`` fail when it enrolls (data saved by an older version)."""
        self.env.cr.execute(
            "UPDATE followup_sequence SET partner_domain = %s, sequence = 0 WHERE id = %s",
            [BAD_FILTER, sequence.id],
        )
        sequence.invalidate_recordset()
        return sequence

    def _broken_copy(self, sequence):
        return self._break(sequence.copy({"name": f"Broken {sequence.name}"}))

    def _assert_skipped(self, broken):
        broken.invalidate_recordset()
        self.assertIn("Partners could not be enrolled", broken.followup_error or "")
        self.assertFalse(self._enrollments(broken))


@tagged("post_install", "-at_install")
@tagged("post_install", "-at_install")
class TestStageReached(TouchpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        step = [cls._call_step("Call", 1, "days")]
        cls.by_stage = {
            stage: cls._create_sequence(
                f"Stage {stage}", "stage_reached", step, trigger_stage=stage
            )
            for stage in ("prospect", "customer", "loyal", "inactive")
        }

    def _visitor(self, name="Vera Visitor"):
        return self.env["res.partner"].create({"name": name, "email": "vera@example.com"})

    def test_a_stage_written_directly_starts_its_sequences_too(self):
        vera = self._visitor()
        vera.write({"lifecycle_stage": "loyal"})  # an import, an RPC client
        self.assertEqual(self._enrollments(self.by_stage["loyal"]).partner_id, vera)
        vera.write({"lifecycle_stage": "loyal"})
        self.assertEqual(len(self._enrollments(self.by_stage["loyal"])), 1)

    def test_a_stage_sequence_needs_its_stage(self):
        with self.assertRaisesRegex(ValidationError, "choose the stage"):
            self._create_sequence("No stage", "stage_reached", [self._call_step("Call")])

    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_a_broken_sequence_does_not_stop_the_stage_change(self):
        broken = self._broken_copy(self.by_stage["loyal"])
        self.customer._followup_set_lifecycle_stage("loyal", "VIP")
        self.assertEqual(self.customer.lifecycle_stage, "loyal")
        self.assertEqual(self._enrollments(self.by_stage["loyal"]).partner_id, self.customer)
        self._assert_skipped(broken)


@tagged("post_install", "-at_install")
class TestTouchpointForecast(TouchpointCase):
    """The forecast estimates the new triggers from the events each would have fired on."""

    def _history(self, sequence):
        forecast = self.env["followup.forecast"].new({"sequence_id": sequence.id})
        now = datetime.now() + timedelta(minutes=1)
        history = forecast._followup_trigger_history(now - timedelta(days=90), now)
        # Only this test's customers (the demo data has its own history).
        ours = self.customer | self.customer_sa
        return [(partner, origin, at) for partner, origin, at in history if partner in ours]
