from odoo.tests import HttpCase, tagged

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase
from odoo.addons.mail.tests.common import MockEmail

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestQuoteChaseTour(FollowupSaleMixin, FollowupSequenceCase, HttpCase, MockEmail):
    """A new sales manager builds a quote chase in the sequence's form and previews its
    e-mail on a customer's quotation: the verdict says whether the customer would get
    it, and a test goes to the address typed (issue 28)."""

    # The smallest screen the add-on's forms are made for.
    browser_size = "1280x800"

    def test_manager_builds_a_quote_chase_and_previews_it_on_a_quotation(self):
        customer = self.env["res.partner"].create(
            {"name": "Chased Customer", "email": "chased@example.com", "tz": "Europe/Rome"}
        )
        # On the opt-out list: the verdict does not depend on the day or the hour.
        self.env["mail.blacklist"]._add(customer.email)
        order = self._create_order(customer, name="QC-TOUR-1", user_id=self.user_salesman.id)
        order.action_quotation_sent()
        with self.mock_mail_gateway():
            self.start_tour(
                "/odoo/action-followup_manager.followup_sequence_action",
                "followup_quote_chase_tour",
                login=self.user_manager.login,
            )

        sequence = self.env["followup.sequence"].search([("name", "=", "Quote Chase")])
        self.assertRecordValues(sequence, [{"trigger": "quotation_sent", "purpose": "service"}])
        self.assertRecordValues(
            sequence.step_ids,
            [
                {
                    "name": "Reminder about your quotation",
                    "action": "email",
                    "delay": 2,
                    "delay_unit": "business_days",
                    "mail_template_id": self.env.ref(
                        "followup_manager_sale.mail_template_followup_quotation_reminder"
                    ).id,
                },
                {
                    "name": "Call about the quotation",
                    "action": "activity",
                    "delay": 1,
                    "delay_unit": "business_days",
                    "mail_template_id": False,
                },
            ],
        )
        # One e-mail left, the test, for the typed address only, with the quotation;
        # nobody was enrolled by the preview.
        self.assertEqual(len(self._mails), 1, self._mails)
        self.assertEqual(self._mails[0]["email_to"], ["boss@example.com"])
        self.assertEqual(self._mails[0]["subject"], "[Test] Your quotation QC-TOUR-1")
        self.assertIn("QC-TOUR-1", self._mails[0]["attachments"][0][0])
        self.assertFalse(
            self.env["followup.enrollment"].search([("sequence_id", "=", sequence.id)])
        )
