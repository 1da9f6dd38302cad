"""The consent history is kept forever and printed whole: every text entering it
has a documented bound (HISTORY_LIMITS), refused beyond it with a ValidationError
naming the field, also over XML-RPC, never with a database error."""

import xmlrpc.client

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..models.followup_consent_event import HISTORY_LIMITS, SNAPSHOT_LIMIT
from .common import ConsentCase, FollowupCase

# The longest textual IPv6 address, an IPv4-mapped one.
LONGEST_IP = "0000:0000:0000:0000:0000:ffff:255.255.255.255"


@tagged("post_install", "-at_install")
class TestConsentHistoryLimits(ConsentCase):
    def _record(self, **kwargs):
        values = {"channel": "email", "state": "granted", "source": "manual", **kwargs}
        return self.anna.followup_set_consent(
            values.pop("channel"), values.pop("state"), values.pop("source"), **values
        )

    def test_limits_are_documented_numbers(self):
        self.assertEqual(
            HISTORY_LIMITS,
            {
                "source": 128,
                "proof": 20_000,
                "origin_model": 128,
                "ip_address": 45,
                "user_agent": 512,
            },
        )
        self.assertEqual(len(LONGEST_IP), HISTORY_LIMITS["ip_address"])

    def test_texts_at_the_limit_are_recorded(self):
        self._record(
            source="s" * 128,
            proof="p" * 20_000,
            ip_address=LONGEST_IP,
            user_agent="u" * 512,
        )
        event = self.events(self.anna)
        self.assertEqual(
            (len(event.source), len(event.proof), event.ip_address, len(event.user_agent)),
            (128, 20_000, LONGEST_IP, 512),
        )
        self.assertEqual(self.consent(self.anna).state, "granted")

    def test_texts_over_the_limit_are_refused_naming_the_field(self):
        for field, value, label in (
            ("source", "s" * 129, "Source"),
            ("source", "s" * 20_000, "Source"),
            ("proof", "p" * 20_001, "Proof"),
            ("proof", "p" * 10_000_000, "Proof"),
            ("ip_address", LONGEST_IP + "0", "IP Address"),
        ):
            with (
                self.subTest(field=field, length=len(value)),
                self.assertRaisesRegex(ValidationError, f"^{label} of a consent decision"),
            ):
                self._record(**{field: value})
        self.assertFalse(self.events(self.anna))
        self.assertFalse(self.consent(self.anna))

    def test_every_writer_of_the_history_is_bounded(self):
        # Not only followup_set_consent: the check runs on the values as stored.
        Event = self.Event.sudo()
        base = {"partner_id": self.bruno.id, "channel": "sms", "state": "granted"}
        base["source"] = "import"
        for field, value in (
            ("source", "s" * 129),
            ("origin_model", "x" * 200),
            ("user_agent", "u" * 513),
        ):
            with self.subTest(field=field), self.assertRaises(ValidationError):
                Event.create(dict(base, **{field: value}))
        Event.create(dict(base, user_agent="u" * 512))
        self.assertEqual(len(self.events(self.bruno, "sms")), 1)

    def test_followup_set_consent_cuts_a_long_user_agent(self):
        self._record(user_agent="u" * 5000)
        self.assertEqual(len(self.events(self.anna).user_agent), 512)

    def test_snapshots_of_a_long_partner_name_are_cut_not_refused(self):
        self.carla.name = "Carla " + "x" * 1000
        self.carla.followup_set_consent("email", "withdrawn", "manual")
        snapshot = self.events(self.carla).partner_name_snapshot
        self.assertEqual(len(snapshot), SNAPSHOT_LIMIT)
        self.assertTrue(snapshot.startswith("Carla xxx"))
        self.assertTrue(snapshot.endswith("…"))
        self.assertEqual(self.consent(self.carla).state, "withdrawn")


@tagged("post_install", "-at_install")
class TestConsentHistoryLimitsOverTheWire(FollowupCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.partner = cls.env["res.partner"].create(
            {"name": "Paula Person", "email": "paula@example.com", "lang": "en_US"}
        )

    def _set_consent_over_xmlrpc(self, source, proof):
        return self.xmlrpc_object.execute_kw(
            get_db_name(),
            self.user_salesman.id,
            self.user_salesman.login,
            "res.partner",
            "followup_set_consent",
            [self.partner.ids, "email", "granted", source],
            {"proof": proof},
        )

    @mute_logger("odoo.http")
    def test_xmlrpc_caller_gets_the_message_not_a_database_error(self):
        for source, proof, label in (
            ("s" * 20_000, "Yes", "Source"),
            ("manual", "p" * 20_001, "Proof"),
        ):
            with (
                self.subTest(field=label),
                self.assertRaises(xmlrpc.client.Fault) as caught,
            ):
                self._set_consent_over_xmlrpc(source, proof)
            fault = caught.exception
            self.assertEqual(fault.faultCode, 2, "an Odoo warning (UserError family)")
            self.assertIn(f"{label} of a consent decision can be at most", fault.faultString)
            self.assertNotIn("psycopg2", fault.faultString)
        self.assertIs(self._set_consent_over_xmlrpc("s" * 128, "p" * 20_000), True)

    def test_preference_page_bounds_what_the_request_brings(self):
        url = self.partner._followup_preferences_url()
        path = url[url.index("/followup/") :]
        page = self.url_open(path)
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        frequency = self.partner.followup_frequency
        response = self.url_open(
            path,
            data={
                "csrf_token": csrf,
                "channel_email": "yes",
                # Whatever else a form carries is matched against the page's choices.
                "channel_sms": "y" * 100_000,
                "followup_frequency": "f" * 100_000,
            },
            headers={"User-Agent": "Mozilla/5.0 " + "u" * 10_000},
        )
        self.assertEqual(response.status_code, 200)
        events = self.env["followup.consent.event"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(events.mapped("channel"), ["email"])
        self.assertEqual(len(events.user_agent), HISTORY_LIMITS["user_agent"])
        self.assertTrue(events.user_agent.startswith("Mozilla/5.0 uuu"))
        self.assertEqual(events.ip_address, "127.0.0.1")
        self.assertEqual(self.partner.followup_frequency, frequency)
