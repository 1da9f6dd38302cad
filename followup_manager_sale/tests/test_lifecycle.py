"""Moved from followup_manager/tests/test_lifecycle.py: the tests that need Sales."""

import logging
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.followup_manager.models.followup_partner_lifecycle import FollowupPartnerLifecycle
from odoo.addons.followup_manager.tests.common import FollowupCase

from .common import FollowupSaleMixin

_logger = logging.getLogger(__name__)

T0 = datetime(2025, 3, 3, 10, 0)


def _customers_with_an_order(env, count, when):
    """``count`` customer companies with one contact each, who bought once at
    ``when`` (the order is confirmed without the hooks: a fact of the past)."""
    companies = env["res.partner"].create(
        [{"name": f"Bulk {i}", "is_company": True} for i in range(count)]
    )
    contacts = env["res.partner"].create(
        [{"name": f"Buyer {i}", "parent_id": company.id} for i, company in enumerate(companies)]
    )
    orders = env["sale.order"].create(
        [{"partner_id": contact.id, "date_order": when} for contact in contacts]
    )
    orders.write({"state": "sale"})
    (companies | contacts).write(
        {
            "lifecycle_stage": "customer",
            "lifecycle_stage_manual": False,
            "lifecycle_stage_date": when,
        }
    )
    return companies, contacts


