"""The person's side under careless and hostile input (issue 12, points 4 and 5): junk
tokens get a page, never a server error; repeated and simultaneous requests of one link
answer success and record one decision; the person's own "yes" is recorded."""

import re
import threading
import time
import uuid
from urllib.parse import quote, urlparse

import requests

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import FollowupCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
ROUTES = ("preferences", "unsubscribe", "confirm")


@tagged("post_install", "-at_install")
class TestTrustPublicRoutes(FollowupCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paula = cls.env["res.partner"].create(
            {"name": "Paula Person", "email": "paula.trust@example.com", "lang": "en_US"}
        )

    def _events(self, partner=None):
        return self.env["followup.consent.event"].search(
            [("partner_id", "=", (partner or self.paula).id)]
        )

    def _email_consent(self):
        self.env.invalidate_all()
        return self.paula.followup_consent_ids.filtered(lambda c: c.channel == "email")

    def _csrf(self):
        page = self.url_open(urlparse(self.paula._followup_preferences_url()).path)
        self.assertEqual(page.status_code, 200)
        return CSRF_RE.search(page.text).group(1)

    def _open(self, route, token, partner_id=None, post=None):
        path = f"/followup/{route}/{partner_id or self.paula.id}/{quote(token, safe='.')}"
        response = self.url_open(path, data=post)
        self.env.invalidate_all()
        return response

    # ------------------------------------------------------------------ tokens

    @mute_logger("odoo.http")
    def test_non_ascii_and_forged_tokens_answer_a_page_never_a_server_error(self):
        digest = self.paula._followup_token("preferences")
        junk = [
            "é" * 64,
            "\U0001f642",
            f"²²²²²²²²²².{digest}",  # Unicode "digits" Python's int() refuses
            f"١٧٠٠٠٠٠٠٠٠.{digest}",  # Arabic-Indic digits int() accepts
            digest[:-1] + "é",
            digest.upper(),
            "0" * 64,  # well formed, not signed by us
        ]
        csrf = self._csrf()
        for route in ROUTES:
            for token in junk:
                with self.subTest(route=route, token=token):
                    response = self._open(route, token)
                    self.assertIn(response.status_code, (403, 404))
                    response = self._open(
                        route, token, post={"csrf_token": csrf, "channel_email": "never"}
                    )
                    self.assertIn(response.status_code, (403, 404))
        self.assertFalse(self._events(), "nothing was recorded")
        self.assertFalse(self.paula.followup_no_email)

    @mute_logger("odoo.http")
    def test_partner_ids_beyond_the_database_answer_a_page(self):
        token = self.paula._followup_token("preferences")
        for partner_id in (2**31, 10**30):
            with self.subTest(partner_id=partner_id):
                response = self._open("preferences", token, partner_id=partner_id)
                self.assertIn(response.status_code, (403, 404))

    def test_replayed_one_click_answers_success_and_records_one_withdrawal(self):
        self.paula.followup_set_consent("email", "granted", "manual_phone", proof="Yes")
        token = self.paula._followup_token("unsubscribe")
        for _attempt in range(3):
            response = self._open("unsubscribe", token, post={"List-Unsubscribe": "One-Click"})
            self.assertEqual(response.status_code, 200)
        withdrawals = self._events().filtered(lambda event: event.state == "withdrawn")
        self.assertEqual(len(withdrawals), 1)
        self.assertEqual(self._email_consent().state, "withdrawn")

    # ------------------------------------------------------------------ the person's "yes"

    def test_explicit_yes_of_a_soft_opt_in_customer_is_recorded_as_consent(self):
        self.paula.followup_set_consent(
            "email", "granted", "sale_order", legal_basis="soft_opt_in", proof="Order S0042"
        )
        path = urlparse(self.paula._followup_preferences_url()).path
        page = self.url_open(path)
        self.assertNotRegex(
            page.text,
            r'id="channel_email_yes"[^>]*checked',
            "our basis is not pre-selected as the person's answer",
        )
        csrf = CSRF_RE.search(page.text).group(1)
        # Saved untouched: nothing is recorded on the person's behalf.
        response = self.url_open(path, data={"csrf_token": csrf})
        self.assertIn("Nothing changed", response.text)
        self.assertEqual(len(self._events()), 1)
        response = self.url_open(path, data={"csrf_token": csrf, "channel_email": "yes"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Nothing changed", response.text)
        consent = self._email_consent()
        self.assertEqual((consent.state, consent.legal_basis), ("granted", "consent"))
        self.assertEqual(consent.source, "preference_page")
        self.assertIn("Yes, you may e-mail me", self._events()[0].proof)

    # ------------------------------------------------------------------ duplicate ids

    def test_repeated_partner_ids_record_one_event_each(self):
        otto = self.env["res.partner"].create({"name": "Otto", "email": "otto.t@example.com"})
        ids = [self.paula.id] * 1000 + [otto.id, self.paula.id]
        repeated = self.env["res.partner"].browse(ids)
        repeated.followup_set_consent("sms", "granted", "manual_phone", proof="Yes")
        self.assertEqual(len(self._events()), 1)
        self.assertEqual(len(self._events(otto)), 1)


@tagged("post_install", "-at_install")
class TestTrustPublicConcurrency(BaseCase):
    """Simultaneous POSTs of one link, as mail programs and security scanners send them,
    served by the real HTTP server on real cursors (not the test transaction), each in
    its own thread and transaction, as on a server with several workers."""

    PARALLEL = 8

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        # The thread running the tests holds the registry lock until they end, and
        # the server's threads take it to look the registry up; HttpCase lifts it the
        # same way (Registry.enter_test_mode), here without the shared test cursor.
        saved_lock, Registry._lock = Registry._lock, DummyRLock()
        self.addCleanup(setattr, Registry, "_lock", saved_lock)
        self.email = f"trust-{uuid.uuid4().hex[:12]}@example.com"
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partners = env["res.partner"].create(
                [
                    {"name": name, "email": self.email, "lang": "en_US"}
                    for name in ("Conny Concurrent", "Cora Cousin")
                ]
            )
            partners.followup_set_consent(
                "email", "granted", "manual_phone", legal_basis="consent", proof="Yes"
            )
            self.partner_ids = partners.ids
            # The server of this test run, not the database's web.base.url.
            self.urls = {
                route: HttpCase.base_url() + f"/followup/{route}/{partners[0].id}/"
                f"{partners[0]._followup_token(route)}"
                for route in ("preferences", "unsubscribe")
            }
        self.addCleanup(self._remove_data)

    def _env(self, cr):
        # The registry is given, not looked up by name (see test_dispatch_concurrency).
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            # The history is append-only down to SQL (a trigger); this test's own rows
            # are the one exception, removed in this transaction only.
            cr.execute(
                "ALTER TABLE followup_consent_event "
                "DISABLE TRIGGER followup_consent_event_append_only"
            )
            cr.execute(
                "DELETE FROM followup_consent_event WHERE partner_id = ANY(%s)",
                [self.partner_ids],
            )
            cr.execute(
                "ALTER TABLE followup_consent_event "
                "ENABLE TRIGGER followup_consent_event_append_only"
            )
            consents = env["followup.consent"].search([("partner_id", "in", self.partner_ids)])
            blacklist = env["mail.blacklist"].with_context(active_test=False)
            entries = blacklist.search([("email", "=", self.email)])
            env["mail.message"].search(
                [
                    "|",
                    "|",
                    "&",
                    ("model", "=", "res.partner"),
                    ("res_id", "in", self.partner_ids),
                    "&",
                    ("model", "=", "followup.consent"),
                    ("res_id", "in", consents.ids),
                    "&",
                    ("model", "=", "mail.blacklist"),
                    ("res_id", "in", entries.ids),
                ]
            ).unlink()
            entries.unlink()
            env["res.partner"].browse(self.partner_ids).unlink()

    def _state(self):
        """What is committed: the events of the first partner, its e-mail consent."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].browse(self.partner_ids[0])
            events = env["followup.consent.event"].search([("partner_id", "=", partner.id)])
            consent = partner.followup_consent_ids.filtered(lambda c: c.channel == "email")
            blacklisted = env["mail.blacklist"].search_count([("email", "=", self.email)])
            return (
                [(event.state, event.source) for event in events],
                consent.state,
                partner.followup_no_email,
                blacklisted,
            )

    def _post_in_parallel(self, url, data, cookies=None):
        barrier = threading.Barrier(self.PARALLEL)
        statuses, errors = [], []

        def post():
            try:
                barrier.wait(timeout=30)
                response = requests.post(url, data=data, cookies=cookies, timeout=120)
                statuses.append(response.status_code)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [threading.Thread(target=post) for _index in range(self.PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        self.assertFalse(errors, errors)
        return statuses

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_simultaneous_one_click_posts_all_succeed_and_record_one_withdrawal(self):
        statuses = self._post_in_parallel(
            self.urls["unsubscribe"], {"List-Unsubscribe": "One-Click"}
        )
        self.assertEqual(statuses, [200] * self.PARALLEL)
        events, state, _refused, blacklisted = self._state()
        self.assertEqual(events.count(("withdrawn", "one_click_unsubscribe")), 1, events)
        self.assertEqual(len(events), 2, "the grant and one withdrawal")
        self.assertEqual(state, "withdrawn")
        self.assertEqual(blacklisted, 1)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_simultaneous_preference_saves_all_succeed_and_record_one_decision(self):
        session = requests.Session()
        page = session.get(self.urls["preferences"], timeout=60)
        self.assertEqual(page.status_code, 200)
        data = {
            "csrf_token": CSRF_RE.search(page.text).group(1),
            "channel_email": "never",
            "followup_frequency": "monthly",
        }
        statuses = self._post_in_parallel(
            self.urls["preferences"], data, cookies=session.cookies.get_dict()
        )
        self.assertEqual(statuses, [200] * self.PARALLEL)
        events, state, refused, _blacklisted = self._state()
        self.assertEqual(events.count(("withdrawn", "preference_page")), 1, events)
        self.assertEqual(len(events), 2)
        self.assertEqual(state, "withdrawn")
        self.assertTrue(refused)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_two_contacts_of_one_address_unsubscribing_at_once_both_succeed(self):
        """The cousin's withdrawal blacklists the shared address in a transaction that
        commits while this person's request waits to blacklist it too."""
        statuses = []
        with self.registry.cursor() as cr_cousin:
            env = self._env(cr_cousin)
            env["res.partner"].browse(self.partner_ids[1]).followup_set_consent(
                "email", "withdrawn", "manual_phone", proof="No more e-mails"
            )
            env.flush_all()
            thread = threading.Thread(
                target=lambda: statuses.append(
                    requests.post(
                        self.urls["unsubscribe"],
                        data={"List-Unsubscribe": "One-Click"},
                        timeout=120,
                    ).status_code
                )
            )
            thread.start()
            self._wait_for_a_lock_wait()
            cr_cousin.commit()
        thread.join(timeout=120)
        self.assertEqual(statuses, [200])
        events, state, _refused, blacklisted = self._state()
        self.assertEqual(events.count(("withdrawn", "one_click_unsubscribe")), 1, events)
        self.assertEqual(state, "withdrawn")
        self.assertEqual(blacklisted, 1)

    def _wait_for_a_lock_wait(self, timeout=30):
        """Until a request of this database waits for a lock (the cousin's entry)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cr.fetchone()[0]:
                    return
            time.sleep(0.05)
        self.fail("the request never waited for the other transaction")
