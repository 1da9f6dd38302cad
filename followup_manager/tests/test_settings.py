from psycopg2 import IntegrityError

from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestSettings(FollowupCase):
    def test_defaults_protect_people_out_of_the_box(self):
        """A new company caps at one follow-up a week, 9:00-19:00, no weekends."""
        company = self.env["res.company"].create({"name": "Fresh Co"})
        self.assertEqual(company.followup_cap_count, 1)
        self.assertEqual(company.followup_cap_days, 7)
        self.assertEqual(company.followup_window_start, 9.0)
        self.assertEqual(company.followup_window_end, 19.0)
        self.assertTrue(company.followup_business_days)
        self.assertEqual(company.followup_inactive_days, 365)
        self.assertEqual(company.followup_loyal_orders, 3)

    def test_admin_changes_the_cap_in_settings(self):
        admin = self.env.ref("base.user_admin")
        settings = Form(self.env["res.config.settings"].with_user(admin))
        settings.followup_cap_count = 2
        settings.followup_cap_days = 14
        settings.save().execute()
        self.assertEqual(self.company.followup_cap_count, 2)
        self.assertEqual(self.company.followup_cap_days, 14)

    @mute_logger("odoo.sql_db")
    def test_send_window_must_start_before_it_ends(self):
        with self.assertRaises(IntegrityError):
            self.company.write({"followup_window_start": 20.0, "followup_window_end": 8.0})
            self.company.flush_recordset()

    def test_salesmen_are_followup_users(self):
        self.assertTrue(
            self.user_salesman.has_group("followup_manager.followup_manager_group_user")
        )
        self.assertFalse(
            self.user_salesman.has_group("followup_manager.followup_manager_group_manager")
        )
        self.assertTrue(
            self.user_manager.has_group("followup_manager.followup_manager_group_auditor")
        )
