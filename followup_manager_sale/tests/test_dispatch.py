"""Moved from followup_manager/tests/test_dispatch.py: the tests that need Sales."""

from datetime import date, datetime

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase
from odoo.addons.followup_manager.tests.test_dispatch import DispatchCase
from odoo.addons.mail.tests.common import MockEmail

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestDispatchSale(FollowupSaleMixin, DispatchCase):
    def test_activity_on_an_order_goes_to_its_salesperson_due_today_in_their_time_zone(self):
        order = self._create_order(self.mario, user_id=self.user_salesman_ny.id)
        sequence = self._create_sequence(
            "Order tasks",
            "sale_order_confirmed",
            [self._task_step("Prepare delivery")],
            purpose="service",
        )
        # 23:30 UTC: already 1 December in Rome, still 30 November in New York.
        late = datetime(2026, 11, 30, 23, 30)
        enrollment = self._enroll(
            sequence, self.mario, late, origin_model="sale.order", origin_id=order.id
        )
        dispatch = self._dispatch(late)
        self.assertEqual(dispatch.enrollment_id, enrollment)
        self.assertRecordValues(
            dispatch.activity_id,
            [
                {
                    "res_model": "sale.order",
                    "res_id": order.id,
                    "user_id": self.user_salesman_ny.id,
                    "date_deadline": date(2026, 11, 30),
                }
            ],
        )

    def test_partner_salesperson_step_uses_the_partners_salesperson_in_their_time_zone(self):
        order = self._create_order(self.mario, user_id=self.user_salesman_ny.id)
        sequence = self._create_sequence(
            "Order tasks",
            "sale_order_confirmed",
            [self._task_step("Prepare delivery", responsible_type="partner_salesperson")],
            purpose="service",
        )
        late = datetime(2026, 11, 30, 23, 30)
        self._enroll(sequence, self.mario, late, origin_model="sale.order", origin_id=order.id)
        activity = self._dispatch(late).activity_id
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.date_deadline, date(2026, 12, 1))

    def _suppressed(self, partner, sequence=None):
        sequence = sequence or self._marketing_email_sequence()
        enrollment = self._enroll(sequence, partner)
        dispatch = self._dispatch_of(self._dispatch(), enrollment)
        self.assertEqual(dispatch.state, "suppressed")
        self.assertFalse(dispatch.mail_id)
        return dispatch, enrollment

    def _dispatch_queries(self, partners, steps):
        """Queries of the run that does ``steps`` for ``partners`` (newly enrolled)."""
        sequence = self._sequence(f"Batch {len(partners)}", steps, purpose="service")
        self._enroll(sequence, partners)
        with self._at(self.MONDAY_10_ROME):
            queries, dispatches = self._count_queries(
                self.dispatcher._dispatch_due, now=self.MONDAY_10_ROME
            )
        self.assertEqual(len(dispatches), len(partners))
        self.assertEqual(set(dispatches.mapped("state")), {"done"})
        return queries

    def _customers(self, count, prefix):
        return self.env["res.partner"].create(
            [
                {
                    "name": f"{prefix} {index}",
                    "email": f"{prefix.lower()}{index}@example.com",
                    "phone": "+39 06 4991 0000",
                    "country_id": self.italy.id,
                    "tz": "Europe/Rome",
                    "user_id": self.user_salesman.id,
                }
                for index in range(count)
            ]
        )


@tagged("post_install", "-at_install")
class TestDispatchMailSale(FollowupSaleMixin, FollowupDispatchCase, MockEmail):
    def test_email_without_subject_replies_to_the_document(self):
        template = self.env["mail.template"].create(
            {
                "name": "Follow-up: no subject",
                "model_id": self.env["ir.model"]._get_id("sale.order"),
                "body_html": '<p>How is <t t-out="object.name"/> going?</p>',
            }
        )
        order = self._create_order(self.mario)
        first = order.message_post(body="Your quotation", message_type="comment")
        sequence = self._create_sequence(
            "After sale",
            "sale_order_confirmed",
            [self._email_step("Ask", template)],
            purpose="service",
        )
        self._enroll(sequence, self.mario, origin_model="sale.order", origin_id=order.id)
        mail = self._dispatch().mail_id
        self.assertEqual(mail.subject, f"Re: {order.name}")
        self.assertEqual(mail.model, "sale.order")
        self.assertEqual(mail.res_id, order.id)
        self.assertEqual(mail.parent_id, order.message_ids.sorted("id")[:1])
        self.assertTrue(mail.references)
        self.assertTrue(first)

    def test_email_goes_to_the_partner_only_whatever_the_template_says(self):
        """The decision was taken for this partner: the template's own recipients
        (here the order's customer, another contact) are not used."""
        other = self._create_customer("Olga Other", "olga")
        order = self._create_order(other)
        sequence = self._create_sequence(
            "After sale",
            "sale_order_confirmed",
            [self._email_step("Thanks", self.template_order)],
            purpose="service",
        )
        self._enroll(sequence, self.mario, origin_model="sale.order", origin_id=order.id)
        mail = self._dispatch().mail_id
        self.assertEqual(mail.recipient_ids, self.mario)
        self.assertFalse(mail.email_to)
