import hashlib
import json
from datetime import datetime, timedelta

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import ConsentCase

# A Wednesday, 11:00 in Rome: inside the default 9:00-19:00 window.
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 0)
WORDING = "Yes, send me news about your products by e-mail. You can unsubscribe at any time."


@tagged("post_install", "-at_install")
class TestConsentHistory(ConsentCase):
    """The history is append-only for everybody: users, admins, sudo, SQL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna.followup_set_consent("email", "granted", "manual", proof=WORDING)
        cls.event = cls.env["followup.consent.event"].search([("partner_id", "=", cls.anna.id)])
        cls.user_admin = cls.env.ref("base.user_admin")

    def test_history_cannot_be_edited_by_any_user(self):
        for user in (self.user_salesman, self.user_auditor, self.user_manager, self.user_admin):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.event.with_user(user).write({"state": "withdrawn"})
        with self.assertRaises(UserError):
            self.event.sudo().write({"proof": "Something else"})
        with self.assertRaises(UserError):
            self.event.with_user(self.user_admin).sudo().write({"state": "withdrawn"})
        self.assertEqual(self.event.state, "granted")
        self.assertEqual(self.event.proof, WORDING)

    def test_history_cannot_be_deleted_by_any_user(self):
        for user in (self.user_salesman, self.user_auditor, self.user_manager, self.user_admin):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.event.with_user(user).unlink()
        with self.assertRaises(UserError):
            self.event.sudo().unlink()
        self.assertTrue(self.event.exists())

    @mute_logger("odoo.sql_db")
    def test_history_cannot_be_changed_in_sql(self):
        for query in (
            "UPDATE followup_consent_event SET state = 'withdrawn' WHERE id = %s",
            "UPDATE followup_consent_event SET proof = 'forged' WHERE id = %s",
            "UPDATE followup_consent_event SET partner_id = NULL WHERE id = %s",
            "DELETE FROM followup_consent_event WHERE id = %s",
        ):
            with (
                self.subTest(query=query),
                self.assertRaises(psycopg2.Error),
                self.env.cr.savepoint(),
            ):
                self.env.cr.execute(query, [self.event.id])
        with self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute("TRUNCATE followup_consent_event CASCADE")
        self.env.invalidate_all()
        self.assertEqual(self.event.proof, WORDING)

    def test_partner_with_history_is_archived_not_deleted(self):
        with self.assertRaises(UserError):
            self.anna.unlink()
        self.anna.action_archive()
        self.assertFalse(self.anna.active)
        self.assertEqual(self.event.partner_id, self.anna)

    def test_merging_duplicates_moves_the_history_to_the_kept_partner(self):
        duplicate = self.env["res.partner"].create(
            {"name": "Anna Dup", "email": "anna@example.com"}
        )
        duplicate.followup_set_consent("sms", "withdrawn", "manual", proof="No texts, please.")
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (self.anna | duplicate).ids, self.anna
        )
        self.assertFalse(duplicate.exists())
        history = self.Event.search([("partner_id", "=", self.anna.id)])
        self.assertEqual(sorted(history.mapped("channel")), ["email", "sms"])
        self.assertEqual(
            history.filtered(lambda e: e.channel == "sms").partner_name_snapshot, "Anna Dup"
        )

    def test_withdrawal_on_a_merged_duplicate_is_not_lost(self):
        duplicate = self.env["res.partner"].create(
            {"name": "Anna Dup", "email": "anna@example.com"}
        )
        duplicate.followup_set_consent("email", "withdrawn", "preference_page", proof="No more")
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (self.anna | duplicate).ids, self.anna
        )
        consent = self.consent(self.anna)
        self.assertEqual((consent.state, consent.source), ("withdrawn", "partner_merge"))
        last = self.events(self.anna)[0]
        self.assertIn("No more", last.proof)
        self.assertEqual(len(self.events(self.anna)), 3)

    def test_event_keeps_hash_and_snapshot_of_the_contact(self):
        self.assertEqual(self.event.proof_hash, hashlib.sha256(WORDING.encode()).hexdigest())
        self.assertEqual(self.event.partner_email_snapshot, "anna@example.com")
        self.assertEqual(self.event.partner_phone_snapshot, "+393471234567")
        self.anna.email = "anna.new@example.com"
        self.assertEqual(self.event.partner_email_snapshot, "anna@example.com")

    def test_auditor_reads_the_whole_history(self):
        self.bruno.followup_set_consent("sms", "granted", "manual")
        history = self.Event.with_user(self.user_auditor).search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(len(history), 2)
        self.assertTrue(history.mapped("proof"))

    def test_auditors_read_where_a_decision_came_from_in_words(self):
        self.anna.followup_set_consent("email", "withdrawn", "one_click_unsubscribe")
        self.anna.followup_set_consent("sms", "granted", "crm_import_2026")
        events = self.env["followup.consent.event"].search([("partner_id", "=", self.anna.id)])
        labels = {event.source: event.source_label for event in events}
        self.assertEqual(labels["one_click_unsubscribe"], "One-click unsubscribe")
        # A source the add-on does not know (an import, an RPC client) reads as written.
        self.assertEqual(labels["crm_import_2026"], "crm_import_2026")
        consent = self.anna.followup_consent_ids.filtered(lambda c: c.channel == "email")
        self.assertEqual(consent.source_label, "One-click unsubscribe")


@tagged("post_install", "-at_install")
class TestConsentSet(ConsentCase):
    def test_set_consent_appends_one_event_per_partner_and_updates_state(self):
        self.partners.followup_set_consent("email", "granted", "manual", proof=WORDING)
        self.assertEqual(len(self.events(self.partners)), 3)
        self.assertEqual(
            set(self.Consent.search([("partner_id", "in", self.partners.ids)]).mapped("state")),
            {"granted"},
        )

        self.bruno.followup_set_consent("email", "withdrawn", "one_click_unsubscribe")
        self.assertEqual(len(self.events(self.partners)), 4)
        self.assertEqual(self.consent(self.bruno).state, "withdrawn")
        self.assertEqual(self.consent(self.bruno).source, "one_click_unsubscribe")
        self.assertFalse(self.consent(self.bruno).legal_basis)
        self.assertEqual(self.consent(self.anna).state, "granted")
        self.assertEqual(self.consent(self.anna).legal_basis, "consent")
        # One current row per partner and channel, however many decisions.
        self.assertEqual(len(self.consent(self.bruno)), 1)

    def test_consent_is_unique_per_partner_and_channel(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        projection = self.Consent.sudo().with_context(followup_consent_apply=True)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            projection.create(
                {"partner_id": self.anna.id, "channel": "email", "state": "withdrawn"}
            )
            self.env.flush_all()

    def test_consent_state_cannot_be_written_directly(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        consent = self.consent(self.anna)
        with self.assertRaises(AccessError):
            consent.with_user(self.user_manager).write({"state": "withdrawn"})
        with self.assertRaises(UserError):
            consent.sudo().write({"state": "withdrawn"})
        with self.assertRaises(UserError):
            consent.sudo().unlink()
        self.assertEqual(consent.state, "granted")

    def test_salesman_records_a_decision_with_its_proof(self):
        order_ref = self.env["res.partner"].browse(self.bruno.id)
        result = self.anna.with_user(self.user_salesman).followup_set_consent(
            "phone",
            "granted",
            "manual",
            proof="Said yes to calls on 4 March.",
            origin=order_ref,
        )
        self.assertIs(result, True)
        event = self.events(self.anna, "phone")
        self.assertEqual(event.user_id, self.user_salesman)
        self.assertEqual(event.legal_basis, "consent")
        self.assertEqual(event.origin, self.bruno)
        self.assertFalse(event.ip_address, "an address is the person's, online only")
        self.assertEqual(
            self.consent(self.anna, "phone").with_user(self.user_salesman).state, "granted"
        )

    def test_set_consent_needs_followup_rights(self):
        employee = mail_new_test_user(self.env, login="fm_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.anna.with_user(employee).followup_set_consent("email", "granted", "manual")
        self.assertFalse(self.events(self.anna))

    def test_set_consent_refuses_unknown_values(self):
        for args in (
            ("fax", "granted", "manual"),
            ("email", "maybe", "manual"),
            ("email", "granted", ""),
        ):
            with self.subTest(args=args), self.assertRaises(UserError):
                self.anna.followup_set_consent(*args)
        with self.assertRaises(UserError):
            self.anna.followup_set_consent("email", "granted", "manual", legal_basis="because")

    def test_set_consent_on_many_partners_costs_a_fixed_number_of_queries(self):
        """Only the ORM's INSERT batches (100 rows each) grow with the number of
        partners: events, consents, blacklist entries and their notes."""
        hundred = self.env["res.partner"].create(
            [{"name": f"Few {i}", "email": f"few{i}@example.com"} for i in range(100)]
        )
        thousand = self.env["res.partner"].create(
            [{"name": f"Many {i}", "email": f"many{i}@example.com"} for i in range(1000)]
        )
        counts = []
        for partners in (hundred, thousand):
            queries, _result = self._count_queries(
                partners.followup_set_consent,
                "email",
                "withdrawn",
                "import",
                proof="Imported opt-out list",
            )
            counts.append(queries)
        self.assertLessEqual(
            counts[1] - counts[0], 4 * 9, f"queries for 100 and 1000 partners: {counts}"
        )
        self.assertLess(counts[1], 60, f"queries for 100 and 1000 partners: {counts}")
        self.assertEqual(len(self.events(thousand)), 1000)
        self.assertEqual(
            self.env["mail.blacklist"].search_count([("email", "=like", "many%@example.com")]),
            1000,
        )

    def test_chatter_of_the_consent_shows_the_change(self):
        anna = self.anna.with_context(tracking_disable=False)
        anna.followup_set_consent("email", "granted", "manual")
        self.env.cr.precommit.run()
        anna.followup_set_consent("email", "withdrawn", "preference_page")
        self.env.cr.precommit.run()
        tracked = self.consent(self.anna).message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(tracked.mapped("new_value_char"), ["Withdrawn"])

    def test_chatter_of_many_consents_is_logged_in_batch(self):
        counts = []
        # The first round warms the caches (field descriptions, subtypes).
        for size in (4, 5, 80):
            partners = (
                self.env["res.partner"]
                .create(
                    [
                        {"name": f"Chat {size}-{i}", "email": f"c{size}-{i}@example.com"}
                        for i in range(size)
                    ]
                )
                .with_context(tracking_disable=False)
            )
            partners.followup_set_consent("email", "granted", "manual")
            self.env.cr.precommit.run()

            def withdraw(partners=partners):
                partners.followup_set_consent("email", "withdrawn", "preference_page")
                self.env.cr.precommit.run()

            counts.append(self._count_queries(withdraw)[0])
            messages = self.Consent.search([("partner_id", "in", partners.ids)]).message_ids
            self.assertEqual(
                len(messages.tracking_value_ids.filtered(lambda v: v.field_id.name == "state")),
                size,
            )
        # Only the ORM's INSERT batches (100 rows) grow: 80 consents have 240
        # tracking values (state, basis, source), i.e. two more INSERTs.
        self.assertLessEqual(
            counts[2] - counts[1], 2, f"queries for 4, 5 and 80 partners: {counts}"
        )

    def test_salesman_records_what_the_person_said_with_the_wizard(self):
        wizard = Form(
            self.env["followup.consent.record"]
            .with_user(self.user_salesman)
            .with_context(active_model="res.partner", active_ids=self.anna.ids)
        )
        wizard.channel = "sms"
        wizard.how = "phone"
        wizard.proof = "Asked whether we may text her about offers: she said yes."
        wizard.save().action_record()
        event = self.events(self.anna, "sms")
        self.assertEqual((event.state, event.legal_basis), ("granted", "consent"))
        self.assertEqual((event.source, event.user_id), ("manual_phone", self.user_salesman))

    def test_withdrawal_stops_follow_ups_left_with_that_channel_only(self):
        call = self.env.ref("mail.mail_activity_data_call")
        sequence = self.env["followup.sequence"].create(
            {
                "name": "Call them back",
                "step_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Call",
                            "action": "activity",
                            "channel": "phone",
                            "activity_type_id": call.id,
                        },
                    ),
                ],
            }
        )
        enrollment = self.env["followup.enrollment"].browse(sequence.enroll(self.anna.ids))
        self.assertEqual(enrollment.state, "active")
        self.anna.followup_set_consent("phone", "withdrawn", "preference_page")
        self.assertEqual(enrollment.state, "stopped")

    def test_partner_smart_button_opens_its_history(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        self.anna.followup_set_consent("sms", "granted", "manual")
        partner = self.anna.with_user(self.user_salesman)
        self.assertEqual(partner.followup_consent_event_count, 2)
        action = partner.action_followup_open_consent_events()
        self.assertEqual(
            self.Event.search(action["domain"]),
            self.events(self.anna, "email") | self.events(self.anna, "sms"),
        )
        self.assertEqual(len(partner.followup_consent_ids), 2)


@tagged("post_install", "-at_install")
class TestConsentCheck(ConsentCase):
    def check(self, partners, channel="email"):
        with freeze_time(WEDNESDAY_MORNING):
            return partners.followup_check(channel)

    def test_check_says_why_a_person_cannot_be_contacted(self):
        self.bruno.followup_set_consent("email", "withdrawn", "preference_page")
        self.carla.followup_set_consent("email", "granted", "manual")
        self.carla.followup_no_email = True
        results = self.check(self.anna | self.bruno | self.carla)
        self.assertEqual(
            [(r["partner_id"], r["allowed"], r["reason"]) for r in results],
            [
                (self.anna.id, False, "no_consent"),
                (self.bruno.id, False, "blacklisted"),
                (self.carla.id, False, "channel_refused"),
            ],
        )

    def test_check_allows_a_granted_consent_inside_the_window(self):
        self.anna.followup_set_consent("email", "granted", "manual", proof=WORDING)
        self.assertEqual(
            self.check(self.anna),
            [
                {
                    "partner_id": self.anna.id,
                    "allowed": True,
                    "reason": False,
                    "next_allowed": False,
                }
            ],
        )

    def test_withdrawn_phone_consent_without_blacklisted_number(self):
        self.anna.mobile = False
        self.anna.followup_set_consent("phone", "withdrawn", "manual")
        self.assertEqual(self.check(self.anna, "phone")[0]["reason"], "withdrawn")

    def test_check_defers_at_night_until_the_window_opens(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        with freeze_time(datetime(2026, 3, 4, 21, 0)):  # 22:00 in Rome
            result = self.anna.followup_check("email")[0]
        self.assertEqual(result["reason"], "quiet_hours")
        self.assertEqual(result["next_allowed"], "2026-03-05 08:00:00")  # 9:00 in Rome

    def test_check_counts_recent_follow_ups_for_the_cap(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        sequence = self.env["followup.sequence"].create(
            {
                "name": "Welcome",
                "step_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Call",
                            "action": "activity",
                            "channel": "phone",
                            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                        },
                    ),
                ],
            }
        )
        enrollment = self.env["followup.enrollment"].browse(sequence.enroll(self.anna.ids))
        dispatch = self.env["followup.dispatch"].create(
            {"enrollment_id": enrollment.id, "state": "done", "channel": "email"}
        )
        self.env.flush_all()
        # The contact happened yesterday (create_date is the database's clock).
        self.env.cr.execute(
            "UPDATE followup_dispatch SET create_date = %s WHERE id = %s",
            [WEDNESDAY_MORNING - timedelta(days=1), dispatch.id],
        )
        self.env.invalidate_all()
        result = self.check(self.anna)[0]
        self.assertEqual(result["reason"], "cap")
        self.assertEqual(result["next_allowed"], "2026-03-10 10:00:00")
        # The person asked for monthly contacts at most: the window widens.
        self.anna.followup_frequency = "monthly"
        self.assertEqual(self.check(self.anna)[0]["next_allowed"], "2026-04-02 10:00:00")

    def test_check_over_rpc_as_a_salesman_returns_a_list(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        with freeze_time(WEDNESDAY_MORNING):
            results = self.partners.with_user(self.user_salesman).followup_check("email")
        self.assertIsInstance(results, list)
        self.assertEqual([r["partner_id"] for r in results], self.partners.ids)
        self.assertEqual(json.loads(json.dumps(results)), results)
        self.assertEqual(set(results[0]), {"partner_id", "allowed", "reason", "next_allowed"})

    def test_check_needs_followup_rights(self):
        employee = mail_new_test_user(self.env, login="fm_employee2", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.anna.with_user(employee).followup_check("email")

    def test_check_refuses_an_unknown_channel(self):
        with self.assertRaises(UserError):
            self.anna.followup_check("pigeon")

    def test_facts_cost_a_fixed_number_of_queries(self):
        many = self.env["res.partner"].create(
            [
                {"name": f"P{i}", "email": f"p{i}@example.com", "mobile": f"+39 347 555 {i:04d}"}
                for i in range(200)
            ]
        )
        many[:100].followup_set_consent(
            "email", "granted", "sale_order", legal_basis="soft_opt_in"
        )
        many[100:].followup_set_consent("sms", "withdrawn", "manual")
        counts = []
        for partners in (many[:3] | many[150:152], many):
            queries, facts = self._count_queries(partners._followup_facts, WEDNESDAY_MORNING)
            counts.append(queries)
            self.assertEqual(set(facts), set(partners.ids))
        self.assertEqual(counts[0], counts[1])
        facts = many._followup_facts(WEDNESDAY_MORNING)
        self.assertTrue(facts[many[150].id].phone_blacklisted)
        self.assertEqual(facts[many[150].id].consents["sms"].state, "withdrawn")
        self.assertFalse(facts[many[0].id].consents["email"].soft_opt_in_valid)


@tagged("post_install", "-at_install")
class TestConsentProofReport(ConsentCase):
    def test_proof_report_lists_every_event_with_its_wording(self):
        self.anna.followup_set_consent("email", "granted", "double_opt_in", proof=WORDING)
        self.anna.followup_set_consent(
            "email", "withdrawn", "one_click_unsubscribe", proof="Unsubscribe button"
        )
        html, report_type = (
            self.env["ir.actions.report"]
            .with_user(self.user_auditor)
            ._render_qweb_html("followup_manager.followup_consent_proof_report", self.anna.ids)
        )
        self.assertEqual(report_type, "html")
        html = html.decode()
        self.assertIn("Anna", html)
        self.assertIn(WORDING, html)
        self.assertIn("Unsubscribe button", html)
        self.assertIn(hashlib.sha256(WORDING.encode()).hexdigest(), html)
        self.assertIn("one_click_unsubscribe", html)

    def test_proof_report_is_offered_to_auditors_on_contacts(self):
        report = self.env.ref("followup_manager.followup_consent_proof_report")
        self.assertEqual(report.binding_model_id.model, "res.partner")
        self.assertIn(
            self.env.ref("followup_manager.followup_manager_group_auditor"), report.groups_id
        )
