"""Shared fixtures of the add-on's Odoo tests."""

from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


class FollowupCase(TransactionCase):
    """Base class: a company with the default follow-up settings and the
    three kinds of users the add-on serves (salesperson, manager, auditor)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Keep tests fast and quiet: no tracking values or followers unless a
        # test asks for them.
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.user_salesman = mail_new_test_user(
            cls.env,
            login="fm_salesman",
            name="Sam Salesman",
            groups="sales_team.group_sale_salesman",
            tz="Europe/Rome",
        )
        cls.user_manager = mail_new_test_user(
            cls.env,
            login="fm_manager",
            name="Mia Manager",
            groups="sales_team.group_sale_manager,followup_manager.followup_manager_group_manager",
            tz="Europe/Rome",
        )
        cls.user_auditor = mail_new_test_user(
            cls.env,
            login="fm_auditor",
            name="Ada Auditor",
            groups="base.group_user,followup_manager.followup_manager_group_auditor",
        )
