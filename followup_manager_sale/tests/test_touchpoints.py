"""Moved from followup_manager/tests/test_touchpoints.py: the tests that need Sales."""

from datetime import date, datetime, timedelta

from odoo.tests import tagged, users
from odoo.tools import mute_logger

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase
from odoo.addons.followup_manager.tests.test_touchpoints import (
    TouchpointCase as CoreTouchpointCase,
)

from .common import FollowupSaleMixin


class TouchpointCase(FollowupSaleMixin, CoreTouchpointCase):
    """The touchpoints' world with a quotation reminder (quotation_sent)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template_quote = cls.env.ref(
            "followup_manager_sale.mail_template_followup_quotation_reminder"
        )
        cls.sequence_quote = cls._create_sequence(
            "Quote reminder",
            "quotation_sent",
            [
                cls._email_step("Reminder", cls.template_quote, 3, "business_days"),
                cls._call_step("Call", 2, "business_days"),
            ],
            purpose="service",
        )


@tagged("post_install", "-at_install")
class TestQuotationSent(TouchpointCase):
    def _send_by_email(self, order):
        """What "Send by Email" does: Odoo's composer, with the context of
        action_quotation_send (mark_so_as_sent)."""
        action = order.action_quotation_send()
        composer = self.env["mail.compose.message"].with_context(**action["context"]).create({})
        composer.action_send_mail()

    @users("fm_salesman")
    def test_sending_the_quotation_by_email_starts_the_reminder(self):
        order = self._create_order(user_id=self.env.user.id).with_user(self.env.user)
        self._send_by_email(order)
        self.assertEqual(order.state, "sent")
        enrollment = self._enrollments(self.sequence_quote)
        self.assertRecordValues(
            enrollment,
            [{"partner_id": self.customer.id, "state": "active", "user_id": self.env.user.id}],
        )
        self.assertEqual(enrollment.origin, order)
        self.assertEqual(enrollment.next_step_id.name, "Reminder")

    @users("fm_salesman")
    def test_the_quotation_email_stays_the_last_message_of_the_quotation(self):
        """Odoo's sale flow (sale's test_sale_order_send_to_self): after "Send by
        Email", the last message of the quotation is the e-mail with its recipients;
        the note that the reminder started comes before it."""
        order = self._create_order(user_id=self.env.user.id).with_user(self.env.user)
        self._send_by_email(order)
        self.assertTrue(self._enrollments(self.sequence_quote))
        last = order.message_ids[0]
        self.assertEqual(last.message_type, "comment")
        self.assertEqual(last.partner_ids, self.customer)
        self.assertTrue(
            any("Quote reminder" in (message.body or "") for message in order.message_ids[1:])
        )

    def test_marking_the_quotation_sent_starts_the_reminder_once(self):
        order = self._create_order()
        order.action_quotation_sent()
        self.assertEqual(self._enrollments(self.sequence_quote).origin, order)
        # Sent again by e-mail while the reminder runs: still one reminder.
        self._send_by_email(order)
        self.assertEqual(len(self._enrollments(self.sequence_quote)), 1)

    def test_a_confirmed_order_sent_by_email_is_no_quotation(self):
        order = self._create_order()
        order.action_confirm()
        self._send_by_email(order)
        self.assertFalse(self._enrollments(self.sequence_quote))

    def test_confirming_the_quotation_stops_its_reminders_even_those_started_by_hand(self):
        order = self._create_order()
        order.action_quotation_sent()
        by_hand = self.env["followup.enrollment"].browse(
            self.sequence_manual.enroll(self.customer.ids, "sale.order", order.id)
        )
        order.action_confirm()
        self.assertEqual(self._enrollments(self.sequence_quote).stop_reason, "quotation_confirmed")
        self.assertEqual(by_hand.stop_reason, "quotation_confirmed")
        # The after-sale care starts on the same order.
        self.assertEqual(self._enrollments(self.sequence_sale).state, "active")

    def test_cancelling_the_quotation_stops_its_reminder(self):
        order = self._create_order()
        order.action_quotation_sent()
        order._action_cancel()
        self.assertEqual(self._enrollments(self.sequence_quote).stop_reason, "quotation_cancelled")

    def test_an_expired_quotation_stops_its_reminder_at_the_daily_check(self):
        expired, valid = self._create_order(), self._create_order()
        (expired | valid).action_quotation_sent()
        expired.validity_date = date.today() - timedelta(days=1)
        valid.validity_date = date.today()
        self.env["sale.order"]._cron_followup_quotation_expiry()
        self.assertEqual(
            self._enrollments(self.sequence_quote, origin=expired).stop_reason,
            "quotation_expired",
        )
        self.assertEqual(self._enrollments(self.sequence_quote, origin=valid).state, "active")
        self.assertIn("Quotation expired", expired.message_ids[0].body)

    def test_the_hook_costs_the_same_for_one_quotation_as_for_fifty(self):
        warm_up, one = self._create_order(), self._create_order()
        many = self.env["sale.order"].union(*(self._create_order() for _i in range(50)))
        # The first call fills Odoo's caches (defaults, xml ids, groups): not counted.
        warm_up._followup_on_quotation_sent()
        single, _enrolled = self._count_queries(one._followup_on_quotation_sent)
        batch, enrolled = self._count_queries(many._followup_on_quotation_sent)
        self.assertEqual(len(enrolled), 50)
        self.assertEqual(batch, single)

    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_a_broken_reminder_does_not_stop_the_quotation_from_being_sent(self):
        broken = self._broken_copy(self.sequence_quote)
        order = self._create_order()
        self._send_by_email(order)
        self.assertEqual(order.state, "sent")
        self.assertEqual(self._enrollments(self.sequence_quote).origin, order)
        self._assert_skipped(broken)


@tagged("post_install", "-at_install")
class TestQuestionReceivedSale(TouchpointCase):
    def test_a_question_sequence_does_not_stop_on_the_persons_own_messages(self):
        self.assertFalse(self.sequence_question.stop_on_reply)
        self.assertTrue(self.sequence_quote.stop_on_reply)


@tagged("post_install", "-at_install")
class TestStageReachedSale(TouchpointCase):
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

    def test_inactive_starts_the_stage_sequences_and_its_alias(self):
        self.customer._followup_set_lifecycle_stage("inactive", "Closed their shop")
        self.assertEqual(self._enrollments(self.by_stage["inactive"]).partner_id, self.customer)
        self.assertEqual(self._enrollments(self.sequence_inactive).partner_id, self.customer)
        # A new order ends both: they are re-engagement sequences.
        self._create_order().action_confirm()
        self.assertEqual(self._enrollments(self.by_stage["inactive"]).stop_reason, "new_order")
        self.assertEqual(self._enrollments(self.sequence_inactive).stop_reason, "new_order")


@tagged("post_install", "-at_install")
class TestEmailAttachments(FollowupSaleMixin, FollowupDispatchCase):
    """E-mail steps carry the template's files and reports, as Odoo's composer does
    (issue 14, point 4)."""

    def test_the_quotation_reminder_carries_the_quotation_and_the_templates_files(self):
        template = self.env.ref("followup_manager_sale.mail_template_followup_quotation_reminder")
        leaflet = self.env["ir.attachment"].create(
            {"name": "leaflet.txt", "raw": b"Our terms", "res_model": "mail.template"}
        )
        template.attachment_ids = [(4, leaflet.id)]
        sequence = self._create_sequence(
            "Quote", "quotation_sent", [self._email_step("Reminder", template)], purpose="service"
        )
        order = self._create_order(partner=self.mario, user_id=self.user_salesman.id)
        with self._at(self.MONDAY_10_ROME):
            order.action_quotation_sent()
        self.assertTrue(self._enrollments(sequence))
        dispatch = self._dispatch()
        self.assertEqual(dispatch.state, "done")
        attachments = dispatch.mail_id.attachment_ids
        self.assertIn(leaflet, attachments)
        report = attachments - leaflet
        self.assertEqual(len(report), 1)
        self.assertIn(order.name, report.name)
        # The report is filed on the quotation, where the chatter shows it.
        self.assertEqual((report.res_model, report.res_id), ("sale.order", order.id))
        self.assertEqual(dispatch.message_id.attachment_ids, attachments)


@tagged("post_install", "-at_install")
class TestTouchpointForecastSale(TouchpointCase):
    def _history(self, sequence):
        forecast = self.env["followup.forecast"].new({"sequence_id": sequence.id})
        now = datetime.now() + timedelta(minutes=1)
        history = forecast._followup_trigger_history(now - timedelta(days=90), now)
        # Only this test's customers (the demo data has its own history).
        ours = self.customer | self.customer_sa
        return [(partner, origin, at) for partner, origin, at in history if partner in ours]

    def test_each_new_trigger_has_a_history(self):
        sent = self._create_order()
        sent.action_quotation_sent()
        self._create_order()  # a draft: never sent
        self.assertEqual(
            [(p, o) for p, o, _at in self._history(self.sequence_quote)], [(self.customer, sent)]
        )

        order = self._create_order()
        order.message_post(
            body="Is it in stock?",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.customer_sa.id,
        )
        order.message_post(
            body="Yes", message_type="comment", subtype_xmlid="mail.mt_comment"
        )  # the company's answer: no question
        self.assertEqual(
            [(p, o) for p, o, _at in self._history(self.sequence_question)],
            [(self.customer_sa, order)],
        )

        loyal = self._create_sequence(
            "Loyal", "stage_reached", [self._call_step("Call")], trigger_stage="loyal"
        )
        self.customer._followup_set_lifecycle_stage("loyal", "VIP")
        self.assertEqual(
            [(p, o) for p, o, _at in self._history(loyal)], [(self.customer, self.customer)]
        )
