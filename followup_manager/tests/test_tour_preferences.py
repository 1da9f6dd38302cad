from urllib.parse import urlparse

from odoo.tests import HttpCase, tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestFollowupPreferencesTour(FollowupCase, HttpCase):
    def test_person_refuses_email_on_the_preference_page(self):
        partner = self.env["res.partner"].create(
            {"name": "Tina Tour", "email": "tina@example.com", "lang": "en_US"}
        )
        partner.followup_set_consent(
            "email", "granted", "manual", legal_basis="consent", proof="Said yes at the fair"
        )
        path = urlparse(partner._followup_preferences_url()).path
        # No login: the person only has the link from the e-mail.
        self.start_tour(path, "followup_preferences_tour")
        partner.invalidate_recordset()
        self.assertTrue(partner.followup_no_email)
        self.assertEqual(partner.followup_preferred_channel, "sms")
        email = partner.followup_consent_ids.filtered(lambda consent: consent.channel == "email")
        self.assertEqual(email.state, "withdrawn")
        self.assertEqual(email.source, "preference_page")
