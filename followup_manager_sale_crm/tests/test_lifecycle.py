"""What needs Sales and CRM together
(moved from followup_manager_sale/tests/test_lifecycle.py)."""

import logging
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupCase
from odoo.addons.followup_manager_crm.tests.common import FollowupCrmMixin
from odoo.addons.followup_manager_sale.tests.common import FollowupSaleMixin

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
class TestLifecycleSaleCrm(FollowupCrmMixin, FollowupSaleMixin, FollowupCase):
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

    def _opportunity(self, partner, when, **vals):
        with self._at(when):
            return self.env["crm.lead"].create(
                {
                    "name": "Wants a machine",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    **vals,
                }
            )

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

    def test_confirmed_order_makes_a_customer(self):
        self._opportunity(self.partner, T0)
        self._order(self.partner, T0 + timedelta(days=3))
        self.assertEqual(self.partner.lifecycle_stage, "customer")
        self.assertEqual(self.partner.lifecycle_stage_date, T0 + timedelta(days=3))
        self.assertIn("Confirmed sale order.", self._last_note(self.partner).body)
