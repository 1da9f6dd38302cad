"""The Italian opt-out register (Registro Pubblico delle Opposizioni): the export of the
numbers and addresses to check, the import of the register's answer and its setting.
What the dispatch and the forecast do with it: test_register_dispatch.py."""

import base64
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase

HEADER = "type;value;status\n"


class RegisterCase(FollowupDispatchCase):
    """Italian customers with their own office number each, a company applying the
    register, and a helper to import the register's answer as a manager would."""

    NOV_20 = date(2026, 11, 20)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"followup_rpo_enabled": True, "followup_rpo_days": 30, "followup_cap_count": 0}
        )

    @classmethod
    def _italian(cls, name, login, number, **values):
        values.setdefault("mobile", False)
        return cls._create_customer(name, login, phone=number, **values)

    def _import(self, text, day=None, user=None, name="answer.csv"):
        """Run the import wizard as ``user`` (the manager) on ``text``; returns it."""
        day = day or self.NOV_20
        moment = datetime.combine(day, datetime.min.time()).replace(hour=12)
        with self._at(moment):
            Wizard = self.env["followup.rpo.import.wizard"].with_user(user or self.user_manager)
            wizard = Wizard.create(
                {"file": base64.b64encode(text.encode()), "file_name": name, "date": day}
            )
            wizard.action_import()
        return wizard

    def _entries(self):
        return self.env["followup.rpo.entry"].search([])


@tagged("post_install", "-at_install")
class TestRegisterExport(RegisterCase):
    def test_export_lists_italian_numbers_and_addresses_once(self):
        anna = self._italian(
            "Anna Export",
            "anna",
            "+39 06 4991 0001",
            mobile="+39 347 111 2222",
            street="Via Roma 1",
            zip="00184",
            city="Roma",
        )
        twin = self._italian("Anna's twin", "twin", "+39 06 4991 0001")
        swiss = self._create_customer(
            "Urs Zurich",
            "urs",
            phone="+41 44 668 18 00",
            mobile=False,
            country_id=self.env.ref("base.ch").id,
            street="Bahnhofstrasse 1",
            city="Zürich",
        )
        with self._at(self.MONDAY_10_ROME):
            action = (
                (anna | twin | swiss).with_user(self.user_manager).action_followup_rpo_export()
            )
        wizard = self.env["followup.rpo.export"].browse(action["res_id"])
        self.assertEqual(
            base64.b64decode(wizard.file).decode(),
            "type;value\nphone;+390649910001\nphone;+393471112222\npost;VIA ROMA 1, 00184 ROMA\n",
        )
        self.assertEqual(wizard.file_name, "registro_opposizioni_2026-11-30.csv")
        self.assertEqual(
            (wizard.number_count, wizard.address_count, wizard.skipped_count), (2, 1, 1)
        )

    def test_check_a_sequences_audience_in_one_click(self):
        campaign = self._sequence("Campaign", [self._call_step("Call")], purpose="marketing")
        enrolled = self._italian("Enrolled", "enrolled", "+39 06 4991 0002")
        self._italian("Not enrolled", "other", "+39 06 4991 0003")
        self._enroll(campaign, enrolled)
        action = campaign.with_user(self.user_manager).action_followup_rpo_check_audience()
        wizard = self.env["followup.rpo.export"].browse(action["res_id"])
        self.assertEqual(wizard.sequence_id, campaign)
        self.assertEqual(
            base64.b64decode(wizard.file).decode(), "type;value\nphone;+390649910002\n"
        )

    def test_only_managers_export(self):
        with self.assertRaises(AccessError):
            self.mario.with_user(self.user_salesman).action_followup_rpo_export()


