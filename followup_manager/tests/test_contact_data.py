from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestContactData(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.italy = cls.env.ref("base.it")
        cls.usa = cls.env.ref("base.us")
        cls.uk = cls.env.ref("base.uk")
        cls.california = cls.env.ref("base.state_us_5")

    def _partner(self, **vals):
        return self.env["res.partner"].create({"name": "Paola Phone", **vals})

    # --- phones
    def test_italian_mobile_is_valid_and_receives_sms(self):
        partner = self._partner(country_id=self.italy.id, mobile="347 123 4567")
        self.assertEqual(partner.followup_mobile_e164, "+393471234567")
        self.assertTrue(partner.followup_mobile_valid)
        self.assertEqual(partner.followup_sms_number, "+393471234567")
        self.assertEqual(partner.followup_call_number, "+393471234567")
        self.assertFalse(partner.followup_contact_issue)

    def test_italian_fixed_line_is_callable_but_receives_no_sms(self):
        partner = self._partner(country_id=self.italy.id, phone="02 1234 5678")
        self.assertEqual(partner.followup_phone_e164, "+390212345678")
        self.assertTrue(partner.followup_phone_valid)
        self.assertFalse(partner.followup_sms_number)
        self.assertEqual(partner.followup_call_number, "+390212345678")

    def test_us_number_can_receive_sms(self):
        # North American numbers do not tell mobile from fixed: SMS is allowed.
        partner = self._partner(country_id=self.usa.id, phone="(201) 555-0123")
        self.assertEqual(partner.followup_phone_e164, "+12015550123")
        self.assertEqual(partner.followup_sms_number, "+12015550123")

    def test_uk_mobile_is_valid_and_receives_sms(self):
        partner = self._partner(country_id=self.uk.id, mobile="07400 123456")
        self.assertEqual(partner.followup_mobile_e164, "+447400123456")
        self.assertEqual(partner.followup_sms_number, "+447400123456")

    def test_sms_goes_to_the_mobile_and_calls_to_the_phone(self):
        partner = self._partner(
            country_id=self.italy.id, phone="06 6982 1234", mobile="347 123 4567"
        )
        self.assertEqual(partner.followup_sms_number, "+393471234567")
        self.assertEqual(partner.followup_call_number, "+390669821234")

    def test_invalid_phone_saves_and_is_flagged(self):
        form = Form(self.env["res.partner"])
        form.name = "Ivo Invalid"
        form.country_id = self.italy
        form.phone = "abc"
        partner = form.save()
        self.assertEqual(partner.phone, "abc")
        self.assertFalse(partner.followup_phone_valid)
        self.assertFalse(partner.followup_phone_e164)
        self.assertEqual(partner.followup_phone_error, "unparsable")
        self.assertFalse(partner.followup_call_number)
        self.assertTrue(partner.followup_contact_issue)
        self.assertIn(
            partner, self.env["res.partner"].search([("followup_contact_issue", "=", True)])
        )

    def test_too_short_number_is_invalid(self):
        partner = self._partner(country_id=self.italy.id, mobile="12")
        self.assertEqual(partner.followup_mobile_error, "invalid")
        self.assertFalse(partner.followup_sms_number)
        self.assertTrue(partner.followup_contact_issue)

    def test_national_number_without_country_is_flagged(self):
        partner = self._partner(mobile="347 123 4567")
        self.assertFalse(partner.followup_mobile_valid)
        self.assertEqual(partner.followup_mobile_error, "no_region")
        self.assertTrue(partner.followup_contact_issue)

    def test_international_number_needs_no_country(self):
        partner = self._partner(mobile="+39 347 123 4567")
        self.assertEqual(partner.followup_mobile_e164, "+393471234567")
        self.assertFalse(partner.followup_contact_issue)

    def test_setting_the_country_normalises_the_number_again(self):
        partner = self._partner(mobile="347 123 4567")
        partner.country_id = self.italy
        self.assertEqual(partner.followup_sms_number, "+393471234567")
        self.assertFalse(partner.followup_contact_issue)

    def test_no_number_is_no_issue(self):
        partner = self._partner(country_id=self.italy.id)
        self.assertFalse(partner.followup_phone_error)
        self.assertFalse(partner.followup_mobile_error)
        self.assertFalse(partner.followup_sms_number)
        self.assertFalse(partner.followup_contact_issue)

    # --- e-mail
    def test_email_validity(self):
        cases = [
            ("paola@example.com", True),
            ("Paola Phone <paola@example.com>", True),
            ("paola@example", False),
            ("paola@@example.com", False),
            ("not an e-mail", False),
            ("paola@example.com, other@example.com", False),
        ]
        for email, valid in cases:
            with self.subTest(email=email):
                partner = self._partner(email=email)
                self.assertEqual(partner.followup_email_valid, valid)
                self.assertEqual(partner.followup_contact_issue, not valid)

    def test_no_email_is_not_valid_but_no_issue(self):
        partner = self._partner()
        self.assertFalse(partner.followup_email_valid)
        self.assertFalse(partner.followup_contact_issue)

    # --- time zone
    def test_partner_time_zone_wins(self):
        partner = self._partner(tz="Asia/Tokyo", country_id=self.italy.id)
        self.assertEqual(
            (partner.followup_tz, partner.followup_tz_source), ("Asia/Tokyo", "partner")
        )

    def test_time_zone_from_a_single_zone_country(self):
        partner = self._partner(country_id=self.italy.id)
        self.assertEqual(
            (partner.followup_tz, partner.followup_tz_source), ("Europe/Rome", "country")
        )

    def test_time_zone_from_a_us_state(self):
        partner = self._partner(country_id=self.usa.id, state_id=self.california.id)
        self.assertEqual(
            (partner.followup_tz, partner.followup_tz_source), ("America/Los_Angeles", "state")
        )

    def test_us_without_state_falls_back_to_the_company_time_zone(self):
        self.company.partner_id.tz = "Europe/Rome"
        partner = self._partner(country_id=self.usa.id)
        self.assertEqual(
            (partner.followup_tz, partner.followup_tz_source), ("Europe/Rome", "company")
        )

    def test_nothing_known_means_utc(self):
        self.company.partner_id.tz = False
        partner = self._partner()
        self.assertEqual((partner.followup_tz, partner.followup_tz_source), ("UTC", "default"))

    # --- preferences bind the follow-ups
    def test_dont_call_me_email_only_refuses_calls(self):
        partner = self._partner(
            country_id=self.italy.id,
            email="paola@example.com",
            phone="06 6982 1234",
            followup_preferred_channel="email",
            followup_no_phone=True,
            followup_no_sms=True,
        )
        [result] = partner.followup_check("phone")
        self.assertFalse(result["allowed"])
        self.assertEqual(result["reason"], "channel_refused")

    def test_invalid_number_suppresses_sms(self):
        partner = self._partner(country_id=self.italy.id, mobile="abc")
        partner.followup_set_consent("sms", "granted", "test", legal_basis="consent")
        [result] = partner.followup_check("sms")
        self.assertFalse(result["allowed"])
        self.assertEqual(result["reason"], "invalid_address")

    def test_preferred_hours_must_be_within_the_day(self):
        partner = self._partner()
        with self.assertRaises(ValidationError):
            partner.write({"followup_hours_start": 8.0, "followup_hours_end": 25.0})

    def test_preferences_page_shows_on_the_partner_form(self):
        form = Form(self.env["res.partner"])
        form.name = "Pia Preferences"
        form.country_id = self.italy
        form.followup_preferred_channel = "email"
        form.followup_no_phone = True
        form.followup_hours_start = 9.0
        form.followup_hours_end = 12.0
        form.followup_frequency = "monthly"
        partner = form.save()
        self.assertEqual(form.followup_tz, "Europe/Rome")
        self.assertTrue(partner.followup_no_phone)
        self.assertEqual(partner.followup_frequency, "monthly")
