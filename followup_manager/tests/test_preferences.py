"""The person's side of consent: signed links, preference page, RFC 8058
one-click unsubscribe, double opt-in, and the headers of follow-up mails."""

import re

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MockEmail

from .common import CSRF_RE, FollowupCase, url_path
from .test_trust_proof import issue_confirm_url


@tagged("post_install", "-at_install")
class TestFollowupPreferences(FollowupCase, HttpCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.partner = cls.env["res.partner"].create(
            {"name": "Paula Person", "email": "Paula@Example.com", "lang": "en_US"}
        )
        cls.other_partner = cls.env["res.partner"].create(
            {"name": "Otto Other", "email": "otto@example.com", "lang": "en_US"}
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _events(self, partner=None):
        return self._consent_events(partner or self.partner)

    def _consent(self, channel="email", partner=None):
        partner = partner or self.partner
        partner.invalidate_recordset()
        return partner.followup_consent_ids.filtered(lambda consent: consent.channel == channel)

    def _grant_email(self, partner=None):
        (partner or self.partner).followup_set_consent(
            "email", "granted", "manual", legal_basis="consent", proof="Said yes on the phone"
        )

    def _get(self, url, **kwargs):
        response = self.url_open(url_path(url), **kwargs)
        self.env.invalidate_all()
        return response

    def _post(self, url, data, **kwargs):
        response = self.url_open(url_path(url), data=data, **kwargs)
        self.env.invalidate_all()
        return response

    def _csrf_token(self, url):
        """Open the page (as a browser would) and read its form's CSRF token."""
        page = self._get(url)
        self.assertEqual(page.status_code, 200)
        csrf = CSRF_RE.search(page.text)
        self.assertTrue(csrf, "the page has a form with a CSRF token")
        return csrf.group(1)

    def _form_post(self, url, data):
        """Open the page and submit its form."""
        return self._post(url, dict(data, csrf_token=self._csrf_token(url)))

    def _tampered(self, url):
        head, token = url.rsplit("/", 1)
        return f"{head}/{token[:-1]}{'0' if token[-1] != '0' else '1'}"

    # ------------------------------------------------------------------
    # tokens
    # ------------------------------------------------------------------

    def test_token_is_bound_to_partner_scope_and_address(self):
        token = self.partner._followup_token("preferences")
        self.assertEqual(self.partner._followup_check_token("preferences", token), "valid")
        self.assertEqual(self.partner._followup_check_token("unsubscribe", token), "invalid")
        self.assertEqual(self.other_partner._followup_check_token("preferences", token), "invalid")
        self.assertEqual(
            self.partner._followup_check_token("preferences", token.upper()), "invalid"
        )
        self.assertEqual(self.partner._followup_check_token("preferences", ""), "invalid")
        self.partner.email = "paula.new@example.com"
        self.assertEqual(
            self.partner._followup_check_token("preferences", token),
            "invalid",
            "a link sent to a former address stops working",
        )

    def test_confirm_token_is_the_secret_of_a_request_the_add_on_issued(self):
        token = issue_confirm_url(self.partner).rsplit("/", 1)[1]
        self.assertEqual(self.partner._followup_check_token("confirm", token), "valid")
        expired = issue_confirm_url(self.partner, days=-1).rsplit("/", 1)[1]
        self.assertEqual(self.partner._followup_check_token("confirm", expired), "expired")
        self.assertEqual(
            self.other_partner._followup_check_token("confirm", token),
            "no_request",
            "a request belongs to its partner",
        )
        unsent = self.partner._followup_confirm_url().rsplit("/", 1)[1]
        self.assertEqual(
            self.partner._followup_check_token("confirm", unsent),
            "no_request",
            "a link rendered outside the request mail answers no request",
        )

    # ------------------------------------------------------------------
    # preference page
    # ------------------------------------------------------------------

    def test_get_preference_page_shows_channels_and_changes_nothing(self):
        self._grant_email()
        events_before = self._events()
        response = self._get(self.partner._followup_preferences_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("Paula Person", response.text)
        for channel in ("email", "sms", "phone", "whatsapp", "post"):
            self.assertIn(f'name="channel_{channel}"', response.text)
        self.assertIn('name="followup_preferred_channel"', response.text)
        self.assertIn('name="followup_frequency"', response.text)
        self.assertIn("You agreed on", response.text, "the current e-mail state is shown")
        self.assertNotIn(
            'href="/web/login"', response.text, "the person came to decide, not sign in"
        )
        self.assertEqual(self._events(), events_before)
        self.assertEqual(self._consent().state, "granted")

    def test_post_preferences_saves_and_says_what_was_saved(self):
        self._grant_email()
        response = self._form_post(
            self.partner._followup_preferences_url(),
            {
                "channel_email": "never",
                "channel_sms": "yes",
                "followup_preferred_channel": "sms",
                "followup_frequency": "monthly",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Saved. Here is what changed", response.text)
        self.assertIn("Never e-mail me", response.text)
        self.assertTrue(self.partner.followup_no_email)
        self.assertEqual(self.partner.followup_preferred_channel, "sms")
        self.assertEqual(self.partner.followup_frequency, "monthly")
        self.assertEqual(self._consent("email").state, "withdrawn")
        self.assertEqual(
            (self._consent("sms").state, self._consent("sms").legal_basis), ("granted", "consent")
        )
        page_events = self._events().filtered(lambda event: event.source == "preference_page")
        self.assertEqual(sorted(page_events.mapped("channel")), ["email", "sms"])
        email_event = page_events.filtered(lambda event: event.channel == "email")
        self.assertIn("Never e-mail me", email_event.proof)

    def test_post_untouched_preferences_records_nothing(self):
        self._grant_email()
        events_before = self._events()
        response = self._form_post(
            self.partner._followup_preferences_url(),
            {
                "channel_email": "yes",
                "followup_preferred_channel": "",
                "followup_frequency": "default",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Nothing changed", response.text)
        self.assertEqual(self._events(), events_before)

    @mute_logger("odoo.http")
    def test_post_preferences_without_csrf_token_is_refused(self):
        self._grant_email()
        response = self._post(self.partner._followup_preferences_url(), {"channel_email": "never"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.partner.followup_no_email)
        self.assertEqual(self._consent().state, "granted")

    # ------------------------------------------------------------------
    # one-click unsubscribe
    # ------------------------------------------------------------------

    def test_one_click_post_withdraws_email_consent_with_one_event(self):
        self._grant_email()
        events_before = self._events()
        # A mail provider posts without any cookie or CSRF token.
        response = self._post(
            self.partner._followup_unsubscribe_url(), {"List-Unsubscribe": "One-Click"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("You are unsubscribed", response.text)
        self.assertEqual(self._consent().state, "withdrawn")
        new_events = self._events() - events_before
        self.assertEqual(len(new_events), 1)
        self.assertEqual(
            (new_events.channel, new_events.state, new_events.source),
            ("email", "withdrawn", "one_click_unsubscribe"),
        )
        self.assertIn("RFC 8058", new_events.proof)
        self.assertIn("paula@example.com", new_events.proof)

    def test_get_on_unsubscribe_url_only_asks(self):
        self._grant_email()
        events_before = self._events()
        response = self._get(self.partner._followup_unsubscribe_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_followup_unsubscribe_form", response.text, "a button that POSTs")
        self.assertEqual(self._consent().state, "granted")
        self.assertEqual(self._events(), events_before)

    def test_unsubscribe_button_on_the_page_withdraws(self):
        self._grant_email()
        response = self._form_post(self.partner._followup_unsubscribe_url(), {})
        self.assertIn("You are unsubscribed", response.text)
        event = self._events()[-1]
        self.assertEqual((event.state, event.source), ("withdrawn", "one_click_unsubscribe"))
        self.assertIn("Unsubscribe button pressed", event.proof)

    def test_replay_after_withdrawal_is_idempotent(self):
        self._grant_email()
        url = self.partner._followup_unsubscribe_url()
        self._post(url, {"List-Unsubscribe": "One-Click"})
        events_after_first = self._events()
        response = self._post(url, {"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("already unsubscribed", response.text)
        self.assertEqual(self._events(), events_after_first, "no second event")
        self.assertIn("already unsubscribed", self._get(url).text)
        self.assertEqual(self._consent().state, "withdrawn")

    # ------------------------------------------------------------------
    # refused links
    # ------------------------------------------------------------------

    def test_tampered_token_is_refused_and_changes_nothing(self):
        self._grant_email()
        events_before = self._events()
        # a real session and CSRF token: only the link's token is wrong
        csrf_token = self._csrf_token(self.partner._followup_preferences_url())
        for url in (
            self._tampered(self.partner._followup_unsubscribe_url()),
            self._tampered(self.partner._followup_preferences_url()),
        ):
            with self.subTest(url=url):
                self.assertEqual(self._get(url).status_code, 403)
                response = self._post(
                    url,
                    {
                        "List-Unsubscribe": "One-Click",
                        "channel_email": "never",
                        "csrf_token": csrf_token,
                    },
                )
                self.assertEqual(response.status_code, 403)
                self.assertIn("This link is not valid", response.text)
        self.assertEqual(self._consent().state, "granted")
        self.assertEqual(self._events(), events_before)

    def test_token_of_partner_a_is_refused_for_partner_b(self):
        self._grant_email(self.other_partner)
        events_before = self._events(self.other_partner)
        token = self.partner._followup_unsubscribe_url().rsplit("/", 1)[1]
        response = self._post(
            f"/followup/unsubscribe/{self.other_partner.id}/{token}",
            {"List-Unsubscribe": "One-Click"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self._consent(partner=self.other_partner).state, "granted")
        self.assertEqual(self._events(self.other_partner), events_before)

    def test_token_of_another_scope_and_unknown_partner_are_refused(self):
        preferences_token = self.partner._followup_preferences_url().rsplit("/", 1)[1]
        for path in (
            f"/followup/unsubscribe/{self.partner.id}/{preferences_token}",
            f"/followup/confirm/{self.partner.id}/{preferences_token}",
            f"/followup/preferences/999999999/{preferences_token}",
        ):
            with self.subTest(path=path):
                self.assertEqual(self._get(path).status_code, 403)

    # ------------------------------------------------------------------
    # double opt-in
    # ------------------------------------------------------------------

    def test_double_opt_in_pending_then_confirmed_with_proof(self):
        with self.mock_mail_gateway():
            self.partner.with_user(self.user_salesman).followup_request_email_confirmation()
        request_mail = self._new_mails.filtered(lambda mail: mail.res_id == self.partner.id)
        self.assertEqual(len(request_mail), 1)
        self.assertEqual(request_mail.recipient_ids, self.partner)
        self.assertEqual(
            (self._consent().state, self._consent().legal_basis), ("pending", "consent")
        )
        pending = self._events()[-1]
        self.assertEqual((pending.state, pending.source), ("pending", "double_opt_in_request"))
        self.assertIn("Please confirm that you agree", pending.proof)
        self.assertIn(request_mail.subject, pending.proof)
        self.assertNotIn("/followup/confirm/", pending.proof, "no usable link in the audit trail")

        link = re.search(r'href="([^"]*/followup/confirm/[^"]+)"', str(request_mail.body_html))
        self.assertTrue(link, "the request mail links to the confirmation page")
        confirm_url = link.group(1)
        response = self._get(confirm_url)
        self.assertIn("o_followup_confirm_form", response.text)
        self.assertEqual(self._consent().state, "pending", "GET does not confirm")

        csrf_token = self._csrf_token(confirm_url)
        response = self._post(confirm_url, {"csrf_token": csrf_token})
        self.assertIn("your subscription is confirmed", response.text)
        self.assertEqual(
            (self._consent().state, self._consent().legal_basis), ("granted", "consent")
        )
        confirmed = self._events()[-1]
        self.assertEqual((confirmed.state, confirmed.source), ("granted", "double_opt_in"))
        self.assertIn("Please confirm that you agree", confirmed.proof, "the request wording")
        self.assertIn("paula@example.com", confirmed.proof)

        events = self._events()
        response = self._post(confirm_url, {"csrf_token": csrf_token})  # a double click
        self.assertIn("already confirmed", response.text)
        self.assertEqual(self._events(), events, "confirming twice records nothing")

    def test_expired_confirmation_link_is_refused(self):
        self.partner.followup_set_consent(
            "email", "pending", "double_opt_in_request", legal_basis="consent"
        )
        url = issue_confirm_url(self.partner, days=-1)
        response = self._get(url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("This link has expired", response.text)
        self.assertEqual(self._post(url, {}).status_code, 403)
        self.assertEqual(self._consent().state, "pending")

    def test_double_opt_in_skips_withdrawn_and_confirmed_contacts(self):
        self._grant_email()
        self.other_partner.followup_set_consent("email", "withdrawn", "manual")
        with self.assertRaisesRegex(UserError, "No e-mail confirmation was sent"):
            (self.partner | self.other_partner).followup_request_email_confirmation()

    def test_double_opt_in_request_keeps_a_soft_opt_in_until_confirmed(self):
        self.partner.followup_set_consent(
            "email", "granted", "sale_order", legal_basis="soft_opt_in", proof="Order S0042"
        )
        events_before = self._events()
        with self.mock_mail_gateway():
            self.partner.followup_request_email_confirmation()
        request_mail = self._new_mails.filtered(lambda mail: mail.res_id == self.partner.id)
        self.assertEqual(len(request_mail), 1, "asked all the same")
        self.assertEqual(
            (self._consent().state, self._consent().legal_basis), ("granted", "soft_opt_in")
        )
        self.assertEqual(self._events(), events_before, "no pending event over a soft opt-in")

        confirm_url = re.search(
            r'href="([^"]*/followup/confirm/[^"]+)"', str(request_mail.body_html)
        ).group(1)
        self._form_post(confirm_url, {})
        self.assertEqual(
            (self._consent().state, self._consent().legal_basis), ("granted", "consent")
        )
        self.assertIn("Please confirm that you agree", self._events()[-1].proof)

    # ------------------------------------------------------------------
    # follow-up mail
    # ------------------------------------------------------------------

    def test_followup_mail_carries_unsubscribe_headers_and_preference_link(self):
        mail = self.env["mail.mail"].create(
            {
                "subject": "Your quotation",
                "email_from": "sales@example.com",
                "recipient_ids": [(4, self.partner.id)],
                "body_html": "<p>Hello Paula</p>" + self.partner._followup_mail_footer(),
                "headers": repr(self.partner._followup_mail_headers()),
            }
        )
        with self.mock_mail_gateway():
            mail.send()
        sent = self.assertSentEmail(
            "sales@example.com",
            [self.partner],
            headers={
                "List-Unsubscribe": f"<{self.partner._followup_unsubscribe_url()}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        link = re.search(r'href="([^"]*/followup/preferences/[^"]+)"', sent["body"])
        self.assertTrue(link, "a visible link to the preference page")
        response = self._get(link.group(1))
        self.assertEqual(response.status_code, 200)
        self.assertIn("How may", response.text)

        header_url = sent["headers"]["List-Unsubscribe"].strip("<>")
        self._grant_email()
        response = self._post(header_url, {"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._consent().state, "withdrawn")

    def test_mail_headers_and_footer_cost_a_constant_number_of_queries(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Reader {i}", "email": f"reader{i}@example.com"} for i in range(20)]
        )

        def count_queries(records):
            def render():
                for partner in records:
                    partner._followup_mail_headers()
                    partner._followup_mail_footer()

            return self._count_queries(render)[0]

        count_queries(partners[:1])  # warm the caches (config parameters, languages)
        self.assertEqual(count_queries(partners[:1]), count_queries(partners))
