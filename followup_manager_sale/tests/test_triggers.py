"""Moved from followup_manager/tests/test_triggers.py: the tests that need Sales."""

from odoo.tests import tagged, users

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestTriggersSale(FollowupSaleMixin, FollowupSequenceCase):
    @users("fm_salesman")
    def test_confirming_an_order_starts_its_after_sale_follow_up(self):
        order = self._create_order().with_user(self.env.user)
        order.action_confirm()
        enrollment = self._enrollments(self.sequence_sale)
        self.assertEqual(enrollment.origin, order)
        self.assertEqual(enrollment.partner_id, self.customer)
        self.assertEqual(enrollment.next_step_id.name, "Thank you")
        self.assertIn("After sale", order.message_ids[0].body)
        self.assertEqual(order.followup_enrollment_count, 1)

    def test_confirming_many_orders_enrolls_each_once(self):
        orders = (
            self._create_order()
            | self._create_order()
            | self._create_order(partner=self.customer_sa)
        )
        orders.action_confirm()
        self.assertEqual(len(self._enrollments(self.sequence_sale)), 3)
        self.assertFalse(self._enrollments(self.sequence_manual))

    def test_orders_of_another_company_do_not_enter_this_company_sequences(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        order = self._create_order(company_id=other.id)
        order.action_confirm()
        self.assertFalse(self._enrollments(self.sequence_sale))

    def test_an_order_of_a_colleague_counts_for_the_company(self):
        company = self.env["res.partner"].create({"name": "Acme", "is_company": True})
        self.customer.parent_id = company
        colleague = self.env["res.partner"].create({"name": "Colleague", "parent_id": company.id})
        self.customer._followup_enroll_inactive()
        self._create_order(partner=colleague).action_confirm()
        self.assertEqual(self._enrollments(self.sequence_inactive).stop_reason, "new_order")

    def test_cancelling_an_order_stops_its_follow_up(self):
        order = self._create_order()
        order.action_confirm()
        order._action_cancel()
        self.assertEqual(self._enrollments(self.sequence_sale).stop_reason, "origin_cancelled")

    def test_a_customer_reply_on_the_order_stops_the_follow_up(self):
        order = self._create_order()
        order.action_confirm()
        order.message_post(
            body="Thanks, all good!",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.customer.id,
        )
        self.assertEqual(self._enrollments(self.sequence_sale).stop_reason, "replied")

    def test_a_reply_by_e_mail_stops_the_follow_up(self):
        order = self._create_order()
        order.action_confirm()
        sent = order.message_post(
            body="Your order", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        email = (
            "From: Carla Customer <carla@example.com>\r\n"
            "To: sales@example.com\r\n"
            f"Subject: Re: {order.name}\r\n"
            "Message-ID: <reply-carla@example.com>\r\n"
            f"In-Reply-To: {sent.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Thank you, everything arrived.\r\n"
        )
        self.env["mail.thread"].message_process(False, email)
        reply = order.message_ids.filtered(lambda message: message.message_type == "email")
        self.assertEqual(reply.author_id, self.customer)
        self.assertEqual(self._enrollments(self.sequence_sale).stop_reason, "replied")

    def test_internal_notes_and_other_authors_do_not_stop(self):
        order = self._create_order()
        order.action_confirm()
        order.message_post(body="Call her", author_id=self.customer.id)  # a note
        order.message_post(
            body="Hello", message_type="comment", subtype_xmlid="mail.mt_comment"
        )  # the salesperson
        self.assertEqual(self._enrollments(self.sequence_sale).state, "active")

    def test_a_reply_does_not_stop_sequences_that_go_on_after_replies(self):
        self.sequence_sale.stop_on_reply = False
        order = self._create_order()
        order.action_confirm()
        order.message_post(
            body="Thanks",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.customer.id,
        )
        self.assertEqual(self._enrollments(self.sequence_sale).state, "active")
