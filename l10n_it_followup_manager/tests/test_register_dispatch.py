"""The Italian opt-out register (Registro Pubblico delle Opposizioni): what the
dispatch and the forecast do with the register's answer, and the reminder to check
it again (the export and the import: test_register.py)."""

from collections import Counter
from datetime import date, datetime

from odoo.tests import tagged

from .test_register import HEADER, RegisterCase


@tagged("post_install", "-at_install")
class TestRegisterDispatch(RegisterCase):
    """One marketing call, one marketing letter, a marketing e-mail and a service call,
    due on Monday 30 November 2026 at 10:00 in Rome."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        italian = cls._italian
        cls.rosa = italian("Rosa Registered", "rosa", "+39 06 4991 0001")
        cls.carlo = italian("Carlo Clear", "carlo", "+39 06 4991 0002")
        cls.ugo = italian("Ugo Unchecked", "ugo", "+39 06 4991 0003")
        cls.sara = italian("Sara Stale", "sara", "+39 06 4991 0004")
        cls.luca = italian("Luca Later", "luca", "+39 06 4991 0005")
        cls.cora = italian("Cora Customer", "cora", "+39 06 4991 0006")
        cls.urs = cls._create_customer(
            "Urs Zurich",
            "urs",
            phone="+41 44 668 18 00",
            mobile=False,
            country_id=cls.env.ref("base.ch").id,
            tz="Europe/Zurich",
        )
        cls.paola = italian(
            "Paola Post", "paola", "+39 06 4991 0007", street="Via Po 2", zip="00198", city="Roma"
        )
        cls.callers = cls.rosa | cls.carlo | cls.ugo | cls.sara | cls.luca | cls.cora | cls.urs
        with cls._class_at(datetime(2026, 10, 1, 9, 0)):
            (cls.callers | cls.paola).followup_set_consent(
                "phone", "granted", "manual", legal_basis="consent"
            )
            (cls.rosa | cls.paola | cls.carlo).followup_set_consent(
                "post", "granted", "manual", legal_basis="consent"
            )
            cls.rosa.followup_set_consent("email", "granted", "manual", legal_basis="consent")
        with cls._class_at(datetime(2026, 11, 15, 9, 0)):
            # Luca said yes again after his registration.
            cls.luca.followup_set_consent("phone", "granted", "manual", legal_basis="consent")
        # Only this test's sequences (no "after sale" sequence reacts to the order).
        cls.env["followup.sequence"].search([]).action_archive()
        # A running contract exempts from the register: Cora's confirmed order, where
        # Sales is installed (the rule reads confirmed sale orders; this add-on does not
        # depend on Sales). Without it, Cora is a registered number like Rosa's.
        cls.contracts = "sale.order" in cls.env
        if cls.contracts:
            order = cls.env["sale.order"].create(
                {
                    "partner_id": cls.cora.id,
                    "order_line": [
                        (0, 0, {"product_id": cls.env.ref("product.product_product_4").id})
                    ],
                }
            )
            order.action_confirm()
            order.date_order = datetime(2026, 11, 16, 10, 0)
        cls.campaign = cls._create_sequence(
            "Campaign", "manual", [cls._call_step("Call")], purpose="marketing"
        )
        cls.letters = cls._create_sequence(
            "Letters", "manual", [cls._call_step("Letter", channel="post")], purpose="marketing"
        )
        cls.newsletter = cls._create_sequence(
            "Newsletter",
            "manual",
            [cls._email_step("News", cls.template_partner)],
            purpose="marketing",
        )
        cls.care = cls._create_sequence(
            "Care", "manual", [cls._call_step("Check-in")], purpose="service"
        )

    @classmethod
    def _class_at(cls, moment):
        return cls._at(cls, moment)

    def _answers(self):
        self._import(HEADER + "phone;+390649910005;registered\n", day=date(2026, 11, 10))
        self._import(
            HEADER
            + "phone;+390649910001;registered\n"
            + "phone;+390649910002;clear\n"
            + "phone;+390649910005;registered\n"
            + "phone;+390649910006;registered\n"
            + "post;VIA PO 2, 00198 ROMA;registered\n",
            day=self.NOV_20,
        )
        self._import(HEADER + "phone;+390649910004;clear\n", day=date(2026, 10, 20))

    def _log(self):
        """The log of this test's sequences (the demo's past, when installed, has its
        own rows)."""
        sequences = self.campaign | self.letters | self.newsletter | self.care
        return self.env["followup.dispatch"].search([("sequence_id", "in", sequences.ids)])

    def _outcomes(self, dispatches):
        return {
            (d.sequence_id.name, d.partner_id.name): (d.state, d.reason or False)
            for d in dispatches
        }

    def test_the_register_suppresses_and_defers_exactly_the_right_steps(self):
        self._answers()
        self._enroll(self.campaign, self.callers)
        self._enroll(self.letters, self.paola | self.carlo)
        self._enroll(self.newsletter, self.rosa)
        self._enroll(self.care, self.rosa)
        self._dispatch()
        dispatches = self._log()
        self.assertEqual(
            self._outcomes(dispatches),
            {
                ("Campaign", "Rosa Registered"): ("suppressed", "register"),
                ("Campaign", "Carlo Clear"): ("done", False),
                ("Campaign", "Ugo Unchecked"): ("deferred", "register"),
                ("Campaign", "Sara Stale"): ("deferred", "register"),
                ("Campaign", "Luca Later"): ("done", False),
                ("Campaign", "Cora Customer"): ("done", False)
                if self.contracts
                else ("suppressed", "register"),
                ("Campaign", "Urs Zurich"): ("done", False),
                ("Letters", "Paola Post"): ("suppressed", "register"),
                # No address in Italy: nothing to check.
                ("Letters", "Carlo Clear"): ("done", False),
                ("Newsletter", "Rosa Registered"): ("done", False),
                ("Care", "Rosa Registered"): ("done", False),
            },
        )
        # Read in English by someone in Rome (sentences are composed when read).
        reader = dispatches.with_context(lang="en_US", tz="Europe/Rome")
        notes = {d.partner_id.name + "/" + d.sequence_id.name: d.note for d in reader}
        self.assertEqual(
            notes["Rosa Registered/Campaign"],
            "Suppressed: the number +390649910001 of Rosa Registered is in the Registro "
            "Pubblico delle Opposizioni (answer of Nov 20, 2026, registered since Nov 20, 2026) "
            "and no consent was given after that nor is a contract running; this marketing "
            "step is skipped.",
        )
        self.assertIn(
            "the address VIA PO 2, 00198 ROMA of Paola Post", notes["Paola Post/Letters"]
        )
        # Babel writes the time with the locale's own space before "AM".
        self.assertEqual(
            " ".join(notes["Sara Stale/Campaign"].replace("\u202f", " ").split()),
            "Deferred: the last answer of the Registro Pubblico delle Opposizioni for the "
            "number +390649910004 of Sara Stale is of Oct 20, 2026, older than 30 days; a new "
            "check is needed. Next try on Dec 1, 2026, 10:00 AM (Europe/Rome), or as soon "
            "as the answer is imported.",
        )
        self.assertIn("has not been checked", notes["Ugo Unchecked/Campaign"])
        deferred = dispatches.filtered(lambda d: d.state == "deferred")
        self.assertEqual(set(deferred.mapped("next_try")), {datetime(2026, 12, 1, 9, 0)})

    def test_an_imported_answer_retries_the_waiting_steps_at_once(self):
        enrollment = self._enroll(self.campaign, self.ugo)
        self._dispatch()
        self.assertEqual(enrollment.next_date, datetime(2026, 12, 1, 9, 0))
        # The answer comes at noon (the import helper's time).
        later = datetime(2026, 11, 30, 12, 0)
        self._import(HEADER + "phone;+390649910003;clear\n", day=date(2026, 11, 30))
        self.assertEqual(enrollment.next_date, later)
        self._dispatch(later)
        self.assertEqual(enrollment.dispatch_ids.sorted("id")[-1].state, "done")

    def test_a_company_outside_italy_that_turned_it_off_calls_as_before(self):
        self.company.followup_rpo_enabled = False
        self._enroll(self.campaign, self.ugo | self.rosa)
        self._dispatch()
        self.assertEqual(set(self._log().mapped("state")), {"done"})

    def test_the_forecast_shows_the_registers_effect(self):
        self._answers()
        self._enroll(self.campaign, self.callers)
        Forecast = self.env["followup.forecast"]

        def first_day(forecast):
            counts = Counter()
            lines = forecast.line_ids.filtered(
                lambda line: line.date == date(2026, 11, 30) and line.population == "enrolled"
            )
            for line in lines:
                counts[(line.state, line.reason or False)] += line.count
            return counts

        with self._at(self.MONDAY_10_ROME):
            forecast = Forecast._followup_run(self.campaign, days=3, now=self.MONDAY_10_ROME)
        # Cora's contract exempts her where Sales is installed (see setUpClass).
        exempt = int(self.contracts)
        expected = Counter(
            {
                ("done", False): 3 + exempt,
                ("suppressed", "register"): 2 - exempt,
                ("deferred", "register"): 2,
            }
        )
        self.assertEqual(first_day(forecast), expected)
        # The deferred calls wait for a check day after day.
        self.assertEqual(
            sum(
                line.count
                for line in forecast.line_ids
                if line.reason == "register"
                and line.state == "deferred"
                and line.population == "enrolled"
            ),
            2 * 3,
        )
        # Without the register, every call is made.
        self.company.followup_rpo_enabled = False
        with self._at(self.MONDAY_10_ROME):
            forecast = Forecast._followup_run(self.campaign, days=3, now=self.MONDAY_10_ROME)
        self.assertEqual(first_day(forecast), Counter({("done", False): 7}))
        # What the forecast says is what the dispatch does.
        self.company.followup_rpo_enabled = True
        self._dispatch()
        dispatched = Counter((d.state, d.reason or False) for d in self._log())
        self.assertEqual(dispatched, expected)


@tagged("post_install", "-at_install")
class TestRegisterReminder(RegisterCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls._create_sequence(
            "Campaign", "manual", [cls._call_step("Call")], purpose="marketing"
        )
        cls.ada = cls._italian("Ada Unchecked", "ada", "+39 06 4991 0001")
        cls.activity_type = cls.env.ref(
            "l10n_it_followup_manager.mail_activity_type_followup_rpo_check"
        )

    def _reminders(self):
        return self.env["mail.activity"].search(
            [("activity_type_id", "=", self.activity_type.id), ("res_id", "=", self.campaign.id)]
        )

    def test_managers_are_reminded_once_when_a_check_is_due(self):
        self._enroll(self.campaign, self.ada)
        Sequence = self.env["followup.sequence"]
        Sequence._cron_followup_rpo_reminder(today=date(2026, 11, 30))
        reminders = self._reminders()
        self.assertIn(self.user_manager, reminders.user_id)
        self.assertNotIn(self.user_salesman, reminders.user_id)
        self.assertIn("1 contact(s) of this sequence", reminders[0].note)
        Sequence._cron_followup_rpo_reminder(today=date(2026, 12, 1))
        self.assertEqual(self._reminders(), reminders)
        # The list of checks due shows her too.
        action = self.env["res.partner"].with_user(self.user_manager).action_followup_rpo_due()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.ada)

    def test_no_reminder_while_the_answers_are_fresh(self):
        self._enroll(self.campaign, self.ada)
        self._import(HEADER + "phone;+390649910001;clear\n")
        Sequence = self.env["followup.sequence"]
        Sequence._cron_followup_rpo_reminder(today=date(2026, 12, 1))
        self.assertFalse(self._reminders())
        self.assertFalse(
            self.env["res.partner"]._followup_rpo_due_partners(today=date(2026, 12, 1))
        )
        # Three days before the answer turns 30 days old, the check is due.
        Sequence._cron_followup_rpo_reminder(today=date(2026, 12, 18))
        self.assertTrue(self._reminders())
        self.assertEqual(
            self.env["res.partner"]._followup_rpo_due_partners(today=date(2026, 12, 21)), self.ada
        )
