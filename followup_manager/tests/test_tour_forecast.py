from odoo.tests import HttpCase, tagged

from .common import FollowupSequenceCase


@tagged("post_install", "-at_install")
class TestForecastTour(FollowupSequenceCase, HttpCase):
    def test_manager_forecasts_a_sequence_and_opens_the_reporting(self):
        customers = self.env["res.partner"].create(
            [
                {
                    "name": f"Tour Customer {index}",
                    "email": f"tour{index}@example.com",
                    "country_id": self.env.ref("base.it").id,
                    "tz": "Europe/Rome",
                }
                for index in range(3)
            ]
        )
        sequence = self._create_sequence(
            "Forecast Tour",
            "manual",
            [
                self._call_step("Tour call"),
                self._email_step("Tour news", self.template_partner, 2),
            ],
            purpose="service",
            partner_domain=repr([("id", "in", customers.ids)]),
        )
        # Decisions of another sequence feed the dispatch analysis.
        logged = self._create_sequence(
            "Logged", "manual", [self._call_step("Logged call")], purpose="service"
        )
        logged.enroll(customers.ids)
        self.env["followup.dispatcher"]._dispatch_due()
        self.start_tour(
            f"/odoo/action-followup_manager.followup_sequence_action/{sequence.id}",
            "followup_forecast_tour",
            login=self.user_manager.login,
        )
        forecast = self.env["followup.forecast"].search([("sequence_id", "=", sequence.id)])
        self.assertEqual(len(forecast), 1)
        self.assertEqual(forecast.matching_count, 3)
        self.assertTrue(forecast.line_ids)
        # Forecasting sent nothing and enrolled nobody.
        self.assertFalse(sequence.enrollment_ids)
