"""The cap counts a contact made a moment ago (issue #18).

The dispatch reads its clock with whole seconds (``fields.Datetime.now()``) while the
database stamps the contact it logs with microseconds (the transaction's timestamp). Two
runs for the same partner inside one second must still see each other's contacts."""

from datetime import timedelta

from odoo.tests import tagged

from .common import FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestCapPrecision(FollowupDispatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first, cls.second = (
            cls._create_sequence(name, "manual", [cls._call_step("Call")], purpose="service")
            for name in ("First", "Second")
        )

    def _within_one_second(self):
        """The real clock inside one second: Python reads 10:00:00.7 (the dispatch keeps
        10:00:00), the transaction began at 10:00:00.3 (the log's stamp)."""
        moment = self.MONDAY_10_ROME
        return self._at(
            moment + timedelta(microseconds=700_000),
            stamp=moment + timedelta(microseconds=300_000),
        )

    def _assert_one_contact_and_one_deferral(self, dispatches):
        self.assertEqual(len(dispatches), 2)
        done = dispatches.filtered(lambda dispatch: dispatch.state == "done")
        deferred = dispatches - done
        self.assertEqual(len(done), 1)
        self.assertEqual(done.create_date.microsecond, 300_000)
        self.assertRecordValues(
            deferred,
            [
                {
                    "state": "deferred",
                    "reason": "cap",
                    # Seven days after the contact's whole second: Monday 7 December,
                    # 10:00 in Rome.
                    "next_try": self.MONDAY_10_ROME + timedelta(days=7),
                }
            ],
        )
        self.assertEqual(deferred.enrollment_id.next_date, self.MONDAY_10_ROME + timedelta(days=7))

    def test_two_batches_of_one_run_within_a_second_contact_once(self):
        enrollments = self._enroll(self.first, self.mario) | self._enroll(self.second, self.mario)
        with self._within_one_second():
            # No ``now``: each batch reads the clock, as the cron does.
            dispatches = self.dispatcher._dispatch_due(batch_size=1)
        self.assertEqual(dispatches.enrollment_id, enrollments)
        self._assert_one_contact_and_one_deferral(dispatches)

    def test_a_run_now_and_the_cron_within_a_second_contact_once(self):
        first = self._enroll(self.first, self.mario)
        second = self._enroll(self.second, self.mario)
        with self._within_one_second():
            dispatches = self.dispatcher._dispatch_due(enrollment_ids=first.ids)
            dispatches |= self.dispatcher._dispatch_due()
        self.assertEqual(dispatches.enrollment_id, first | second)
        self._assert_one_contact_and_one_deferral(dispatches)

    def test_followup_check_sees_a_contact_made_in_the_same_second(self):
        self.mario.followup_set_consent("phone", "granted", "manual")
        self._enroll(self.first, self.mario)
        with self._within_one_second():
            self.dispatcher._dispatch_due()
            [result] = self.mario.followup_check("phone")
        self.assertFalse(result["allowed"])
        self.assertEqual(result["reason"], "cap")
        self.assertEqual(result["next_allowed"], "2026-12-07 09:00:00")
