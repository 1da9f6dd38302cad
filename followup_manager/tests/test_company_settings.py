"""Follow-up managers change the follow-up settings of the companies they work in,
in a form of their own (Odoo's Settings page is administrators'): only those
fields, only those companies."""

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import FollowupSecurityCase


@tagged("post_install", "-at_install")
class TestFollowupCompanySettings(FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Settings = cls.env["followup.company.settings"]
        cls.user_manager_ab = mail_new_test_user(
            cls.env,
            login="fm_manager_ab",
            name="Marco Two Companies",
            groups="base.group_user,followup_manager.followup_manager_group_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, (cls.company | cls.company_b).ids)],
        )

    def test_manager_changes_the_settings_of_their_company_in_the_form(self):
        with Form(self.Settings.with_user(self.user_manager)) as form:
            self.assertEqual((form.followup_cap_count, form.followup_window_start), (1, 9.0))
            form.followup_cap_count = 2
            form.followup_cap_days = 14
            form.followup_window_start = 8.5
            form.followup_business_days = False
        self.assertEqual(form.record.company_id, self.company)
        form.record.action_save()
        self.assertRecordValues(
            self.company,
            [
                {
                    "followup_cap_count": 2,
                    "followup_cap_days": 14,
                    "followup_window_start": 8.5,
                    "followup_window_end": 19.0,
                    "followup_business_days": False,
                }
            ],
        )
        self.assertEqual(self.company_b.followup_window_start, 13.0, "the other company stays")

    def test_manager_of_two_companies_changes_the_one_chosen(self):
        Settings = self.Settings.with_user(self.user_manager_ab).with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        settings = Settings.create({"company_id": self.company_b.id})
        self.assertEqual(settings.followup_window_start, 13.0, "the form shows company B's")
        settings.followup_window_end = 15.0
        settings.action_save()
        self.assertEqual(self.company_b.followup_window_end, 15.0)
        self.assertEqual(self.company.followup_window_end, 19.0)

    def test_manager_cannot_change_another_companys_settings(self):
        with self.assertRaisesRegex(AccessError, "companies you work in"):
            self.Settings.with_user(self.user_manager).create(
                {"company_id": self.company_b.id, "followup_cap_count": 9}
            )
        # Nor with a form made while the other company was selected, saved after
        # switching it off.
        both = (self.company | self.company_b).ids
        settings = (
            self.Settings.with_user(self.user_manager_ab)
            .with_context(allowed_company_ids=both)
            .create({"company_id": self.company_b.id, "followup_cap_count": 9})
        )
        with self.assertRaisesRegex(AccessError, "companies you work in"):
            settings.with_context(allowed_company_ids=self.company.ids).action_save()
        self.assertEqual(self.company_b.followup_cap_count, 1)

    def test_the_form_writes_only_the_follow_up_fields(self):
        settings = self.Settings.with_user(self.user_manager).create({"followup_cap_count": 3})
        name = self.company.name
        settings.action_save()
        self.assertEqual(self.company.followup_cap_count, 3)
        self.assertEqual(self.company.name, name)
        # The manager still has no write access to the company itself.
        with self.assertRaises(AccessError):
            self.company.with_user(self.user_manager).write({"name": "Mine now"})

    def test_administrators_keep_the_settings_page_and_the_form(self):
        settings = self.Settings.with_user(self.user_admin).create({"followup_loyal_orders": 5})
        settings.action_save()
        self.assertEqual(self.company.followup_loyal_orders, 5)
        self.env["res.config.settings"].with_user(self.user_admin).create(
            {"followup_loyal_orders": 4}
        ).execute()
        self.assertEqual(self.company.followup_loyal_orders, 4)

    def test_the_menu_is_the_managers(self):
        menu = self.env.ref("followup_manager.followup_company_settings_menu")
        self.assertEqual(
            menu.groups_id, self.env.ref("followup_manager.followup_manager_group_manager")
        )
        for user, visible in (
            (self.user_manager, True),
            (self.user_admin, True),
            (self.user_auditor, False),
            (self.user_salesman, False),
        ):
            with self.subTest(user=user.login):
                menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                self.assertEqual(menu.id in menus, visible)
