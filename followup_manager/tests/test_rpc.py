"""The add-on over the wire: the public methods through JSON-RPC and XML-RPC with the
contract's shapes, refused to whoever lacks the rights; and the token routes, which
serve only the partner a genuine, still meaningful link was made for."""

import hashlib
import hmac

from odoo.tests import HttpCase, JsonRpcException, get_db_name, tagged
from odoo.tools import mute_logger

from .common import CSRF_RE, FollowupSecurityCase, url_path
from .test_trust_proof import mailed_confirm_url

ACCESS_ERROR = "odoo.exceptions.AccessError"


@tagged("post_install", "-at_install")
class TestFollowupRpc(FollowupSecurityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.paolo = cls._create_customer("Paolo Pending", "paolo")
        cls.sequence_tiny = cls._create_sequence(
            "Tiny", "manual", [cls._task_step()], purpose="service"
        )

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _execute_kw(self, user, model, method, *args, **kwargs):
        """The external API (/jsonrpc, service object): login and password, no session."""
        return self.make_jsonrpc_request(
            "/jsonrpc",
            {
                "service": "object",
                "method": "execute_kw",
                "args": [get_db_name(), user.id, user.login, model, method, list(args), kwargs],
            },
        )

    def test_followup_check_over_json_rpc_returns_one_dict_per_partner(self):
        self.authenticate(self.user_salesman.login, self.user_salesman.login)
        results = self._call("res.partner", "followup_check", (self.carla | self.mario).ids, "sms")
        # A language in the call's context: the answer in words too, beside the code.
        [worded] = self._call(
            "res.partner", "followup_check", self.carla.ids, "sms", context={"lang": "en_US"}
        )
        self.assertEqual(
            worded.pop("sentence"),
            "Suppressed: Carla Conti has not agreed to receive marketing by SMS; this step "
            "is skipped.",
        )
        self.assertEqual(worded, results[0])
        self.assertEqual(
            results,
            [
                {
                    "partner_id": self.carla.id,
                    "allowed": False,
                    "reason": "no_consent",
                    "next_allowed": False,
                },
                {
                    "partner_id": self.mario.id,
                    "allowed": False,
                    "reason": "no_consent",
                    "next_allowed": False,
                },
            ],
        )

    def test_salesman_uses_the_public_methods_over_json_rpc(self):
        self.authenticate(self.user_salesman.login, self.user_salesman.login)
        self.assertIs(
            self._call(
                "res.partner",
                "followup_set_consent",
                self.carla.ids,
                "sms",
                "granted",
                "manual_phone",
                proof="Yes, text me",
            ),
            True,
        )
        event = self.env["followup.consent.event"].search([("partner_id", "=", self.carla.id)])
        self.assertEqual((event.state, event.user_id), ("granted", self.user_salesman))
        [result] = self._call("res.partner", "followup_check", self.carla.ids, "sms")
        self.assertEqual(result["partner_id"], self.carla.id)
        self.assertNotEqual(result["reason"], "no_consent", "the decision recorded above counts")
        ids = self._call("followup.sequence", "enroll", self.sequence_tiny.ids, self.carla.ids)
        self.assertIsInstance(ids, list)
        enrollment = self.env["followup.enrollment"].browse(ids)
        self.assertEqual(enrollment.partner_id, self.carla)
        self.assertIs(self._call("followup.enrollment", "action_stop", ids, note="Done"), True)
        self.assertEqual(enrollment.state, "stopped")
        self.assertIs(
            self._call("res.partner", "followup_request_email_confirmation", self.paolo.ids),
            True,
        )
        self.assertEqual(self.paolo.followup_consent_ids.state, "pending")

    @mute_logger("odoo.http")
    def test_public_methods_over_json_rpc_are_refused_without_follow_up_rights(self):
        enrollment = self.env["followup.enrollment"].browse(
            self.sequence_tiny.enroll(self.carla.ids)
        )
        calls = [
            ("res.partner", "followup_check", self.carla.ids, "email"),
            ("res.partner", "followup_set_consent", self.carla.ids, "email", "granted", "rpc"),
            ("res.partner", "followup_request_email_confirmation", self.paolo.ids),
            ("followup.sequence", "enroll", self.sequence_tiny.ids, self.paolo.ids),
            ("followup.enrollment", "action_stop", enrollment.ids),
            ("followup.consent", "search_read", [], ["partner_id", "state"]),
        ]
        for user in (self.user_employee, self.user_portal):
            self.authenticate(user.login, user.login)
            for model, method, *args in calls:
                with self.subTest(user=user.login, method=method):
                    with self.assertRaises(JsonRpcException) as caught:
                        self._call(model, method, *args)
                    self.assertEqual(str(caught.exception), ACCESS_ERROR)
        self.assertEqual(enrollment.state, "active")
        self.assertFalse((self.carla | self.paolo).followup_consent_ids)

    @mute_logger("odoo.http")
    def test_history_cannot_be_rewritten_over_json_rpc(self):
        self.carla.followup_set_consent("email", "granted", "manual", proof="Yes")
        consent = self.carla.followup_consent_ids
        event = self.env["followup.consent.event"].search([("partner_id", "=", self.carla.id)])
        self.authenticate(self.user_manager.login, self.user_manager.login)
        for model, method, args in (
            ("followup.consent", "write", [consent.ids, {"state": "withdrawn"}]),
            ("followup.consent.event", "write", [event.ids, {"proof": "forged"}]),
            ("followup.consent.event", "unlink", [event.ids]),
            (
                "followup.consent.event",
                "create",
                [
                    {
                        "partner_id": self.carla.id,
                        "channel": "email",
                        "state": "withdrawn",
                        "source": "forged",
                    }
                ],
            ),
        ):
            with self.subTest(model=model, method=method), self.assertRaises(JsonRpcException):
                self._call(model, method, *args)
        self.assertEqual(consent.state, "granted")
        self.assertEqual(event.proof, "Yes")

    def test_external_api_with_login_and_password_returns_the_contract_shape(self):
        results = self._execute_kw(
            self.user_salesman, "res.partner", "followup_check", self.carla.ids, "email"
        )
        self.assertEqual(
            results,
            [
                {
                    "partner_id": self.carla.id,
                    "allowed": False,
                    "reason": "no_consent",
                    "next_allowed": False,
                }
            ],
        )
        # XML-RPC cannot carry integer dictionary keys: the list is what makes it work.
        results = self.xmlrpc_object.execute_kw(
            get_db_name(),
            self.user_salesman.id,
            self.user_salesman.login,
            "res.partner",
            "followup_check",
            [self.carla.ids, "email"],
        )
        self.assertEqual(results[0]["partner_id"], self.carla.id)

    @mute_logger("odoo.http")
    def test_external_api_refuses_users_without_follow_up_rights(self):
        for user in (self.user_employee, self.user_portal):
            with self.subTest(user=user.login), self.assertRaises(JsonRpcException) as caught:
                self._execute_kw(user, "res.partner", "followup_check", self.carla.ids, "email")
            self.assertEqual(str(caught.exception), ACCESS_ERROR)


@tagged("post_install", "-at_install")
class TestFollowupPublicRoutes(FollowupSecurityCase, HttpCase):
    """What test_preferences does not cover: links of another partner on every route,
    links forged with another key, and a confirmation link replayed after a withdrawal.
    A logged-in session changes nothing: the token decides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.paula = cls.env["res.partner"].create(
            {"name": "Paula Person", "email": "paula@example.com", "lang": "en_US"}
        )
        cls.otto = cls.env["res.partner"].create(
            {"name": "Otto Other", "email": "otto@example.com", "lang": "en_US"}
        )

    def _open(self, path, data=None):
        response = self.url_open(path, data=data)
        self.env.invalidate_all()
        return response

    def _csrf_token(self):
        """A CSRF token of this session, read from a genuine page of Paula's."""
        page = self._open(url_path(self.paula._followup_preferences_url()))
        self.assertEqual(page.status_code, 200)
        return CSRF_RE.search(page.text).group(1)

    def _assert_refused(self, path, data, partner):
        """GET and POST of ``path`` are refused with 403 and change nothing of ``partner``."""
        events = self._consent_events(partner)
        values = partner.read(["followup_no_email", "followup_frequency"])
        with mute_logger("odoo.http"):
            self.assertEqual(self._open(path).status_code, 403)
            self.assertEqual(self._open(path, data).status_code, 403)
        self.assertEqual(self._consent_events(partner), events)
        self.assertEqual(partner.read(["followup_no_email", "followup_frequency"]), values)

    def test_a_link_of_another_partner_is_refused_on_every_route(self):
        csrf_token = self._csrf_token()
        data = {
            "csrf_token": csrf_token,
            "channel_email": "never",
            "followup_frequency": "monthly",
            "List-Unsubscribe": "One-Click",
        }
        for url in (
            self.paula._followup_preferences_url(),
            self.paula._followup_unsubscribe_url(),
            self.paula._followup_confirm_url(),
        ):
            route, token = url_path(url).split("/")[2], url.rsplit("/", 1)[1]
            with self.subTest(route=route):
                self._assert_refused(f"/followup/{route}/{self.otto.id}/{token}", data, self.otto)

    def test_a_link_signed_with_another_key_is_refused(self):
        csrf_token = self._csrf_token()
        data = {
            "csrf_token": csrf_token,
            "channel_email": "never",
            "List-Unsubscribe": "One-Click",
        }
        for route, expiry in (("preferences", 0), ("unsubscribe", 0), ("confirm", 4102444800)):
            message = (self.paula.id, self.paula.email_normalized, expiry)
            digest = hmac.new(
                b"not the database secret",
                repr((f"followup_manager.{route}", message)).encode(),
                hashlib.sha256,
            ).hexdigest()
            token = f"{expiry}.{digest}" if expiry else digest
            self.assertNotEqual(self.paula._followup_check_token(route, token), "valid")
            with self.subTest(route=route):
                self._assert_refused(
                    f"/followup/{route}/{self.paula.id}/{token}", data, self.paula
                )

    def test_a_confirmation_link_replayed_after_a_withdrawal_is_refused(self):
        self.paula.with_user(self.user_salesman).followup_request_email_confirmation()
        confirm = url_path(mailed_confirm_url(self.env, self.paula))
        self.assertIn("o_followup_confirm_form", self._open(confirm).text)
        # The person unsubscribes with the link of another e-mail...
        self._open(
            url_path(self.paula._followup_unsubscribe_url()), {"List-Unsubscribe": "One-Click"}
        )
        self.assertEqual(self.paula.followup_consent_ids.state, "withdrawn")
        events = self._consent_events(self.paula)
        # ... and the old confirmation link (a forwarded mail, a link scanner, an old
        # tab) cannot subscribe them again.
        csrf_token = self._csrf_token()
        with mute_logger("odoo.http"):
            page = self._open(confirm)
            self.assertEqual(page.status_code, 403)
            self.assertIn("no longer valid", page.text)
            self.assertNotIn("o_followup_confirm_form", page.text)
            self.assertEqual(self._open(confirm, {"csrf_token": csrf_token}).status_code, 403)
        self.assertEqual(self.paula.followup_consent_ids.state, "withdrawn")
        self.assertEqual(self._consent_events(self.paula), events)
        # The preference page remains the way back, with the person's own choice.
        page = self._open(url_path(self.paula._followup_preferences_url()))
        self.assertIn("You withdrew your consent", page.text)

    def test_a_logged_in_portal_user_reaches_only_the_partner_of_the_link(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        portal_partner = self.user_portal.partner_id
        token = portal_partner._followup_token("preferences")
        self._assert_refused(
            f"/followup/preferences/{self.otto.id}/{token}",
            {"csrf_token": self._csrf_token(), "channel_email": "never"},
            self.otto,
        )
        self.assertEqual(
            self._open(f"/followup/preferences/{portal_partner.id}/{token}").status_code, 200
        )
