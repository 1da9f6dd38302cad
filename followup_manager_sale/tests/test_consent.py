"""Moved from followup_manager/tests/test_consent.py: the tests that need Sales."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import ConsentCase

from .common import FollowupSaleMixin

WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 0)

WORDING = "Yes, send me news about your products by e-mail. You can unsubscribe at any time."


@tagged("post_install", "-at_install")
class TestSoftOptIn(FollowupSaleMixin, ConsentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Espresso Machine", "list_price": 100.0}
        )

    def order(self, partner):
        return self.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": self.product.id})]}
        )

    def test_confirmed_order_records_an_email_soft_opt_in(self):
        order = self.order(self.anna)
        order.action_confirm()
        consent = self.consent(self.anna)
        self.assertEqual(
            (consent.state, consent.legal_basis, consent.source),
            ("granted", "soft_opt_in", "sale_order"),
        )
        event = self.events(self.anna)
        self.assertEqual(event.origin, order)
        self.assertIn(order.name, event.proof)

    def test_soft_opt_in_lapses_after_the_inactivity_period(self):
        with freeze_time(WEDNESDAY_MORNING):
            self.order(self.anna).action_confirm()
            self.assertTrue(self.anna.followup_check("email")[0]["allowed"])
        with freeze_time(WEDNESDAY_MORNING + timedelta(days=364)):  # a Wednesday
            self.assertTrue(self.anna.followup_check("email")[0]["allowed"])
        with freeze_time(WEDNESDAY_MORNING + timedelta(days=371)):
            self.assertEqual(self.anna.followup_check("email")[0]["reason"], "no_consent")
            # A new order brings it back, without a new event.
            self.order(self.anna).action_confirm()
            self.assertTrue(self.anna.followup_check("email")[0]["allowed"])
        self.assertEqual(len(self.events(self.anna)), 1)

    def test_no_soft_opt_in_for_who_objected(self):
        self.anna.followup_set_consent("email", "withdrawn", "preference_page")
        self.bruno.followup_no_email = True
        self.env["mail.blacklist"].sudo()._add("carla@example.com")
        orders = self.order(self.anna) | self.order(self.bruno) | self.order(self.carla)
        orders.action_confirm()
        self.assertEqual(self.consent(self.anna).state, "withdrawn")
        self.assertFalse(self.consent(self.bruno))
        self.assertEqual(self.consent(self.carla).state, "withdrawn")
        self.assertFalse(
            self.events(self.partners).filtered(lambda e: e.legal_basis == "soft_opt_in")
        )

    def test_soft_opt_in_never_replaces_an_explicit_consent(self):
        self.anna.followup_set_consent("email", "granted", "double_opt_in", proof=WORDING)
        self.order(self.anna).action_confirm()
        self.assertEqual(self.consent(self.anna).legal_basis, "consent")
        self.assertEqual(len(self.events(self.anna)), 1)

    def test_salesman_confirms_and_the_soft_opt_in_is_recorded(self):
        order = (
            self.env["sale.order"]
            .with_user(self.user_salesman)
            .create(
                {
                    "partner_id": self.bruno.id,
                    "order_line": [(0, 0, {"product_id": self.product.id})],
                }
            )
        )
        order.action_confirm()
        self.assertEqual(self.consent(self.bruno).legal_basis, "soft_opt_in")
        self.assertEqual(self.events(self.bruno).user_id, self.user_salesman)
