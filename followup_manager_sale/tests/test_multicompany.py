"""Moved from followup_manager/tests/test_multicompany.py: the tests that need Sales."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import FollowupSaleMixin

MONDAY_13_ROME = datetime(2026, 11, 30, 12, 0)


@tagged("post_install", "-at_install")
class TestFollowupMultiCompanySale(FollowupSaleMixin, FollowupSecurityCase):
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

    def test_a_salesperson_of_company_b_counts_nothing_of_company_a(self):
        """The performance of a company B sequence, as a company B salesperson reads it
        (the sequence form), counts only what they may read: the order a shared
        customer confirmed with company A after their enrollment is not theirs."""
        enrollment = self.env["followup.enrollment"].browse(
            self.sequence_b.enroll(self.shared.ids)
        )
        self.env["sale.order"].create(
            {
                "partner_id": self.shared.id,
                "company_id": self.company.id,
                "user_id": self.user_salesman_b.id,  # their own: only the company hides it
                "state": "sale",
                "date_order": enrollment.date_start + timedelta(days=1),
            }
        )
        self.assertEqual(self.sequence_b.order_count, 1)  # every company's
        self.env.invalidate_all()
        as_salesman_b = self.sequence_b.with_user(self.user_salesman_b)
        self.assertRecordValues(
            as_salesman_b, [{"order_count": 0, "converted_count": 0, "conversion_rate": 0.0}]
        )
        self.assertEqual(as_salesman_b.step_ids.read(["done_count"])[0]["done_count"], 0)