@tagged("post_install", "-at_install")
class TestRegisterImport(RegisterCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rosa = cls._italian(
            "Rosa Registered",
            "rosa",
            "+39 06 4991 0001",
            street="Via Roma 1",
            zip="00184",
            city="Roma",
            state_id=cls.env.ref("base.state_it_rm").id,
        )
        cls.carlo = cls._italian("Carlo Clear", "carlo", "+39 06 4991 0002")

    def test_a_valid_answer_marks_numbers_addresses_and_contacts(self):
        wizard = self._import(
            HEADER
            + "phone;+390649910001;clear\n"
            + "post;Via Roma 1, 00184 Roma RM;registered\n"
            + "phone;06 4991 0002;non iscritto\n"
            + "phone;+390649919999;registered\n"
        )
        self.assertEqual(wizard.state, "done")
        self.assertEqual(
            (
                wizard.read_count,
                wizard.matched_count,
                wizard.unmatched_count,
                wizard.rejected_count,
            ),
            (4, 3, 1, 0),
        )
        self.assertIn(
            "4 line(s) read: 3 matched a contact, 1 matched none, 0 rejected.", wizard.report
        )
        self.assertIn("Lines matching no contact (recorded all the same): 5.", wizard.report)
        # Registered: the address is; dated by that answer.
        self.assertEqual(
            (self.rosa.followup_rpo_state, self.rosa.followup_rpo_date),
            ("registered", self.NOV_20),
        )
        self.assertEqual(
            (self.carlo.followup_rpo_state, self.carlo.followup_rpo_date), ("clear", self.NOV_20)
        )
        entries = self._entries()
        self.assertEqual(len(entries), 4)
        unmatched = entries.filtered(lambda e: e.value == "+390649919999")
        self.assertEqual((unmatched.state, unmatched.partner_ids.ids), ("registered", []))
        rpo_import = wizard.import_id
        self.assertEqual(rpo_import.partner_count, 2)
        self.assertEqual((rpo_import.registered_count, rpo_import.clear_count), (2, 2))
        self.assertEqual(sorted(rpo_import.answer_ids.mapped("line")), [2, 3, 4, 5])
        # A contact given that number later follows the answer already recorded.
        newcomer = self._italian("Newcomer", "newcomer", "+39 06 4991 9999")
        self.assertEqual(newcomer.followup_rpo_state, "registered")
        # And a contact whose number changes loses the answer of the old one.
        self.carlo.phone = "+39 06 4991 0042"
        self.assertEqual(
            (self.carlo.followup_rpo_state, self.carlo.followup_rpo_date), ("unknown", False)
        )

    def test_every_answer_is_kept_and_the_registration_date_is_the_first_one(self):
        self._import(HEADER + "phone;+390649910001;registered\n", day=date(2026, 11, 1))
        self._import(HEADER + "phone;+390649910001;registered\n", day=self.NOV_20)
        entry = self._entries()
        self.assertEqual((entry.date, entry.registered_since), (self.NOV_20, date(2026, 11, 1)))
        history = self.env["followup.rpo.answer"].search([("entry_id", "=", entry.id)])
        self.assertEqual(history.mapped("date"), [self.NOV_20, date(2026, 11, 1)])
        # An older file imported late adds to the history, the current answer stays.
        self._import(HEADER + "phone;+390649910001;clear\n", day=date(2026, 10, 1))
        self.assertEqual((entry.state, entry.date), ("registered", self.NOV_20))
        self.assertEqual(len(entry.answer_ids), 3)

    def test_a_partial_file_imports_nothing_and_says_which_lines(self):
        wizard = self._import(
            HEADER
            + "phone;+390649910001;registered\n"
            + "phone;not a number;clear\n"
            + "phone;+390649910002;perhaps\n"
        )
        self.assertEqual(wizard.state, "rejected")
        self.assertEqual(
            (
                wizard.read_count,
                wizard.matched_count,
                wizard.unmatched_count,
                wizard.rejected_count,
            ),
            (3, 1, 0, 2),
        )
        self.assertIn(
            "Line 3 rejected, not a phone number: phone;not a number;clear", wizard.report
        )
        self.assertIn(
            "Line 4 rejected, unknown status: phone;+390649910002;perhaps", wizard.report
        )
        self.assertIn("Nothing was imported", wizard.report)
        self.assertFalse(self._entries())
        self.assertFalse(self.env["followup.rpo.import"].search([]))
        self.assertEqual(self.rosa.followup_rpo_state, "unknown")

    def test_a_malformed_file_imports_nothing(self):
        for data in ("\x00\x01binary", " \n", HEADER):
            with self.subTest(data=data):
                wizard = self._import(data)
                self.assertEqual(wizard.state, "rejected")
                self.assertIn("Nothing was imported", wizard.report)
        self.assertFalse(self._entries())
        wizard = self._import("\x00\x01binary")
        self.assertIn(
            "The file is rejected: not a text file in the expected layout.", wizard.report
        )

    def test_an_answer_from_the_future_is_refused(self):
        wizard = self.env["followup.rpo.import.wizard"].create(
            {
                "file": base64.b64encode(b"phone;+390649910001;clear"),
                "date": date(2026, 12, 1),
            }
        )
        with (
            self._at(self.MONDAY_10_ROME),
            self.assertRaisesRegex(UserError, "cannot be in the future"),
        ):
            wizard.action_import()

    def test_managers_import_auditors_read_salespeople_neither(self):
        self._import(HEADER + "phone;+390649910001;registered\n")
        with self.assertRaises(AccessError):
            self._import(HEADER + "phone;+390649910002;clear\n", user=self.user_salesman)
        with self.assertRaises(AccessError):
            self._import(HEADER + "phone;+390649910002;clear\n", user=self.user_auditor)
        entry = self._entries().with_user(self.user_auditor)
        self.assertEqual(entry.state, "registered")
        self.assertEqual(entry.answer_ids.import_id.name, "answer.csv")
        with self.assertRaises(AccessError):
            entry.write({"state": "clear"})
        with self.assertRaises(AccessError):
            self._entries().with_user(self.user_manager).unlink()
        with self.assertRaises(AccessError):
            self._entries().with_user(self.user_salesman).read(["state"])

    def test_the_consent_proof_shows_the_answers(self):
        self._import(HEADER + "post;VIA ROMA 1, 00184 ROMA RM;registered\n")
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.user_auditor)
            ._render_qweb_html("followup_manager.followup_consent_proof_report", self.rosa.ids)
        )
        html = html.decode()
        self.assertIn("Registro Pubblico delle Opposizioni", html)
        self.assertIn("VIA ROMA 1, 00184 ROMA RM", html)
        self.assertIn("answer.csv", html)
        self.assertIn("Not checked.", html)  # her number was not in the file


