"""Two companies in one database: each sees and follows up only its own; consent
belongs to the person in every company; each company's contact policy applies to
its follow-ups, and the cap counts the contacts of every company."""

from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import FollowupSecurityCase

# Company B sends only between 13:00 and 14:00 (the fixture's settings); company A
# keeps the defaults (9:00-19:00). Both caps: one contact every 7 days.
MONDAY_13_ROME = datetime(2026, 11, 30, 12, 0)


@tagged("post_install", "-at_install")
class TestFollowupMultiCompany(FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment_b = cls.env["followup.enrollment"].browse(
            cls.sequence_b.enroll(cls.customer_b.ids)
        )
        cls.dispatch_b = cls.env["followup.dispatch"].create(
            {
                "enrollment_id": cls.enrollment_b.id,
                "step_id": cls.enrollment_b.next_step_id.id,
                "channel": "phone",
                "state": "deferred",
                "reason": "quiet_hours",
            }
        )
        cls.enrollment_b._stop("manual")  # seen, never dispatched by the tests below
        # A person known to both companies (no company on the contact).
        cls.shared = cls._create_customer("Sandro Shared", "sandro", user_id=False)
        cls.user_manager_ab = mail_new_test_user(
            cls.env,
            login="fm_manager_ab",
            name="Marta Both",
            groups="followup_manager.followup_manager_group_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, (cls.company | cls.company_b).ids)],
        )

    # ------------------------------------------------------------------ seeing

    def test_a_user_of_company_a_sees_none_of_company_b_follow_ups(self):
        user = self.user_salesman
        for records in (
            self.sequence_b,
            self.sequence_b.step_ids,
            self.enrollment_b,
            self.dispatch_b,
        ):
            with self.subTest(model=records._name):
                self.assertFalse(
                    self.env[records._name].with_user(user).search([("id", "in", records.ids)])
                )
                with self.assertRaises(AccessError):
                    records.with_user(user).read(["display_name"])
        self.assertEqual(
            self.customer_b.with_user(self.user_salesman_b).followup_last_dispatch_ids,
            self.dispatch_b,
        )
        self.assertEqual(
            self.env["followup.enrollment"].with_user(self.user_salesman_b).search([]),
            self.enrollment_b,
            "company B's salesperson sees company B's enrollments only",
        )

    def test_a_manager_sees_everything_of_their_companies_and_nothing_else(self):
        Enrollment = self.env["followup.enrollment"].with_user(self.user_manager_ab)
        mario = self._enroll(self.sequence_manual, self.mario)
        domain = [("id", "in", (mario | self.enrollment_b).ids)]
        both = Enrollment.with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        ).search(domain)
        self.assertEqual(both, mario | self.enrollment_b)
        only_a = Enrollment.with_context(allowed_company_ids=self.company.ids).search(domain)
        self.assertEqual(only_a, mario)
        self.assertFalse(
            self.env["followup.sequence"]
            .with_user(self.user_manager)
            .search([("company_id", "=", self.company_b.id)]),
            "a manager of company A only does not see company B's sequences",
        )

    # ------------------------------------------------------------------ enrolling

    def test_a_user_of_company_a_cannot_enroll_into_a_company_b_sequence(self):
        user = self.user_salesman
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.sequence_b.with_user(user).enroll(self.shared.ids)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["followup.enrollment"].with_user(user).create(
                {
                    "sequence_id": self.sequence_b.id,
                    "partner_id": self.shared.id,
                    "origin_model": "res.partner",
                    "origin_id": self.shared.id,
                }
            )
        with Form(
            self.env["followup.enroll.wizard"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=self.shared.ids)
        ) as form:
            form.sequence_id = self.sequence_manual
        wizard = form.save()
        wizard.sequence_id = self.sequence_b  # as a forged RPC call would
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            wizard.action_enroll()
        self.assertFalse(self._enrollments(self.sequence_b, self.shared))

    def test_a_contact_of_company_b_never_enters_a_company_a_sequence(self):
        # The user of company A does not even see the contact: it is skipped.
        self.assertEqual(
            self.sequence_manual.with_user(self.user_salesman).enroll(self.customer_b.ids), []
        )
        # Who sees both companies, and the superuser, are refused by the company check.
        for env in (self.env(user=self.user_manager_ab), self.env):
            with (
                self.subTest(user=env.user.login),
                self.assertRaisesRegex(UserError, "compan"),
                self.env.cr.savepoint(),
            ):
                self.sequence_manual.with_env(env).enroll(self.customer_b.ids)
        self.assertFalse(self._enrollments(self.sequence_manual, self.customer_b))
        # A contact without a company may enter the sequences of every company.
        self.sequence_manual.enroll(self.shared.ids)
        self.sequence_b.enroll(self.shared.ids)
        self.assertEqual(
            self.env["followup.enrollment"]
            .search([("partner_id", "=", self.shared.id)])
            .mapped("company_id"),
            self.company | self.company_b,
        )

    def test_a_batch_linked_to_another_company_is_refused_naming_the_wrong_rows(self):
        # Odoo's own company check on a batch of moves: refused, the wrong rows named.
        Enrollment = self.env["followup.enrollment"]
        people = self.shared | self._create_customer("Paola Shared", "paola", user_id=False)
        in_a = Enrollment.browse(self.sequence_manual.enroll(people.ids))
        in_b = Enrollment.browse(self.sequence_b.enroll(self.shared.ids))
        step_b = self.sequence_b.step_ids[:1]
        with self.assertRaises(UserError) as refused, self.env.cr.savepoint():
            (in_a | in_b).write({"partner_id": self.customer_b.id})
        message = str(refused.exception)
        self.assertIn("Incompatible companies", message)
        self.assertEqual(
            message.count("“Nurture: Bianca Company B” belongs to company"), 2, message
        )
        self.assertNotIn("Company B nurture", message)
        # The log refuses a row whose step belongs to another company than its follow-up.
        with self.assertRaisesRegex(UserError, "Incompatible companies"), self.env.cr.savepoint():
            self.env["followup.dispatch"].create(
                {
                    "enrollment_id": in_a[:1].id,
                    "step_id": step_b.id,
                    "channel": "phone",
                    "state": "deferred",
                    "reason": "quiet_hours",
                }
            )
        # Rows of the right company pass, in one write and one create.
        (in_a | in_b).write({"next_step_id": False})
        self.env["followup.dispatch"].create(
            [
                {
                    "enrollment_id": enrollment.id,
                    "step_id": enrollment.sequence_id.step_ids[:1].id,
                    "channel": "phone",
                    "state": "deferred",
                    "reason": "quiet_hours",
                }
                for enrollment in in_a | in_b
            ]
        )

    # ------------------------------------------------------------------ consent

    def test_consent_belongs_to_the_person_in_every_company(self):
        self.shared.with_user(self.user_salesman).followup_set_consent(
            "post", "withdrawn", "manual_phone", proof="Please, no more letters."
        )
        consent_b = (
            self.env["followup.consent"]
            .with_user(self.user_salesman_b)
            .search([("partner_id", "=", self.shared.id), ("channel", "=", "post")])
        )
        self.assertEqual(consent_b.state, "withdrawn", "one consent per channel, all companies")
        [check] = self.shared.with_user(self.user_salesman_b).followup_check("post")
        self.assertEqual((check["allowed"], check["reason"]), (False, "withdrawn"))

    def test_consent_of_a_company_b_contact_is_hidden_from_company_a(self):
        self.customer_b.followup_set_consent("email", "granted", "manual", proof="Yes")
        Consent = self.env["followup.consent"].with_user(self.user_salesman)
        self.assertFalse(Consent.search([("partner_id", "=", self.customer_b.id)]))
        self.assertFalse(
            self.env["followup.consent.event"]
            .with_user(self.user_auditor)
            .search([("partner_id", "=", self.customer_b.id)]),
            "auditors of company A do not read company B's contacts' history",
        )
        customer_b = self.customer_b.with_user(self.user_salesman)
        with self.assertRaises(AccessError):
            customer_b.followup_check("email")
        with self.assertRaises(AccessError):
            customer_b.followup_set_consent("email", "withdrawn", "manual")
        self.assertTrue(
            Consent.with_user(self.user_salesman_b).search(
                [("partner_id", "=", self.customer_b.id)]
            )
        )

    # ------------------------------------------------------------------ settings

    def test_followup_check_applies_the_contact_company_policy(self):
        customers = self.mario | self.customer_b
        customers.followup_set_consent("email", "granted", "manual", proof="Yes")
        with self._at(self.MONDAY_10_ROME):
            # Asked in company A: company B's contact still follows company B's window.
            results = customers.followup_check("email")
        self.assertEqual(
            [(r["partner_id"], r["allowed"], r["reason"]) for r in results],
            [(self.mario.id, True, False), (self.customer_b.id, False, "quiet_hours")],
        )
        self.assertEqual(results[1]["next_allowed"], "2026-11-30 12:00:00")

    def test_dispatch_applies_the_policy_of_the_company_that_follows_up(self):
        enrollment = self._enroll(self.sequence_b, self.shared)
        # The cron runs in company A (9:00-19:00): company B's follow-up of the shared
        # contact still waits for company B's window (13:00-14:00).
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "deferred", "reason": "quiet_hours"}])
        self.assertEqual(enrollment.next_date, MONDAY_13_ROME)
        self.assertIn("1:00 PM-2:00 PM", dispatch.note)
        self.assertRecordValues(self._dispatch(MONDAY_13_ROME), [{"state": "done"}])

    def test_the_cap_counts_the_contacts_of_every_company(self):
        sequence_a = self._sequence("Call A", [self._call_step("Call from A")])
        self._enroll(sequence_a, self.shared)
        self.assertRecordValues(self._dispatch(), [{"state": "done"}])
        # Company B calls the same person in the afternoon: company A's call of this
        # morning counts against company B's cap (one contact a week).
        enrollment_b = self._enroll(self.sequence_b, self.shared, MONDAY_13_ROME)
        dispatch = self._dispatch(MONDAY_13_ROME)
        self.assertRecordValues(
            dispatch, [{"enrollment_id": enrollment_b.id, "state": "deferred", "reason": "cap"}]
        )

    def test_two_companies_due_in_one_batch_share_one_count(self):
        sequence_a = self._sequence("Call A", [self._call_step("Call from A")])
        enrollment_a = self._enroll(sequence_a, self.shared, MONDAY_13_ROME)
        enrollment_b = self._enroll(self.sequence_b, self.shared, MONDAY_13_ROME)
        dispatches = self._dispatch(MONDAY_13_ROME)
        self.assertRecordValues(
            dispatches.sorted(lambda dispatch: dispatch.enrollment_id.id),
            [
                {"enrollment_id": enrollment_a.id, "state": "done", "reason": False},
                {"enrollment_id": enrollment_b.id, "state": "deferred", "reason": "cap"},
            ],
        )

    def test_a_follow_up_e_mail_names_the_company_that_sends_it(self):
        sequence = self._create_sequence(
            "Company B news",
            "manual",
            [self._email_step("News", self.template_partner)],
            company_id=self.company_b.id,
            purpose="service",
        )
        self._enroll(sequence, self.shared, MONDAY_13_ROME)
        dispatch = self._dispatch(MONDAY_13_ROME)
        self.assertEqual(dispatch.state, "done")
        # The footer (why you get this e-mail, your preferences) names company B, not
        # the company the cron runs in.
        self.assertIn("You receive this e-mail from FM Company B", str(dispatch.mail_id.body_html))
