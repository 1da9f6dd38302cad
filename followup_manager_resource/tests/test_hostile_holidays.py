"""Issue 27, hostile input: a public holiday ending in 9999 is refused at save, and one
already stored holds back its own company only, at a bounded cost."""

import time
from datetime import datetime

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase


@tagged("post_install", "-at_install")
class TestHostileHolidays(FollowupSecurityCase):
    """A public holiday ending in 9999, in company A's calendar; company B follows up too."""

    # Monday 30 November 2026, 13:30 in Rome: inside company B's window (13-14).
    MONDAY_1330_ROME = datetime(2026, 11, 30, 12, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar_a = cls.company.resource_calendar_id
        cls.sequence_a = cls._create_sequence(
            "Company A calls", "manual", [cls._call_step("Call A")], purpose="service"
        )
        cls.holiday = cls.env["resource.calendar.leaves"].create(
            {
                "name": "Closed for the works",
                "calendar_id": cls.calendar_a.id,
                "date_from": datetime(2026, 11, 29),
                "date_to": datetime(2026, 12, 3),
            }
        )

    def _round(self, name):
        """Enroll one new customer of each company; dispatch them together; return the
        two enrollments and the time the dispatch took."""
        customer_a = self._create_customer(f"{name} A", f"{name}-a")
        customer_b = self._create_customer(
            f"{name} B", f"{name}-b", company_id=self.company_b.id, user_id=False
        )
        enrollment_a = self._enroll(self.sequence_a, customer_a, self.MONDAY_1330_ROME)
        enrollment_b = self._enroll(self.sequence_b, customer_b, self.MONDAY_1330_ROME)
        started = time.perf_counter()
        self._dispatch(self.MONDAY_1330_ROME)
        elapsed = time.perf_counter() - started
        return enrollment_a, enrollment_b, elapsed

    def _time_check(self, partner):
        partner.followup_set_consent("phone", "granted", "manual")
        self.env.invalidate_all()
        # Timed outside the frozen clock (freezegun freezes perf_counter too).
        started = time.perf_counter()
        with self._at(self.MONDAY_1330_ROME):
            [answer] = partner.followup_check("phone")
        return answer, time.perf_counter() - started

    def test_a_holiday_of_more_than_a_year_is_refused_at_save(self):
        with self.assertRaisesRegex(ValidationError, "more than 366"), self.env.cr.savepoint():
            self.holiday.date_to = datetime(9999, 12, 31, 23, 59, 59)
        with self.assertRaisesRegex(ValidationError, "more than 366"), self.env.cr.savepoint():
            self.env["resource.calendar.leaves"].create(
                {
                    "name": "Typo",
                    "calendar_id": self.calendar_a.id,
                    "date_from": datetime(2026, 12, 24),
                    "date_to": datetime(9999, 12, 31),
                }
            )
        # A long closure under a year is a closure.
        self.holiday.date_to = datetime(2027, 6, 30)

    def test_a_holiday_ending_in_9999_holds_back_its_company_only_and_quickly(self):
        a_before, b_before, baseline = self._round("before")
        check_before, check_baseline = self._time_check(a_before.partner_id)
        # Stored before the check at save existed (or by a script): the bad data is there.
        self.env.cr.execute(
            "UPDATE resource_calendar_leaves SET date_to = '9999-12-31 23:59:59' WHERE id = %s",
            [self.holiday.id],
        )
        self.env.invalidate_all()
        a_after, b_after, elapsed = self._round("after")
        check_after, check_elapsed = self._time_check(a_after.partner_id)

        for enrollment_b in (b_before, b_after):
            self.assertRecordValues(enrollment_b.dispatch_ids, [{"state": "done"}])
        for enrollment_a in (a_before, a_after):
            self.assertRecordValues(
                enrollment_a.dispatch_ids, [{"state": "deferred", "reason": "holiday"}]
            )
        self.assertEqual(check_before["reason"], "holiday")
        self.assertEqual(check_after["reason"], "holiday")
        self.assertGreater(check_after["next_allowed"], "2028-11-30")
        # The cost of the bad holiday is bounded: in the same range as a short one
        # (a wide margin: the machine is shared).
        self.assertLess(elapsed, 10 * baseline)
        self.assertLess(check_elapsed, 10 * check_baseline)