@tagged("post_install", "-at_install")
class TestLifecycleSale(FollowupSaleMixin, FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The stages only: the notes read here are the stages' (the sequences a stage
        # starts post theirs: see test_touchpoints).
        cls.env["followup.sequence"].search([]).action_archive()
        cls.company.write({"followup_inactive_days": 365, "followup_loyal_orders": 3})
        cls.product = cls.env["product.product"].create(
            {"name": "Espresso Machine", "list_price": 100}
        )
        with freeze_time(T0):
            cls.partner = cls.env["res.partner"].create(
                {"name": "Vera Visitor", "email": "vera@example.com"}
            )
            cls.company_partner = cls.env["res.partner"].create(
                {"name": "Caffè Roma S.r.l.", "is_company": True}
            )
            cls.contact_a, cls.contact_b = cls.env["res.partner"].create(
                [
                    {"name": "Anna Roma", "parent_id": cls.company_partner.id},
                    {"name": "Bruno Roma", "parent_id": cls.company_partner.id},
                ]
            )

    def _order(self, partner, when, user=None, company=None):
        """Confirm an order for ``partner`` at ``when`` (through action_confirm)."""
        env = self.env(user=user) if user else self.env
        Order = env["sale.order"].with_company(company) if company else env["sale.order"]
        with self._at(when):
            order = Order.create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": self.product.id})],
                }
            )
            order.action_confirm()
        return order

    def _run_cron(self, when):
        with self._at(when):
            self.env["res.partner"]._cron_followup_lifecycle()

    def _last_note(self, partner):
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)], order="id desc", limit=1
        )

    def flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_loyal_after_the_threshold_of_orders_within_the_inactivity_window(self):
        # An order older than the window does not count towards loyalty.
        self._order(self.partner, T0 - timedelta(days=400))
        self._order(self.partner, T0)
        self._order(self.partner, T0 + timedelta(days=100))
        self.assertEqual(self.partner.lifecycle_stage, "customer")
        self._order(self.partner, T0 + timedelta(days=200))
        self.assertEqual(self.partner.lifecycle_stage, "loyal")
        self.assertIn(
            "3 confirmed orders in the last 365 days.", self._last_note(self.partner).body
        )

    def test_loyal_threshold_is_the_company_setting(self):
        self.company.followup_loyal_orders = 2
        self._order(self.partner, T0)
        self._order(self.partner, T0 + timedelta(days=10))
        self.assertEqual(self.partner.lifecycle_stage, "loyal")

    def test_inactivity_period_is_the_setting_of_the_partner_company(self):
        short = self.env["res.company"].create({"name": "Quick Co", "followup_inactive_days": 30})
        quick = self.env["res.partner"].create({"name": "Quentin", "company_id": short.id})
        self._order(quick, T0, company=short)
        self._order(self.partner, T0)
        self._run_cron(T0 + timedelta(days=31))
        self.assertEqual(quick.lifecycle_stage, "inactive")
        # A partner shared between companies follows the current company (365 days).
        self.assertEqual(self.partner.lifecycle_stage, "customer")

    def test_loyal_customer_stays_loyal_while_still_buying(self):
        for days in (0, 10, 20):
            self._order(self.partner, T0 + timedelta(days=days))
        self.assertEqual(self.partner.lifecycle_stage, "loyal")
        # 370 days later only the last order of day 380 is in the window.
        self._order(self.partner, T0 + timedelta(days=380))
        self.assertEqual(self.partner.lifecycle_stage, "loyal")

    def test_salesperson_confirming_counts_orders_sold_by_others(self):
        # The salesperson cannot read the manager's orders; the stage still counts them.
        self._order(self.partner, T0, user=self.user_manager)
        self._order(self.partner, T0 + timedelta(days=1), user=self.user_manager)
        self.partner.user_id = self.user_salesman
        self._order(self.partner, T0 + timedelta(days=2), user=self.user_salesman)
        self.assertEqual(self.partner.lifecycle_stage, "loyal")

    def test_cron_moves_a_customer_without_orders_for_the_period_to_inactive(self):
        self._order(self.partner, T0)
        with patch.object(
            FollowupPartnerLifecycle, "_followup_on_became_inactive", autospec=True
        ) as hook:
            self._run_cron(T0 + timedelta(days=364))
            self.assertEqual(self.partner.lifecycle_stage, "customer")
            hook.assert_not_called()
            self._run_cron(T0 + timedelta(days=366))
        self.assertEqual(self.partner.lifecycle_stage, "inactive")
        self.assertEqual(self.partner.lifecycle_stage_date, T0 + timedelta(days=366))
        self.assertIn(
            "No confirmed order in the last 365 days.", self._last_note(self.partner).body
        )
        hook.assert_called_once()
        self.assertEqual(hook.call_args.args[0], self.partner)

    def test_cron_moves_a_loyal_customer_who_stopped_buying_to_inactive(self):
        for days in (0, 10, 20):
            self._order(self.partner, T0 + timedelta(days=days))
        self._run_cron(T0 + timedelta(days=386))
        self.assertEqual(self.partner.lifecycle_stage, "inactive")

    def test_a_new_order_brings_an_inactive_customer_back(self):
        self._order(self.partner, T0)
        self._run_cron(T0 + timedelta(days=400))
        self.assertEqual(self.partner.lifecycle_stage, "inactive")
        self._order(self.partner, T0 + timedelta(days=401))
        self.assertEqual(self.partner.lifecycle_stage, "customer")
        self.assertIn("New confirmed order", self._last_note(self.partner).body)

    def test_stage_lives_on_the_company_and_is_shared_by_its_contacts(self):
        self._order(self.contact_a, T0)
        family = self.company_partner | self.contact_a | self.contact_b
        self.assertEqual(set(family.mapped("lifecycle_stage")), {"customer"})
        self.assertEqual(set(family.mapped("lifecycle_stage_date")), {T0})
        # Orders of different contacts count for the same relationship.
        self._order(self.contact_b, T0 + timedelta(days=1))
        self._order(self.company_partner, T0 + timedelta(days=2))
        self.assertEqual(set(family.mapped("lifecycle_stage")), {"loyal"})
        # The chatter note is on the company.
        self.assertIn("3 confirmed orders", self._last_note(self.company_partner).body)

    def test_new_contact_of_a_customer_company_is_a_customer(self):
        self._order(self.company_partner, T0)
        contact = self.env["res.partner"].create(
            {"name": "Carlo Roma", "parent_id": self.company_partner.id}
        )
        self.assertEqual(contact.lifecycle_stage, "customer")

    def test_a_customer_joining_a_company_makes_it_a_customer(self):
        self._order(self.partner, T0)
        self.assertEqual(self.company_partner.lifecycle_stage, "visitor")
        with self._at(T0 + timedelta(days=1)):
            self.partner.parent_id = self.company_partner
        family = self.company_partner | self.partner | self.contact_a | self.contact_b
        self.assertEqual(set(family.mapped("lifecycle_stage")), {"customer"})

    def test_manual_stage_is_kept_until_a_new_fact(self):
        self._order(self.partner, T0)
        with freeze_time(T0 + timedelta(days=1)):
            self.partner._followup_set_lifecycle_stage("inactive", "Closed their shop")
        # Facts already known do not undo the decision, nor does the cron.
        self.partner._followup_recompute_lifecycle()
        self._run_cron(T0 + timedelta(days=2))
        self.assertEqual(self.partner.lifecycle_stage, "inactive")
        self.assertTrue(self.partner.lifecycle_stage_manual)
        # A new order is a new fact: the facts rule again.
        self._order(self.partner, T0 + timedelta(days=3))
        self.assertEqual(self.partner.lifecycle_stage, "customer")
        self.assertFalse(self.partner.lifecycle_stage_manual)

    def test_init_sets_the_stage_of_existing_partners_silently(self):
        partners, _contacts = _customers_with_an_order(self.env, 3, T0 - timedelta(days=10))
        partners.write({"lifecycle_stage": "visitor", "lifecycle_stage_manual": False})
        with freeze_time(T0):
            self.env["res.partner"]._followup_init_lifecycle()
        self.assertEqual(set(partners.mapped("lifecycle_stage")), {"customer"})
        self.assertFalse(
            self.env["mail.message"].search_count(
                [("model", "=", "res.partner"), ("res_id", "in", partners.ids)]
            )
        )


