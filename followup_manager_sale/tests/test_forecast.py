"""Moved from followup_manager/tests/test_forecast.py: the tests that need Sales."""

from collections import Counter
from datetime import datetime, timedelta

from lxml import html

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestForecastSale(FollowupSaleMixin, FollowupDispatchCase):
    FRIDAY = datetime(2026, 11, 27, 17, 30)

    DAYS = 14

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Forecast = cls.env["followup.forecast"]
        customer = cls._create_customer
        cls.nina = customer(
            "Nina Newyorker",
            "nina",
            country_id=cls.env.ref("base.us").id,
            tz="America/New_York",
            mobile="+1 212 555 0101",
            phone="+1 212 555 0102",
            user_id=cls.user_salesman_ny.id,
        )
        cls.ravi = customer(
            "Ravi Mumbai",
            "ravi",
            country_id=cls.env.ref("base.in").id,
            tz="Asia/Kolkata",
            mobile="+91 98200 12345",
            phone="+91 22 2345 6789",
        )
        cls.saad = cls.customer_sa
        cls.saad.user_id = cls.user_salesman
        cls.nico = customer("Nico No-consent", "nico")
        cls.rita = customer("Rita Refuses", "rita", followup_no_email=True)
        cls.ivo = customer("Ivo Invalid", "ivo", email="ivo-at-nowhere")
        cls.bea = customer("Bea Blacklisted", "bea")
        cls.eva = customer(
            "Eva Mornings", "eva", followup_hours_start=10.0, followup_hours_end=12.0
        )
        cls.wally = customer("Wally Weekly", "wally", followup_frequency="weekly")
        cls.people = (
            cls.mario
            | cls.nina
            | cls.ravi
            | cls.saad
            | cls.nico
            | cls.rita
            | cls.ivo
            | cls.bea
            | cls.eva
            | cls.wally
        )
        (cls.people - cls.nico).followup_set_consent(
            "email", "granted", "manual", legal_basis="consent"
        )
        (cls.mario | cls.nina | cls.ravi).followup_set_consent(
            "phone", "granted", "manual", legal_basis="consent"
        )
        # After her consent: the opt-out list binds whatever consent says.
        cls.env["mail.blacklist"]._add(cls.bea.email)
        # Marketing: e-mail now, a call the next day, a reminder two business days
        # later (the cap of one contact a week defers it), a last e-mail a week after.
        cls.nurture = cls._create_sequence(
            "Nurture",
            "manual",
            [
                cls._email_step("News", cls.template_partner),
                cls._call_step("Call", 1, "days"),
                cls._email_step("Reminder", cls.template_partner, 2, "business_days"),
                cls._email_step("Last word", cls.template_partner, 1, "weeks"),
            ],
            purpose="marketing",
            partner_domain=repr([("id", "in", cls.people.ids)]),
        )
        # A service sequence competing for the same people's cap (it goes first).
        cls.care = cls._create_sequence(
            "Care",
            "manual",
            [cls._call_step("Check-in call", 0, "hours")],
            purpose="service",
        )

    def _forecast(self, sequence, moment, days=None):
        with self._at(moment):
            return self.Forecast._followup_run(sequence, days=days or self.DAYS, now=moment)

    def _forecast_counts(self, forecast):
        counts = Counter()
        for line in forecast.line_ids:
            key = (
                line.date,
                line.step_id.id,
                line.channel,
                line.user_id.id,
                line.state,
                line.reason or False,
            )
            counts[key] += line.count
        return counts

    def _replay_dispatch(self, sequence, start, days, forecast):
        """Run the dispatch as its cron would: woken each time a step falls due, under
        a frozen clock, until the end of the forecast's horizon. Returns the counts of
        the decisions on ``sequence``, per day (as the forecast counts days), step,
        channel, salesperson, outcome and reason, and the moments of the runs."""
        Enrollment = self.env["followup.enrollment"]
        end = start + timedelta(days=days)
        counts = Counter()
        moments = []
        while True:
            due = Enrollment.search(
                [("state", "=", "active"), ("next_date", "!=", False)],
                order="next_date",
                limit=1,
            )
            if not due or due.next_date >= end:
                break
            moment = max(due.next_date, start)
            moments.append(moment)
            dispatches = self._dispatch(moment)
            for dispatch in dispatches.filtered(lambda d: d.sequence_id == sequence):
                key = (
                    forecast._followup_day(moment),
                    dispatch.step_id.id,
                    dispatch.channel,
                    dispatch.user_id.id,
                    dispatch.state,
                    dispatch.reason or False,
                )
                counts[key] += 1
        return counts, moments

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
