"""Moved from followup_manager/tests/test_sequence.py: the tests that need Sales."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users

from odoo.addons.followup_manager.tests.common import FollowupCase, FollowupSequenceCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestSequenceSale(FollowupSaleMixin, FollowupSequenceCase):
    @users("fm_manager")
    def test_manager_builds_a_sequence_with_steps_in_the_form(self):
        form = Form(self.env["followup.sequence"])
        form.name = "Onboarding"
        form.trigger = "sale_order_confirmed"
        form.purpose = "service"
        with form.step_ids.new() as step:
            step.name = "Welcome mail"
            step.action = "email"
            step.mail_template_id = self.template_order
        with form.step_ids.new() as step:
            step.name = "Check-in call"
            step.delay = 3
            step.delay_unit = "business_days"
            step.action = "activity"
            step.activity_type_id = self.activity_call
            step.responsible_type = "origin_salesperson"
        sequence = form.save()
        self.assertEqual(sequence.step_ids.mapped("name"), ["Welcome mail", "Check-in call"])
        self.assertEqual(sequence.step_ids.mapped("channel"), ["email", "phone"])
        self.assertEqual(sequence.origin_model, "sale.order")

    def test_step_constraints_explain_what_is_wrong(self):
        step = self.sequence_manual.step_ids[0]
        email = {"action": "email", "channel": "email"}
        cases = [
            (
                "activity without type",
                {"action": "activity", "activity_type_id": False},
                "needs an activity type",
            ),
            ("email without template", {**email, "mail_template_id": False}, "needs an e-mail"),
            (
                "server action without action",
                {"action": "server_action", "channel": "none", "server_action_id": False},
                "needs a server action",
            ),
            (
                "template of another model",
                {**email, "mail_template_id": self.template_order.id},
                "made for sale.order records",
            ),
            ("negative delay", {"delay": -2}, "negative delay"),
            (
                "email on another channel",
                {**email, "mail_template_id": self.template_partner.id, "channel": "phone"},
                "its channel must be E-mail",
            ),
            (
                "fixed user missing",
                {"responsible_type": "fixed_user", "responsible_id": False},
                "choose the user",
            ),
        ]
        for label, values, message in cases:
            with (
                self.subTest(label),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                step.write(values)
                step.flush_recordset()

    def test_template_of_the_followed_up_model_or_of_contacts_is_accepted(self):
        step = self.sequence_sale.step_ids[0]
        step.mail_template_id = self.template_partner  # contacts: always fine
        step.mail_template_id = self.template_order  # the followed-up model
        self.assertEqual(step.mail_template_id, self.template_order)

    def test_a_manual_sequence_says_it_follows_sales_orders_and_filters_them(self):
        """A sequence started by hand from quotations follows sales orders: its form
        says so, its steps' conditions are filters on the order, its templates may be
        the order's, and it is started from orders, not from contacts."""
        form = Form(self.env["followup.sequence"])
        form.name = "Big quotes: call"
        self.assertEqual(form.trigger, "manual")
        self.assertEqual(form.document_model, "res.partner")
        form.document_model = "sale.order"
        form.purpose = "service"
        with form.step_ids.new() as step:
            step.name = "Call about the big quote"
            step.action = "email"
            step.mail_template_id = self.template_order
            step.condition_domain = "[('amount_total', '>', 1000)]"
        sequence = form.save()
        labels = dict(sequence._fields["document_model"]._description_selection(self.env))
        self.assertEqual(labels[sequence.document_model], "Sales Orders")
        self.assertIn("by hand from their Sales Orders", sequence.trigger_rules)
        self.assertEqual(sequence.origin_model, "sale.order")
        self.assertEqual(sequence.step_ids._followup_condition_model(), "sale.order")
        order = self._create_order()
        self.assertTrue(sequence.enroll(order.partner_id.ids, "sale.order", order.id))
        with self.assertRaisesRegex(UserError, "follows up sale.order documents"):
            sequence.enroll(order.partner_id.ids)
        # A triggered sequence follows its trigger's documents.
        self.assertEqual(sequence.document_label, "Sales Orders")
        form = Form(self.env["followup.sequence"])
        form.trigger = "quotation_sent"
        self.assertEqual(form.document_label, "Sales Orders")

    def test_copy_keeps_the_steps(self):
        copy = self.sequence_sale.copy()
        self.assertEqual(copy.name, "After sale (copy)")
        self.assertEqual(len(copy.step_ids), 2)


@tagged("post_install", "-at_install")
class TestSequenceDemoSale(FollowupSaleMixin, FollowupCase):
    def test_the_demo_order_is_followed_up_after_its_sale(self):
        order = self.env.ref("followup_manager_sale.sale_order_followup_demo")
        sequence = self.env.ref("followup_manager_sale.followup_sequence_post_sale_demo")
        enrollment = self.env["followup.enrollment"].search([("origin", "=", order)])
        self.assertEqual(order.state, "sale")
        self.assertEqual(enrollment.sequence_id, sequence)
        self.assertEqual(enrollment.partner_id, order.partner_id)
        self.assertEqual(
            sequence.step_ids.mapped("delay_unit"), ["hours", "business_days", "weeks"]
        )

    def _demo_ids(self, model):
        return (
            self.env["ir.model.data"]
            .search([("module", "=", "followup_manager"), ("model", "=", model)])
            .mapped("res_id")
        )