@tagged("post_install", "-at_install")
class TestLifecycleBatch(FollowupSaleMixin, FollowupCase):
    """The stage of thousands of partners in a fixed number of queries."""

    ORDER_DATE = T0 - timedelta(days=500)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The stages only: what the sequences of a stage cost is measured with them.
        cls.env["followup.sequence"].search([]).action_archive()
        cls.company.write({"followup_inactive_days": 365, "followup_loyal_orders": 3})
        cls.warm = sum(
            _customers_with_an_order(cls.env, 3, cls.ORDER_DATE), cls.env["res.partner"]
        )
        cls.small = sum(
            _customers_with_an_order(cls.env, 10, cls.ORDER_DATE), cls.env["res.partner"]
        )
        # 1000 companies and their 1000 contacts: 2000 partners.
        cls.big = sum(
            _customers_with_an_order(cls.env, 1000, cls.ORDER_DATE), cls.env["res.partner"]
        )

    def _recompute(self, partners, when, queries):
        self.env.invalidate_all()
        with freeze_time(when), self.assertQueryCount(queries):
            partners._followup_recompute_lifecycle()

    def test_steady_recompute_query_count_does_not_depend_on_partner_count(self):
        # Ten days after their order nothing changes: only reads, the same for
        # 20 partners as for 2000 (the last one: the language the notes would be
        # written in, the salespeople's or the company's).
        soon = self.ORDER_DATE + timedelta(days=10)
        self._recompute(self.small, soon, 8)
        self._recompute(self.big, soon, 8)
        self.assertEqual(set(self.big.mapped("lifecycle_stage")), {"customer"})

    def test_recompute_thousands_of_partners_in_bounded_queries(self):
        # 500 days after their only order, every one of them becomes inactive.
        # Reads: the 8 queries of the steady case, plus the users of the
        # partners (base write() checks them), the author of the notes, and the
        # sequences of the stage reached (stage_reached "inactive" and its alias
        # partner_inactive: none here).
        # What grows with N is only Odoo's flushing of 100 rows per statement:
        # the stage UPDATE on every partner of the families, the INSERT of one
        # chatter note and of one tracking value per company.
        reads = 12
        with freeze_time(T0):
            self.warm._followup_recompute_lifecycle()  # first-use caches (fields, xml ids)
        self._recompute(self.small, T0, reads + 1 + 1 + 1)  # 20 rows, 10 notes, 10 values
        self._recompute(self.big, T0, reads + 20 + 10 + 10)  # 2000 rows, 1000 notes, 1000 values
        self.assertEqual(set(self.big.mapped("lifecycle_stage")), {"inactive"})
        companies = self.big.filtered("is_company")
        notes = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "in", companies.ids)]
        )
        self.assertEqual(len(notes), 1000)
        self.assertEqual(len(notes.tracking_value_ids), 1000)
