"""Moved from followup_manager/tests/test_forecast.py: the tests that need Sales."""

from datetime import timedelta

from lxml import html

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.test_forecast import ForecastCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestForecastSale(FollowupSaleMixin, ForecastCase):
    def test_forecast_of_a_trigger_uses_its_daily_volume_over_the_last_90_days(self):
        """Nine orders in 90 days: 0.1 a day, so three entries in 30 days, taking the
        customers and time of day of the most recent orders in turn."""
        start = self.MONDAY_10_ROME  # Monday 30 November 2026, 09:00 UTC
        buyers = self.mario | self.nina | self.wally
        # Confirmed at 10:00 UTC (an hour after the time of day of the start), the
        # newest of each buyer last; created as confirmed so that no sequence fires.
        for index in range(9):
            self.env["sale.order"].create(
                {
                    "partner_id": buyers[index % 3].id,
                    "state": "sale",
                    "date_order": start.replace(hour=10) - timedelta(days=80 - index * 8),
                    "user_id": self.user_salesman.id,
                }
            )
        thanks = self._create_sequence(
            "Thanks",
            "sale_order_confirmed",
            [self._email_step("Thank you", self.template_order, 0, "hours")],
            purpose="service",
            partner_domain=repr([("id", "in", buyers.ids)]),
        )
        forecast = self._forecast(thanks, start, days=30)
        self.assertAlmostEqual(forecast.daily_volume, 0.1)
        self.assertEqual(forecast.trigger_count, 3)
        # Entries on days 9, 19 and 29 at 10:00 UTC: Wednesday 9, Saturday 19 (the
        # weekend in Italy: deferred to Monday) and Tuesday 29 December.
        lines = forecast.line_ids
        self.assertEqual(set(lines.mapped("population")), {"trigger"})
        done = lines.filtered(lambda line: line.state == "done")
        self.assertEqual(sum(done.mapped("count")), 3)
        self.assertEqual(
            sorted(str(line.date) for line in done),
            ["2026-12-09", "2026-12-21", "2026-12-29"],
        )
        deferred = lines.filtered(lambda line: line.state == "deferred")
        self.assertEqual(deferred.mapped("reason"), ["weekend"])
        self.assertEqual(sum(deferred.mapped("count")), 1)
        self.assertEqual(set(lines.mapped("user_id")), {self.user_salesman})
        self.assertIn("0.10", forecast.assumptions)

    def _headline(self, forecast):
        """{state: the headline's line for it}, as the manager reads the form."""
        table = html.fromstring(str(forecast.with_user(self.user_manager).headline))
        return {
            item.get("data-state"): " ".join(item.text_content().split())
            for item in table.iter("li")
        }
