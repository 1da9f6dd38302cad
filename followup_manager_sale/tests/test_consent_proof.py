"""Moved from followup_manager/tests/test_consent_proof.py: the tests that need Sales."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase

from .common import FollowupSaleMixin

REPORT = "followup_manager.followup_consent_proof_report"


@tagged("post_install", "-at_install")
class TestFollowupConsentProofSale(FollowupSaleMixin, FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Contacts of no company: the auditor reads them and their history.
        cls.sofia = cls._create_customer("Sofia Soft", "sofia", user_id=False)
        cls.bruno = cls._create_customer("Bruno Blacklist", "bruno", user_id=False)
        cls.auditor = cls.user_auditor

    def _render(self, partner):
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.auditor)
            ._render_qweb_html(REPORT, partner.ids)
        )
        return html.decode()

    def _origin(self, partner):
        event = self.env["followup.consent.event"].search(
            [("partner_id", "=", partner.id), ("origin_model", "!=", False)]
        )
        self.assertEqual(len(event), 1)
        return event.origin

    def test_soft_opt_in_shows_the_sale_order(self):
        self.assertFalse(self.auditor.has_group("sales_team.group_sale_salesman"))
        order = self._create_order(self.sofia, user_id=False)
        order.action_confirm()
        self.assertEqual(self._origin(self.sofia), order)
        with self.assertRaises(AccessError):
            order.with_user(self.auditor).check_access("read")
        html = self._render(self.sofia)
        self.assertIn(f", <span>{order.name}</span>", html)

    def test_labels_are_read_in_one_query_per_model(self):
        orders = self.env["sale.order"]
        partners = self.sofia | self.bruno | self.mario
        for partner in partners:
            orders |= self._create_order(partner, user_id=False)
        orders.action_confirm()
        events = self.env["followup.consent.event"].search([("partner_id", "in", partners.ids)])
        Report = self.env["report.followup_manager.report_followup_consent_proof"]
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=3):
            labels = Report._origin_labels(events)
        self.assertEqual(sorted(labels.values()), sorted(orders.mapped("name")))
