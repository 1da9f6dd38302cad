"""Issue 12, "proof means what it says": a double opt-in is recorded only against a
request the add-on mailed, and only the public pages record what a person did
online. Seen live over HTTP and XML-RPC, so tested there."""

import re
import xmlrpc.client

from odoo.exceptions import UserError
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import CSRF_RE, FollowupSecurityCase, url_path

CONFIRM_LINK_RE = re.compile(r'href="([^"]*/followup/confirm/[^"]+)"')


def issue_confirm_url(partner, days=30):
    """The confirmation link of a new request issued for ``partner`` (as the request
    mail carries it), valid ``days`` days."""
    _requests, secrets = partner.env["followup.consent.request"]._issue(partner, days)
    return partner.with_context(followup_confirm_secrets=secrets)._followup_confirm_url()


def mailed_confirm_url(env, partner):
    """The confirmation link in the request mail queued for ``partner``."""
    mail = (
        env["mail.mail"]
        .sudo()
        .search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)], order="id desc", limit=1
        )
    )
    return CONFIRM_LINK_RE.search(str(mail.body_html)).group(1)


@tagged("post_install", "-at_install")
class TestTrustProof(FollowupSecurityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.paula = cls.env["res.partner"].create(
            {"name": "Paula Person", "email": "paula@example.com", "lang": "en_US"}
        )
        cls.template = cls.env.ref("followup_manager.mail_template_followup_email_confirmation")

    def _open(self, path, data=None):
        response = self.url_open(url_path(path), data=data)
        self.env.invalidate_all()
        return response

    def _confirm(self, url):
        """Open the confirmation page, then press its button, as a visitor (with the
        session's CSRF token even when the page shows no button)."""
        self.url_open("/web/session/logout")
        page = self._open(url)
        form = self._open(self.paula._followup_preferences_url())
        csrf = CSRF_RE.search(page.text) or CSRF_RE.search(form.text)
        return page, self._open(url, {"csrf_token": csrf.group(1)})

    def _email_consent(self):
        return self.paula.followup_consent_ids.filtered(lambda c: c.channel == "email")

    # ------------------------------------------------------------------ double opt-in

    def test_a_link_rendered_in_the_composer_confirms_nothing(self):
        """The attack seen live: an employee without follow-up rights renders the
        confirmation template in the composer and confirms its link anonymously."""
        self.authenticate(self.user_employee.login, self.user_employee.login)
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.user_employee)
            .with_context(
                default_model="res.partner",
                default_res_ids=self.paula.ids,
                default_template_id=self.template.id,
            )
            .create({})
        )
        link = CONFIRM_LINK_RE.search(str(composer.body)).group(1)
        with mute_logger("odoo.http"):
            page, answer = self._confirm(link)
        self.assertEqual(page.status_code, 403)
        self.assertIn("This link is not valid", page.text)
        self.assertEqual(answer.status_code, 403)
        self.assertIn("nothing was changed", answer.text.lower())
        self.assertFalse(self._consent_events(self.paula), "no consent was manufactured")

    def test_a_composer_link_confirms_nothing_even_while_a_request_is_pending(self):
        self.paula.with_user(self.user_salesman).followup_request_email_confirmation()
        rendered = self.template.with_user(self.user_salesman)._render_field(
            "body_html", self.paula.ids
        )[self.paula.id]
        link = CONFIRM_LINK_RE.search(str(rendered)).group(1)
        self.assertNotEqual(link, mailed_confirm_url(self.env, self.paula))
        with mute_logger("odoo.http"):
            _page, answer = self._confirm(link)
        self.assertEqual(answer.status_code, 403)
        self.assertEqual(self._email_consent().state, "pending")

    def test_a_confirmation_answers_the_request_that_was_mailed(self):
        self.paula.with_user(self.user_salesman).followup_request_email_confirmation()
        request = self.env["followup.consent.request"].search([("partner_id", "=", self.paula.id)])
        self.assertRecordValues(
            request,
            [{"state": "pending", "email": "paula@example.com", "user_id": self.user_salesman.id}],
        )
        self.assertIn("Please confirm that you agree", request.proof)
        pending = self._consent_events(self.paula)
        self.assertEqual(pending.origin, request, "the pending event names the request")
        _page, answer = self._confirm(mailed_confirm_url(self.env, self.paula))
        self.assertIn("your subscription is confirmed", answer.text)
        confirmed = self._consent_events(self.paula)[-1]
        self.assertEqual((confirmed.source, confirmed.origin), ("double_opt_in", request))
        self.assertIn(request.proof, confirmed.proof)
        self.assertEqual(request.state, "confirmed")
        self.assertTrue(request.date_confirmed)

    def test_the_link_expires_with_its_request_and_stops_with_a_new_address(self):
        expired = issue_confirm_url(self.paula, days=-1)
        with mute_logger("odoo.http"):
            page, answer = self._confirm(expired)
        self.assertEqual(page.status_code, 403)
        self.assertIn("This link has expired", page.text)
        self.assertEqual(answer.status_code, 403)
        url = issue_confirm_url(self.paula)
        token = url.rsplit("/", 1)[1]
        self.assertEqual(self.paula._followup_check_token("confirm", token), "valid")
        self.paula.email = "paula.new@example.com"
        with mute_logger("odoo.http"):
            _page, answer = self._confirm(url)
        self.assertEqual(answer.status_code, 403, "asked at another address")
        self.assertFalse(self._consent_events(self.paula))

    def test_the_secret_of_a_link_is_not_stored(self):
        url = issue_confirm_url(self.paula)
        secret = url.rsplit("/", 1)[1]
        request = self.env["followup.consent.request"].search([("partner_id", "=", self.paula.id)])
        self.assertNotIn(secret, str(request.read()[0]))
        self.assertNotEqual(request.token_hash, secret)

    # ------------------------------------------------------------------ who records what

    def _xmlrpc_set_consent(self, user, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            get_db_name(),
            user.id,
            user.login,
            "res.partner",
            "followup_set_consent",
            [self.paula.ids, *args],
            kwargs,
        )

    @mute_logger("odoo.http")
    def test_an_internal_caller_cannot_claim_the_person_acted_online(self):
        claims = [
            (("email", "granted", "double_opt_in"), {}),
            (("email", "granted", "preference_page"), {}),
            (("email", "withdrawn", "one_click_unsubscribe"), {}),
            (("email", "granted", "double_opt_in_request"), {}),
            (("email", "granted", "sale_order"), {"legal_basis": "soft_opt_in"}),
            (("email", "granted", "manual_phone"), {"ip_address": "203.0.113.7"}),
            (("email", "granted", "manual_phone"), {"user_agent": "Mozilla/5.0"}),
        ]
        for args, kwargs in claims:
            with self.subTest(args=args, kwargs=kwargs):
                with self.assertRaises(xmlrpc.client.Fault) as caught:
                    self._xmlrpc_set_consent(self.user_manager, *args, **kwargs)
                self.assertEqual(caught.exception.faultCode, 2, "a UserError")
        self.assertFalse(self._consent_events(self.paula))
        # What a salesperson heard is recorded, under their name and their source.
        self._xmlrpc_set_consent(self.user_salesman, "email", "granted", "manual_phone")
        event = self._consent_events(self.paula)
        self.assertRecordValues(
            event, [{"source": "manual_phone", "user_id": self.user_salesman.id}]
        )
        self.assertFalse(event.ip_address)

    def test_the_public_pages_record_the_person_online(self):
        self.paula.followup_set_consent("email", "granted", "manual_phone", proof="Yes")
        self._open(self.paula._followup_unsubscribe_url(), {"List-Unsubscribe": "One-Click"})
        event = self._consent_events(self.paula)[-1]
        self.assertEqual(event.source, "one_click_unsubscribe")
        self.assertTrue(event.ip_address)
        with self.assertRaises(UserError):
            self.paula.with_user(self.user_salesman).followup_set_consent(
                "email", "granted", "preference_page"
            )
