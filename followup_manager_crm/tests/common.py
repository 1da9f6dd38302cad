"""Shared fixtures of the CRM companion's tests: the opportunity sequences and
opportunities, added to any case of followup_manager's tests/common.py (``class
TestX(FollowupCrmMixin, FollowupSequenceCase)``)."""

import unittest

from odoo import Command


class FollowupCrmMixin:
    """Sequences for won and lost opportunities, opportunities for the customers, and
    the test users given Sales rights (CRM's salespeople)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "crm.lead" not in cls.env:
            # A test of another companion that needs CRM too, run without it.
            raise unittest.SkipTest("CRM is not installed")
        salesman = cls.env.ref("sales_team.group_sale_salesman")
        manager = cls.env.ref("sales_team.group_sale_manager")
        if getattr(cls, "user_salesman", None):
            cls.user_salesman.groups_id = [Command.link(salesman.id)]
        if getattr(cls, "user_manager", None):
            cls.user_manager.groups_id = [Command.link(manager.id)]
        for name in ("user_salesman_ny", "user_salesman_b"):
            if getattr(cls, name, None):
                getattr(cls, name).groups_id = [Command.link(salesman.id)]
        cls.template_lead = cls.env.ref(
            "followup_manager_crm.mail_template_followup_lead_reengagement"
        )
        if hasattr(cls, "_create_sequence"):
            cls.sequence_won = cls._create_sequence(
                "Welcome", "lead_won", [cls._call_step("Kick-off call", 1, "days")]
            )
            cls.sequence_lost = cls._create_sequence(
                "Win back",
                "lead_lost",
                [cls._email_step("Still looking?", cls.template_lead, 4, "weeks")],
            )

    def _create_lead(self, partner=None, **values):
        return self.env["crm.lead"].create(
            {
                "name": f"Opportunity of {(partner or self.customer).name}",
                "type": "opportunity",
                "partner_id": (partner or self.customer).id,
                **values,
            }
        )
