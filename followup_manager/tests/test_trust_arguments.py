"""Issue 12, "clear errors for bad arguments": every public method of the add-on,
called over XML-RPC with malformed arguments, answers an Odoo error (a UserError,
ValidationError, AccessError or MissingError message), never a Python or SQL
traceback.

The public methods, listed with ``grep -n "    def [a-z]" models/*.py wizards/*.py``
(ORM overrides aside) and the contract (followup_set_consent, followup_check,
enroll, action_stop, enrollment create/write). The records a method runs on are
real or missing ids; the arguments are the malformed values."""

import xmlrpc.client

from odoo.tests import HttpCase, JsonRpcException, get_db_name, tagged
from odoo.tests.common import Transport
from odoo.tools import mute_logger

from .common import FollowupSecurityCase

# XML-RPC fault codes of /xmlrpc/2 (odoo/addons/base/controllers/rpc.py): 2 for a
# UserError (ValidationError and MissingError included), 4 for an AccessError; 1 is
# any other exception, with its traceback.
ODOO_FAULTS = (2, 4)
MISSING_ID = 2**31 - 1
# Values of the wrong kind for any argument (XML-RPC carries integers up to 2**31 - 1:
# larger ones are tried over JSON-RPC below).
JUNK = ["abc", ["email"], {"a": 1}, 3.5, -1, 0, None, "Ω☃"]


