"""Forecasts of large sequences: a number of queries that does not grow with the number
of enrollments, and a sample (said in the assumptions) beyond a configurable size."""

from collections import Counter
from datetime import timedelta

from odoo.tests import tagged

from .common import FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestForecastScale(FollowupDispatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.crowd = cls.env["res.partner"].create(
            [
                {
                    "name": f"Crowd {index}",
                    "email": f"crowd.{index}@example.com",
                    "phone": f"+39 06 4991 {index:04d}",
                    "country_id": cls.env.ref("base.it").id,
                    "tz": "Europe/Rome",
                    "user_id": cls.user_salesman.id,
                }
                for index in range(90)
            ]
        )
        steps = [cls._call_step("Call", 0, "hours"), cls._call_step("Call again", 2, "days")]
        # "Who May Enter" holds the enrolled only: nobody else is enrolled at the start.
        cls.small = cls._create_sequence(
            "Small",
            "manual",
            steps,
            purpose="service",
            partner_domain=repr([("id", "in", cls.crowd[:20].ids)]),
        )
        cls.large = cls._create_sequence(
            "Large",
            "manual",
            steps,
            purpose="service",
            partner_domain=repr([("id", "in", cls.crowd[30:].ids)]),
        )

    def _run(self, sequence):
        with self._at(self.MONDAY_10_ROME):
            return self.env["followup.forecast"]._followup_run(
                sequence, days=7, now=self.MONDAY_10_ROME
            )

    def _counts(self, forecast):
        return Counter(
            {
                (line.date, line.step_id.id, line.state, line.reason): line.count
                for line in forecast.line_ids
            }
        )

    def test_forecast_costs_the_same_queries_for_20_or_60_enrolled(self):
        # Each enrollment due at its own minute: as many simulated runs as enrollments.
        for sequence, crowd in ((self.small, self.crowd[:20]), (self.large, self.crowd[30:])):
            for index, enrollment in enumerate(self._enroll(sequence, crowd)):
                enrollment.next_date = self.MONDAY_10_ROME + timedelta(minutes=index)
        self._run(self.small)  # warm the caches
        few, forecast_few = self._count_queries(self._run, self.small)
        many, forecast_many = self._count_queries(self._run, self.large)
        self.assertEqual((forecast_few.enrolled_count, forecast_many.enrolled_count), (20, 60))
        self.assertEqual(forecast_many.done_count, 3 * forecast_few.done_count)
        self.assertTrue(forecast_few.done_count)
        self.assertEqual(many, few)

    def test_a_sampled_forecast_costs_the_same_queries_for_20_or_60_enrolled(self):
        # Beyond the sample size, the running enrollments are counted in one query
        # and only the sampled ones are read as records.
        self.env["ir.config_parameter"].set_param("followup_manager.forecast_sample_size", 10)
        for sequence, crowd in ((self.small, self.crowd[:20]), (self.large, self.crowd[30:])):
            for index, enrollment in enumerate(self._enroll(sequence, crowd)):
                enrollment.next_date = self.MONDAY_10_ROME + timedelta(minutes=index)
        self._run(self.small)  # warm the caches
        few, forecast_few = self._count_queries(self._run, self.small)
        many, forecast_many = self._count_queries(self._run, self.large)
        self.assertIn("Sampled: 20 enrollments", forecast_few.assumptions)
        self.assertIn("Sampled: 60 enrollments", forecast_many.assumptions)
        self.assertEqual(many, few)

    def test_a_manual_forecast_enrolls_the_matching_people_not_running_in_it_yet(self):
        enrollments = self._enroll(self.large, self.crowd[30:50])
        # Paused ones are still in the sequence: not enrolled again, not simulated.
        enrollments[:5].action_pause()
        forecast = self._run(self.large)
        self.assertEqual(forecast.enrolled_count, 15)
        self.assertEqual(forecast.matching_count, 40)
        self.assertIn("Paused enrollments of this sequence: 5", forecast.assumptions)

    def test_beyond_its_size_a_forecast_samples_people_and_says_so(self):
        self._enroll(self.large, self.crowd[30:])
        full = self._run(self.large)
        self.assertNotIn("Sampled", full.assumptions)
        self.env["ir.config_parameter"].set_param("followup_manager.forecast_sample_size", 20)
        sampled = self._run(self.large)
        # One person in three simulated, every count multiplied by three: alike people
        # give the same forecast.
        self.assertIn("Sampled: 60 enrollments", sampled.assumptions)
        self.assertIn("multiplied by 3.00", sampled.assumptions)
        self.assertEqual(sampled.enrolled_count, 60)
        self.assertEqual(self._counts(sampled), self._counts(full))

    def test_a_sample_follows_no_pattern_of_the_ids(self):
        # Every other person (in the order of their ids) refuses calls: a sample of one
        # person in two taken in that order would keep only one kind of people.
        people = self.crowd[30:]
        people.filtered(lambda p: p.id % 2).followup_no_phone = True
        self._enroll(self.large, people)
        full = self._run(self.large)
        self.env["ir.config_parameter"].set_param("followup_manager.forecast_sample_size", 30)
        sampled = self._run(self.large)
        self.assertIn("Sampled: 60 enrollments", sampled.assumptions)
        self.assertTrue(full.suppressed_count and full.done_count)
        # 30 of the 60 people: about as many of each kind as in the whole (a
        # hypergeometric draw; outside these bounds with a chance below one in ten
        # thousand), where one in two in the order of the ids gives one kind only.
        for count, expected in (
            (sampled.suppressed_count, full.suppressed_count),
            (sampled.done_count, full.done_count),
        ):
            self.assertGreater(count, expected * 0.4)
            self.assertLess(count, expected * 1.6)