@tagged("post_install", "-at_install")
class TestRegisterSettings(RegisterCase):
    def test_on_by_default_for_companies_in_italy_and_the_period_is_a_setting(self):
        Company = self.env["res.company"]
        italian = Company.create({"name": "Ditta", "country_id": self.italy.id})
        french = Company.create({"name": "Société", "country_id": self.env.ref("base.fr").id})
        self.assertTrue(italian.followup_rpo_enabled)
        self.assertFalse(french.followup_rpo_enabled)
        self.assertEqual(italian.followup_rpo_days, 30)
        settings = Form(self.env["res.config.settings"].with_company(italian))
        settings.followup_rpo_enabled = False
        settings.save().execute()
        self.assertFalse(italian.followup_rpo_enabled)
        self.assertIsNone(italian._followup_register_settings())
        self.assertEqual(self.company._followup_register_settings().max_age_days, 30)

    def test_follow_up_managers_set_the_period_in_their_settings_form(self):
        form = Form(self.env["followup.company.settings"].with_user(self.user_manager))
        self.assertTrue(form.followup_rpo_enabled)
        form.followup_rpo_days = 15
        form.save().action_save()
        self.assertEqual(self.company.followup_rpo_days, 15)
        self.assertEqual(self.company._followup_register_settings().max_age_days, 15)
