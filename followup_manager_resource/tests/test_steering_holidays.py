from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestSteeringHolidays(FollowupDispatchCase):
    """The company's public holidays (its working calendar's global leaves)."""

    # Tuesday 8 December 2026, 10:00 in Rome: the Immaculate Conception.
    HOLIDAY_10_ROME = datetime(2026, 12, 8, 9, 0)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        work = cls.env["resource.calendar"].create({"name": "Rome office", "tz": "Europe/Rome"})
        cls.company.resource_calendar_id = work
        cls.env["resource.calendar.leaves"].search(
            [("calendar_id", "=", work.id), ("resource_id", "=", False)]
        ).unlink()
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Immacolata Concezione",
                "calendar_id": work.id,
                "date_from": datetime(2026, 12, 7, 23, 0),
                "date_to": datetime(2026, 12, 8, 22, 59, 59),
            }
        )

    def test_no_contact_on_a_public_holiday(self):
        sequence = self._sequence(
            "Care", [self._email_step("Hello", self.template_partner, 0, "hours")]
        )
        enrollment = self._enroll(sequence, self.mario, moment=self.HOLIDAY_10_ROME)
        dispatch = self._dispatch(self.HOLIDAY_10_ROME)
        self.assertEqual((dispatch.state, dispatch.reason), ("deferred", "holiday"))
        self.assertIn("public holiday", dispatch.note)
        # Wednesday 9 December, 9:00 in Rome.
        self.assertEqual(enrollment.next_date, datetime(2026, 12, 9, 8, 0))

    def test_a_business_day_delay_skips_the_holiday(self):
        sequence = self._sequence(
            "Visit", [self._task_step("Prepare"), self._task_step("Call", 1, "business_days")]
        )
        monday = self.HOLIDAY_10_ROME - timedelta(days=1)
        enrollment = self._enroll(sequence, self.mario, moment=monday)
        self._dispatch(monday)
        self.assertEqual(enrollment.next_date, datetime(2026, 12, 9, 9, 0))

    def test_without_business_days_the_holiday_is_a_day_like_another(self):
        self.company.followup_business_days = False
        sequence = self._sequence(
            "Care", [self._email_step("Hello", self.template_partner, 0, "hours")]
        )
        self._enroll(sequence, self.mario, moment=self.HOLIDAY_10_ROME)
        self.assertEqual(self._dispatch(self.HOLIDAY_10_ROME).state, "done")
