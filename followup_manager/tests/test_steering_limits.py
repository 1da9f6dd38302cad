from datetime import datetime

from odoo.tests import tagged

from .common import FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestSteeringLimits(FollowupDispatchCase):
    """Daily limits per salesperson (tasks) and per sender (e-mails)."""

    def _customers(self, count, prefix):
        return self.env["res.partner"].union(
            *(self._create_customer(f"{prefix} {i}", f"{prefix.lower()}{i}") for i in range(count))
        )

    def test_the_salesperson_limit_defers_exactly_the_excess_to_the_next_working_day(self):
        self.company.followup_user_daily_tasks = 3
        sequence = self._sequence("Calls", [self._call_step("Call", 0, "hours")])
        self._enroll(sequence, self._customers(5, "Lim"))
        dispatches = self._dispatch()
        done = dispatches.filtered(lambda d: d.state == "done")
        deferred = dispatches - done
        self.assertEqual((len(done), len(deferred)), (3, 2))
        self.assertEqual(set(deferred.mapped("reason")), {"user_limit"})
        self.assertIn("Sam Salesman already has 3 follow-up tasks today", deferred[0].note)
        # Tuesday 1 December, 9:00 in Rome: the next working day, inside the window.
        self.assertEqual(set(deferred.mapped("next_try")), {datetime(2026, 12, 1, 8, 0)})
        # Later the same day, nothing more for Sam.
        self.assertFalse(self._dispatch(datetime(2026, 11, 30, 15, 0)))

    def test_a_users_own_limit_wins_and_emails_count_per_sender(self):
        self.company.followup_sender_daily_limit = 10
        self.user_salesman.followup_daily_emails = 1
        sequence = self._sequence(
            "Mails",
            [self._email_step("Hello", self.template_partner, 0, "hours")],
        )
        self._enroll(sequence, self._customers(3, "Mail"))
        dispatches = self._dispatch()
        self.assertEqual(sorted(dispatches.mapped("state")), ["deferred", "deferred", "done"])
        self.assertIn("follow-up e-mails today", dispatches.filtered("reason")[0].note)

    def test_the_forecast_shows_where_limits_bite(self):
        self.company.followup_user_daily_tasks = 2
        customers = self._customers(5, "Fc")
        sequence = self._sequence(
            "Calls",
            [self._call_step("Call", 0, "hours")],
            partner_domain=repr([("id", "in", customers.ids)]),
        )
        self._enroll(sequence, customers)
        with self._at(self.MONDAY_10_ROME):
            forecast = self.env["followup.forecast"]._followup_run(
                sequence, days=5, now=self.MONDAY_10_ROME
            )
        lines = forecast.line_ids
        limited = lines.filtered(lambda line: line.reason == "user_limit")
        self.assertTrue(limited)
        done = lines.filtered(lambda line: line.state == "done")
        by_day = {}
        for line in done:
            by_day[line.date] = by_day.get(line.date, 0) + line.count
        self.assertEqual([by_day[day] for day in sorted(by_day)], [2, 2, 1])
