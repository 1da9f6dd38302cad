from odoo.tests import HttpCase, tagged

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestQuotationTour(FollowupSaleMixin, FollowupSequenceCase, HttpCase):
    def test_salesperson_sends_a_quotation_and_confirming_it_stops_the_reminder(self):
        reminder = self._create_sequence(
            "Tour quote reminder",
            "quotation_sent",
            [
                self._email_step(
                    "Reminder",
                    self.env.ref(
                        "followup_manager_sale.mail_template_followup_quotation_reminder"
                    ),
                    3,
                    "business_days",
                )
            ],
            purpose="service",
        )
        order = self._create_order(user_id=self.user_salesman.id)
        self.start_tour(
            f"/odoo/sale.order/{order.id}", "followup_quotation_tour", login="fm_salesman"
        )
        self.assertEqual(order.state, "sale")
        enrollment = self._enrollments(reminder)
        self.assertRecordValues(
            enrollment,
            [
                {
                    "partner_id": self.customer.id,
                    "state": "stopped",
                    "stop_reason": "quotation_confirmed",
                }
            ],
        )
        self.assertEqual(enrollment.origin, order)
