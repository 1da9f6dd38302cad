"""Shared fixtures of the Sales companion's tests: the sale sequence and orders,
added to any case of followup_manager's tests/common.py (``class
TestX(FollowupSaleMixin, FollowupSequenceCase)``)."""

from odoo import Command


class FollowupSaleMixin:
    """An after-sale sequence (sale_order_confirmed) with the thank-you template of
    orders, orders for the customers, and the test users given Sales rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        salesman = cls.env.ref("sales_team.group_sale_salesman")
        manager = cls.env.ref("sales_team.group_sale_manager")
        if getattr(cls, "user_salesman", None):
            cls.user_salesman.groups_id = [Command.link(salesman.id)]
        if getattr(cls, "user_manager", None):
            cls.user_manager.groups_id = [Command.link(manager.id)]
        for name in ("user_salesman_ny", "user_salesman_b"):
            if getattr(cls, name, None):
                getattr(cls, name).groups_id = [Command.link(salesman.id)]
        cls.template_order = cls.env.ref(
            "followup_manager_sale.mail_template_followup_sale_thank_you"
        )
        if hasattr(cls, "_create_sequence"):
            cls.sequence_sale = cls._create_sequence(
                "After sale",
                "sale_order_confirmed",
                [
                    cls._email_step("Thank you", cls.template_order, 0, "hours"),
                    cls._call_step("Call", 3, "business_days"),
                ],
                purpose="service",
            )

    def _create_order(self, partner=None, **values):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [
                    (0, 0, {"product_id": self.env.ref("product.product_product_4").id})
                ],
                **values,
            }
        )