@tagged("post_install", "-at_install")
class TestTrustArguments(FollowupSecurityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.sequence_tiny = cls._create_sequence(
            "Tiny", "manual", [cls._task_step()], purpose="service"
        )
        cls.enrollment = cls.env["followup.enrollment"].browse(
            cls.sequence_tiny.enroll(cls.carla.ids)
        )

    def setUp(self):
        super().setUp()
        # allow_none: a client may send None (<nil/>), and the server reads it.
        self.rpc = xmlrpc.client.ServerProxy(
            self.xmlrpc_url + "object", transport=Transport(self.cr), allow_none=True
        )

    def _call(self, user, model, method, args, kwargs=None):
        return self.rpc.execute_kw(
            get_db_name(), user.id, user.login, model, method, args, kwargs or {}
        )

    def _cases(self):
        """(model, method, positional args, keyword args): the records first."""
        partner, enrollment, sequence = self.carla.ids, self.enrollment.ids, self.sequence_tiny.ids
        cases = []
        for junk in JUNK:
            cases += [
                ("res.partner", "followup_set_consent", [partner, junk, "granted", "manual"], {}),
                ("res.partner", "followup_set_consent", [partner, "email", junk, "manual"], {}),
                ("res.partner", "followup_set_consent", [partner, "email", "granted", junk], {}),
                (
                    "res.partner",
                    "followup_set_consent",
                    [partner, "email", "granted", "manual"],
                    {"legal_basis": junk},
                ),
                (
                    "res.partner",
                    "followup_set_consent",
                    [partner, "email", "granted", "manual"],
                    {"proof": junk},
                ),
                (
                    "res.partner",
                    "followup_set_consent",
                    [partner, "email", "granted", "manual"],
                    {"origin": junk},
                ),
                ("res.partner", "followup_check", [partner, junk], {}),
                ("followup.sequence", "enroll", [sequence, junk], {}),
                ("followup.sequence", "enroll", [sequence, [junk]], {}),
                ("followup.sequence", "enroll", [sequence, partner, junk, 1], {}),
                ("followup.sequence", "enroll", [sequence, partner, "res.partner", junk], {}),
                ("followup.enrollment", "action_stop", [enrollment, junk], {}),
                ("followup.enrollment", "action_stop", [enrollment], {"note": junk}),
            ]
            for field in ("partner_id", "sequence_id", "next_step_id", "origin_id", "state"):
                vals = {"sequence_id": sequence[0], "partner_id": partner[0], field: junk}
                cases += [
                    ("followup.enrollment", "create", [vals], {}),
                    ("followup.enrollment", "write", [enrollment, {field: junk}], {}),
                ]
            cases.append(("followup.enrollment", "write", [enrollment, {"next_date": junk}], {}))
        cases += [
            (
                "res.partner",
                "followup_set_consent",
                [partner, "email", "granted", "manual"],
                {"origin": "res.partner,x"},
            ),
            (
                "res.partner",
                "followup_set_consent",
                [partner, "email", "granted", "manual"],
                {"origin": f"res.partner,{2**40}"},
            ),
            ("followup.sequence", "enroll", [sequence, partner, "res.partner", MISSING_ID], {}),
            ("followup.sequence", "enroll", [sequence, [MISSING_ID]], {}),
            ("followup.enrollment", "action_stop", [enrollment, "bogus"], {}),
        ]
        # Every public method on a record that does not exist (or no longer does).
        for model, methods in {
            "res.partner": (
                "followup_set_consent",
                "followup_check",
                "followup_request_email_confirmation",
                "action_followup_open_consent_events",
                "action_followup_record_consent",
                "action_followup_view_decisions",
                "action_followup_change_stage",
                "action_view_followup_enrollments",
            ),
            "followup.sequence": (
                "enroll",
                "action_view_enrollments",
                "action_view_dispatch_analysis",
                "action_forecast",
            ),
            "followup.enrollment": (
                "action_stop",
                "action_open_stop_wizard",
                "action_view_origin",
                "action_view_dispatches",
            ),
            "followup.consent": ("action_open_events",),
            "followup.forecast": ("action_view_lines", "action_run_again"),
            "followup.consent.record": ("action_record",),
            "followup.enroll.wizard": ("action_enroll",),
            "followup.stop.wizard": ("action_stop",),
            "followup.lifecycle.wizard": ("action_apply",),
        }.items():
            for method in methods:
                extra = {
                    "followup_set_consent": ["email", "granted", "manual"],
                    "followup_check": ["email"],
                    "enroll": [partner],
                }.get(method, [])
                cases.append((model, method, [[MISSING_ID], *extra], {}))
        return cases

    @mute_logger("odoo.http", "odoo.sql_db", "odoo.addons.base.models.ir_model")
    def test_malformed_arguments_answer_an_odoo_error(self):
        users = (self.user_salesman, self.user_manager)
        for user in users:
            for model, method, args, kwargs in self._cases():
                with self.subTest(
                    user=user.login, model=model, method=method, args=args, kwargs=kwargs
                ):
                    try:
                        self._call(user, model, method, args, kwargs)
                    except xmlrpc.client.Fault as fault:
                        self.assertIn(
                            fault.faultCode,
                            ODOO_FAULTS,
                            f"not an Odoo error:\n{fault.faultString[-1500:]}",
                        )
        # (None, 0 or False for an optional argument means "not given": such calls
        # succeed, and record or stop what they ask.)

    @mute_logger("odoo.http")
    def test_the_error_names_the_argument(self):
        partner = self.carla.ids
        expectations = [
            (
                ("res.partner", "followup_set_consent", [partner, ["email"], "granted", "x"]),
                "channel",
            ),
            (("res.partner", "followup_set_consent", [partner, "email", {"a": 1}, "x"]), "state"),
            (
                (
                    "res.partner",
                    "followup_set_consent",
                    [partner, "email", "granted", "x"],
                    {"proof": 42},
                ),
                "proof",
            ),
            (("followup.sequence", "enroll", [self.sequence_tiny.ids, "abc"]), "partner_ids"),
            (("followup.sequence", "enroll", [self.sequence_tiny.ids, [None]]), "partner_ids"),
            (
                (
                    "followup.sequence",
                    "enroll",
                    [self.sequence_tiny.ids, partner, "res.partner", "x"],
                ),
                "origin_id",
            ),
            (("followup.enrollment", "action_stop", [self.enrollment.ids, "bogus"]), "reason"),
        ]
        for call, argument in expectations:
            with self.subTest(call=call), self.assertRaises(xmlrpc.client.Fault) as caught:
                self._call(self.user_salesman, *call)
            self.assertEqual(caught.exception.faultCode, 2)
            self.assertIn(f"Invalid value for {argument}", caught.exception.faultString)

    @mute_logger("odoo.http")
    def test_ids_beyond_the_database_integers_answer_an_odoo_error_over_json_rpc(self):
        self.authenticate(self.user_salesman.login, self.user_salesman.login)
        calls = [
            ("followup.sequence", "enroll", [self.sequence_tiny.ids, [2**31]], {}),
            ("followup.sequence", "enroll", [self.sequence_tiny.ids, [2**40]], {}),
            (
                "followup.sequence",
                "enroll",
                [self.sequence_tiny.ids, self.carla.ids, "res.partner", 2**40],
                {},
            ),
            (
                "res.partner",
                "followup_set_consent",
                [self.carla.ids, "email", "granted", "manual"],
                {"origin": f"res.partner,{2**40}"},
            ),
            (
                "followup.enrollment",
                "create",
                [{"sequence_id": self.sequence_tiny.id, "partner_id": 2**40}],
                {},
            ),
        ]
        for model, method, args, kwargs in calls:
            with (
                self.subTest(method=method, args=args),
                self.assertRaises(JsonRpcException) as caught,
            ):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {"model": model, "method": method, "args": args, "kwargs": kwargs},
                )
            self.assertEqual(str(caught.exception), "odoo.exceptions.ValidationError")
