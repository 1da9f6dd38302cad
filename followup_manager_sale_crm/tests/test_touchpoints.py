"""What needs Sales and CRM together
(moved from followup_manager_sale/tests/test_touchpoints.py)."""

from odoo.tests import tagged

from odoo.addons.followup_manager_crm.tests.common import FollowupCrmMixin
from odoo.addons.followup_manager_sale.tests.test_touchpoints import TouchpointCase


@tagged("post_install", "-at_install")
class TestQuestionReceivedSaleCrm(FollowupCrmMixin, TouchpointCase):
    def _incoming(self, sender, subject, model="crm.lead", headers=""):
        """An e-mail as the gateway hands it over (raw RFC 5322 text)."""
        email = (
            f"From: {sender}\r\n"
            "To: sales@example.com\r\n"
            f"Subject: {subject}\r\n"
            f"Message-ID: <{abs(hash((sender, subject)))}@example.com>\r\n"
            f"{headers}"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "The desk arrived scratched. What can you do?\r\n"
        )
        return self.env["mail.thread"].message_process(model, email)

    def test_a_customer_message_on_an_order_is_a_question(self):
        order = self._create_order(user_id=self.user_salesman.id)
        order.action_confirm()
        sent = order.message_post(
            body="Your order", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._incoming(
            "Carla Customer <carla@example.com>",
            f"Re: {order.name}",
            model=False,
            headers=f"In-Reply-To: {sent.message_id}\r\n",
        )
        enrollment = self._enrollments(self.sequence_question)
        self.assertEqual(enrollment.origin, order)
        self.assertEqual(enrollment.partner_id, self.customer)
        order.with_user(self.user_salesman).message_post(
            body="A new desk leaves today.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(enrollment.stop_reason, "employee_replied")
        # Only the question sequences stop on an employee's reply.
        self.assertEqual(self._enrollments(self.sequence_sale).stop_reason, "replied")


@tagged("post_install", "-at_install")
class TestStageReachedSaleCrm(FollowupCrmMixin, TouchpointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        step = [cls._call_step("Call", 1, "days")]
        cls.by_stage = {
            stage: cls._create_sequence(
                f"Stage {stage}", "stage_reached", step, trigger_stage=stage
            )
            for stage in ("prospect", "customer", "loyal", "inactive")
        }

    def _visitor(self, name="Vera Visitor"):
        return self.env["res.partner"].create({"name": name, "email": "vera@example.com"})

    def test_each_stage_reached_starts_its_sequences(self):
        vera = self._visitor()
        self._create_lead(partner=vera)
        self.assertEqual(vera.lifecycle_stage, "prospect")
        self.assertEqual(self._enrollments(self.by_stage["prospect"]).origin, vera)
        self._create_order(partner=vera).action_confirm()
        self.assertEqual(vera.lifecycle_stage, "customer")
        self.assertEqual(self._enrollments(self.by_stage["customer"]).partner_id, vera)
        vera._followup_set_lifecycle_stage("loyal", "Signed a framework contract")
        self.assertEqual(self._enrollments(self.by_stage["loyal"]).partner_id, vera)
