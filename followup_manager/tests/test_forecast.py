from collections import Counter
from datetime import datetime, timedelta

from lxml import html

from odoo.tests import tagged

from .common import FollowupDispatchCase


class ForecastCase(FollowupDispatchCase):
    """The forecast's fixtures and helpers (here and in the companions' forecast tests)."""

    # Friday 27 November 2026, 17:30 UTC: 18:30 in Rome (inside the window), 12:30 in
    # New York, 23:00 in Mumbai (quiet hours), Friday in Riyadh (the weekend there).
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

    # ------------------------------------------------------------------ helpers

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


@tagged("post_install", "-at_install")
class TestForecast(ForecastCase):
    """The forecast runs the dispatch's decisions on simulated time: what it predicts
    is what the dispatch then does, day by day, on the same data."""

    # ------------------------------------------------------------------ equality

    def test_forecast_equals_what_the_dispatch_then_does(self):
        self._enroll(self.nurture, self.people, self.FRIDAY)
        self._enroll(self.care, self.mario | self.nina, self.FRIDAY)
        forecast = self._forecast(self.nurture, self.FRIDAY)
        self.assertEqual(forecast.enrolled_count, len(self.people))
        self.assertEqual(forecast.competing_count, 2)
        self.assertEqual(forecast.matching_count, 0)
        self.assertEqual(set(forecast.line_ids.mapped("population")), {"enrolled"})
        # Nothing was sent, logged or moved by the forecast.
        self.assertFalse(
            self.env["followup.dispatch"].search(
                [("sequence_id", "in", (self.nurture | self.care).ids)]
            )
        )
        self.assertEqual(set(self._enrollments(self.nurture).mapped("next_date")), {self.FRIDAY})

        expected = self._forecast_counts(forecast)
        actual, _moments = self._replay_dispatch(self.nurture, self.FRIDAY, self.DAYS, forecast)
        self.assertEqual(expected, actual)
        # The scenario covers every kind of outcome, or the equality proves little.
        reasons = {(state, reason) for (_d, _s, _c, _u, state, reason) in expected}
        self.assertGreaterEqual(
            reasons,
            {
                ("done", False),
                ("deferred", "cap"),
                ("deferred", "quiet_hours"),
                ("deferred", "weekend"),
                ("deferred", "preferred_hours"),
                ("suppressed", "no_consent"),
                ("suppressed", "channel_refused"),
                ("suppressed", "invalid_address"),
                ("suppressed", "blacklisted"),
            },
        )
        self.assertEqual(
            forecast.done_count, sum(count for key, count in expected.items() if key[4] == "done")
        )
        self.assertGreater(forecast.deferred_count, 0)
        self.assertGreater(forecast.suppressed_count, 0)

    def test_forecast_of_a_manual_sequence_enrolls_the_matching_people_now(self):
        """Nobody enrolled yet: the forecast enrolls everyone matching the filter at its
        start, which is what the dispatch does once they are enrolled then."""
        forecast = self._forecast(self.nurture, self.FRIDAY)
        self.assertEqual(forecast.enrolled_count, 0)
        self.assertEqual(forecast.matching_count, len(self.people))
        self.assertEqual(set(forecast.line_ids.mapped("population")), {"matching"})
        self.assertFalse(self._enrollments(self.nurture))

        self._enroll(self.nurture, self.people, self.FRIDAY)
        actual, _moments = self._replay_dispatch(self.nurture, self.FRIDAY, self.DAYS, forecast)
        self.assertEqual(self._forecast_counts(forecast), actual)

    def test_forecast_button_opens_the_forecast_and_its_analysis(self):
        self._enroll(self.nurture, self.people, self.FRIDAY)
        with self._at(self.FRIDAY):
            action = self.nurture.with_user(self.user_manager).action_forecast()
        forecast = self.Forecast.browse(action["res_id"])
        self.assertEqual(action["res_model"], "followup.forecast")
        self.assertEqual(forecast.sequence_id, self.nurture)
        self.assertEqual(forecast.days, 30)
        self.assertTrue(forecast.line_ids)
        analysis = forecast.action_view_lines()
        self.assertEqual(analysis["res_model"], "followup.forecast.line")
        self.assertEqual(analysis["domain"], [("forecast_id", "=", forecast.id)])
        self.assertEqual(
            self.env["followup.forecast.line"].search_count(analysis["domain"]),
            len(forecast.line_ids),
        )

    # ------------------------------------------------------------------ headline

    def _headline(self, forecast):
        """{state: the headline's line for it}, as the manager reads the form."""
        table = html.fromstring(str(forecast.with_user(self.user_manager).headline))
        return {
            item.get("data-state"): " ".join(item.text_content().split())
            for item in table.iter("li")
        }

    def test_forecast_headline_gives_each_total_with_its_reasons(self):
        self._enroll(self.nurture, self.people, self.FRIDAY)
        forecast = self._forecast(self.nurture, self.FRIDAY)
        with self._at(self.FRIDAY):
            headline = self._headline(forecast)
        self.assertEqual(list(headline), ["done", "deferred", "suppressed"])
        self.assertEqual(headline["done"], f"Done {forecast.done_count}")
        per_reason = Counter()
        for line in forecast.line_ids.filtered(lambda line: line.state == "suppressed"):
            per_reason[line.reason] += line.count
        # "Suppressed 5: No consent 2, Blacklisted 1, ...": most frequent first.
        total, reasons = headline["suppressed"].split(": ", 1)
        self.assertEqual(total, f"Suppressed {forecast.suppressed_count}")
        labels = dict(
            self.env["followup.forecast.line"]._fields["reason"]._description_selection(self.env)
        )
        read = dict(part.rsplit(" ", 1) for part in reasons.split(", "))
        self.assertEqual(
            {label: int(count) for label, count in read.items()},
            {labels[reason]: count for reason, count in per_reason.items()},
        )
        self.assertEqual(
            [int(count) for count in read.values()],
            sorted(per_reason.values(), reverse=True),
        )
        for label in ("No consent", "Blacklisted", "Invalid address"):
            self.assertIn(label, read)
        deferred_total, deferred = headline["deferred"].split(": ", 1)
        self.assertEqual(deferred_total, f"Deferred {forecast.deferred_count}")
        self.assertIn("Outside the send window", deferred)
        self.assertIn("Weekend", deferred)

    def test_forecast_headline_says_when_nothing_would_happen(self):
        nobody = self._create_sequence(
            "Nobody",
            "manual",
            [self._call_step("Call", 0, "hours")],
            partner_domain=repr([("id", "=", 0)]),
        )
        forecast = self._forecast(nobody, self.FRIDAY)
        self.assertFalse(forecast.line_ids)
        self.assertIn(
            "Nothing would happen",
            html.fromstring(str(forecast.with_user(self.user_manager).headline)).text_content(),
        )

    def test_forecast_title_is_in_the_readers_language(self):
        """Run by an English manager, read by an Italian one: the title follows the
        reader (the sequence's Italian name, the Italian date format)."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        self.nurture.with_context(lang="it_IT").name = "Coltivazione"
        forecast = self._forecast(self.nurture, self.FRIDAY)
        self.assertEqual(
            forecast.with_context(lang="en_US", tz="Europe/Rome").name, "Nurture, from 11/27/2026"
        )
        self.assertEqual(
            forecast.with_context(lang="it_IT", tz="Europe/Rome").name,
            "Coltivazione, dal 27/11/2026",
        )

    def test_forecast_assumptions_are_in_the_readers_language_and_date_format(self):
        """Run by an English manager, read by an Italian one: the assumptions are
        written when read, in the reader's language, time zone and date format (the
        one of the title and the lines)."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        forecast = self._forecast(self.nurture.with_context(lang="en_US"), self.FRIDAY)
        english = forecast.with_context(lang="en_US", tz="Europe/Rome").assumptions
        self.assertIn("Simulated from 11/27/2026 18:30:00 (Europe/Rome) for 14 days", english)
        self.assertIn("Active enrollments of this sequence:", english)
        italian = forecast.with_context(lang="it_IT", tz="Europe/Rome").assumptions
        self.assertIn("27/11/2026 18:30:00 (Europe/Rome)", italian)
        self.assertNotIn("Active enrollments of this sequence", italian)
        self.assertNotIn("Simulated from", italian)

    def test_forecast_graph_shows_every_simulated_day(self):
        """Day by Day gives the graph every simulated day, as the lines count them (the
        graph shows the days without decisions at zero: the forecast tour)."""
        self._enroll(self.nurture, self.people, self.FRIDAY)
        forecast = self._forecast(self.nurture, self.FRIDAY)
        action = forecast.action_view_lines()
        days = action["context"]["followup_forecast_days"]
        self.assertEqual(days, {"from": "2026-11-27", "to": "2026-12-11"})
        self.assertFalse(action["context"]["create"])
        dates = forecast.line_ids.mapped("date")
        self.assertGreaterEqual(str(min(dates)), days["from"])
        self.assertLessEqual(str(max(dates)), days["to"])
