"""The seeds' touchpoints (issue 14, point 1): a quotation sent, a meeting done, a question
received, a lifecycle stage reached. Each enrolls, stops on the events named, costs the same
number of queries for one document as for many, and never makes the user's act fail."""

from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FollowupDispatchCase, FollowupSequenceCase

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
class TestMeetingDone(FollowupDispatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template_meeting = cls.env.ref(
            "followup_manager.mail_template_followup_meeting_thank_you"
        )
        cls.sequence_meeting = cls._create_sequence(
            "Thank you for the meeting",
            "meeting_done",
            [
                cls._email_step("Thank-you", cls.template_meeting, 0, "hours"),
                cls._call_step("Send the proposal", 2, "business_days", channel="none"),
            ],
            purpose="service",
        )
        cls.colleague = cls.user_manager.partner_id

    def _meeting(self, name="Kick-off", attendees=None, end=None, **values):
        end = end or self.MONDAY_10_ROME
        return (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": name,
                    "start": end - timedelta(hours=1),
                    "stop": end,
                    "user_id": self.user_salesman.id,
                    "partner_ids": [(6, 0, (attendees or self.mario | self.colleague).ids)],
                    "description": "<p>We agreed on <b>two pilots</b> in January.</p>",
                    **values,
                }
            )
        )

    def _scan(self, moment):
        with self._at(moment):
            self.env["calendar.event"]._cron_followup_meeting_done()

    def test_after_the_meeting_its_external_attendees_are_thanked_on_its_thread(self):
        declining = self._create_customer("Dario Declined", "dario")
        meeting = self._meeting(attendees=self.mario | self.colleague | declining)
        meeting.attendee_ids.filtered(lambda a: a.partner_id == declining).state = "declined"
        self._scan(self.MONDAY_10_ROME - timedelta(minutes=5))
        self.assertFalse(self._enrollments(self.sequence_meeting), "not over yet")
        end = self.MONDAY_10_ROME + timedelta(minutes=5)
        self._scan(end)
        enrollment = self._enrollments(self.sequence_meeting)
        self.assertEqual(enrollment.partner_id, self.mario, "colleagues and decliners are not")
        self.assertEqual(enrollment.origin, meeting)
        self.assertEqual(enrollment.user_id, self.user_salesman)
        # The first step is due at once: the thank-you leaves the same day.
        dispatch = self._dispatch(end)
        self.assertEqual(dispatch.state, "done")
        mail = dispatch.mail_id
        self.assertEqual(mail.subject, "Re: Kick-off")
        self.assertEqual((mail.model, mail.res_id), ("calendar.event", meeting.id))
        self.assertIn("two pilots", mail.body_html)

    def test_the_scan_is_idempotent(self):
        meeting = self._meeting()
        end = self.MONDAY_10_ROME + timedelta(minutes=5)
        self._scan(end)
        self._enrollments(self.sequence_meeting).action_stop()
        self._scan(end + timedelta(hours=1))
        self.assertEqual(len(self._enrollments(self.sequence_meeting)), 1)
        self.assertTrue(meeting.followup_meeting_done)
        # Moved to a later date, the meeting is thanked for when it takes place.
        with self._at(end):
            meeting.write(
                {"start": end + timedelta(days=1), "stop": end + timedelta(days=1, hours=1)}
            )
        self.assertFalse(meeting.followup_meeting_done)
        self._scan(end + timedelta(days=1, hours=2))
        self.assertEqual(len(self._enrollments(self.sequence_meeting)), 2)

    def test_meetings_long_over_when_the_scan_starts_are_not_thanked(self):
        self._meeting(end=self.MONDAY_10_ROME - timedelta(days=10))
        self._scan(self.MONDAY_10_ROME)
        self.assertFalse(self._enrollments(self.sequence_meeting))

    def test_a_meeting_wakes_the_scan_when_it_ends(self):
        cron = self.env.ref("followup_manager.ir_cron_followup_meeting_done")
        # A meeting that ends in the future, whatever the day the test runs.
        end = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=40)
        self._meeting(end=end)
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertIn(end, triggers.mapped("call_at"))

    def test_meetings_ending_in_bulk_cost_the_same_as_a_few(self):
        guests = [self._create_customer(f"Guest {i}", f"guest{i}") for i in range(23)]

        def meetings(count, offset):
            return self.env["calendar.event"].union(
                *(
                    self._meeting(f"M{offset + i}", guests[offset + i] | self.colleague)
                    for i in range(count)
                )
            )

        warm_up, few, many = meetings(1, 0), meetings(2, 1), meetings(20, 3)
        # The first call fills Odoo's caches (defaults, xml ids, groups): not counted.
        warm_up._followup_on_meeting_done()
        few_queries, _ = self._count_queries(few._followup_on_meeting_done)
        many_queries, _ = self._count_queries(many._followup_on_meeting_done)
        self.assertEqual(len(self._enrollments(self.sequence_meeting)), 23)
        self.assertEqual(many_queries, few_queries)

    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_a_broken_sequence_neither_stops_the_scan_nor_the_others(self):
        self.env.cr.execute(
            "UPDATE followup_sequence SET partner_domain = %s WHERE id = %s",
            [BAD_FILTER, self.sequence_meeting.copy({"name": "Broken"}).id],
        )
        self._meeting()
        self._scan(self.MONDAY_10_ROME + timedelta(minutes=5))
        self.assertEqual(self._enrollments(self.sequence_meeting).partner_id, self.mario)


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
