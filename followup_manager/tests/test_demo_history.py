from collections import defaultdict

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..policy.vocabulary import REASON_LABELS


@tagged("post_install", "-at_install")
class TestDemoHistory(TransactionCase):
    """The demo teaches: its past weeks, played by the add-on's own code at install
    (demo/followup_demo_history.py), show every outcome and the common reasons, each
    with a history a person believes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.welcome = cls.env.ref("followup_manager.followup_sequence_fair_welcome_demo")
        cls.checkup = cls.env.ref("followup_manager.followup_sequence_account_checkup_demo")
        cls.enrollments = cls.env["followup.enrollment"].search(
            [("sequence_id", "in", (cls.welcome | cls.checkup).ids)]
        )
        cls.decisions = cls.enrollments.dispatch_ids

    def test_every_outcome_and_common_reason_appears_in_the_log(self):
        self.assertEqual(
            set(self.decisions.mapped("state")), {"done", "deferred", "suppressed", "failed"}
        )
        by_state = defaultdict(set)
        for decision in self.decisions:
            by_state[decision.state].add(decision.reason)
        self.assertLessEqual({"weekend", "quiet_hours", "cap", "away"}, by_state["deferred"])
        self.assertLessEqual(
            {
                "no_consent",
                "channel_refused",
                "blacklisted",
                "invalid_address",
                "condition",
            },
            by_state["suppressed"],
        )
        # Each says why, in a sentence, and a failure says what failed.
        labels = dict(REASON_LABELS)
        for decision in self.decisions:
            with self.subTest(decision=decision.id, reason=labels.get(decision.reason)):
                self.assertTrue(decision.note)
        failed = self.decisions.filtered(lambda d: d.state == "failed")
        self.assertIn("Note the check-up on the contact", failed.mapped("step_name"))

    def test_decisions_are_dated_over_past_weeks_and_a_deferred_step_goes_later(self):
        now = fields.Datetime.now()
        dates = self.decisions.mapped("create_date")
        self.assertLess(max(dates), now)
        self.assertGreaterEqual((max(dates) - min(dates)).days, 7)
        self.assertGreater(len(set(dates)), 10)
        # Giulia, enrolled on a Saturday: deferred for the weekend, sent on Monday.
        giulia = self.env.ref("followup_manager.res_partner_lifecycle_visitor_demo")
        first = self.env.ref("followup_manager.followup_step_fair_welcome_mail_demo")
        steps = self.decisions.filtered(
            lambda d: d.partner_id == giulia and d.step_id == first
        ).sorted("create_date")
        self.assertEqual(steps.mapped("state"), ["deferred", "done"])
        self.assertEqual(steps[0].reason, "weekend")
        self.assertEqual(steps[0].next_try.weekday(), 0)
        self.assertLessEqual(steps[0].next_try, steps[1].create_date)
        # The e-mails of the past were sent, not left failing in the queue.
        emails = self.decisions.filtered(lambda d: d.state == "done" and d.channel == "email")
        self.assertTrue(emails)
        self.assertEqual(set(emails.mapped("delivery_state")), {"sent"})

    def test_enrollments_in_every_state_with_their_reasons(self):
        self.assertGreater(len(self.enrollments), 3)
        self.assertLessEqual(
            {"active", "paused", "done", "stopped"}, set(self.enrollments.mapped("state"))
        )
        stopped = self.enrollments.filtered(lambda e: e.state == "stopped")
        self.assertLessEqual(
            {"manual", "replied", "consent_withdrawn"}, set(stopped.mapped("stop_reason"))
        )
        snoozed = self.enrollments.filtered(
            lambda e: (
                e.state == "active" and e.snoozed_until and e.snoozed_until > fields.Datetime.now()
            )
        )
        self.assertTrue(snoozed)
        # Enrolled by hand, each has an owner: they show in "My Follow-ups".
        self.assertTrue(all(self.enrollments.mapped("user_id")))

    def test_consent_history_spread_over_months_and_recorded_by_several_people(self):
        events = self.env["followup.consent.event"].search([])
        dates = events.mapped("create_date")
        self.assertGreater((max(dates) - min(dates)).days, 90)
        self.assertGreater(len({date.date() for date in dates}), 8)
        users = events.mapped("user_id")
        self.assertLessEqual(
            self.env.ref("base.user_demo")
            | self.env.ref("base.public_user")
            | self.env.ref("base.user_admin"),
            users,
        )
        self.assertIn("import", events.mapped("source"))
        online = events.filtered(lambda e: e.source in ("double_opt_in", "preference_page"))
        self.assertTrue(online)
        self.assertTrue(all(online.mapped("ip_address")))
