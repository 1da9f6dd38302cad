from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase


@tagged("post_install", "-at_install")
class TestHolidaysPlaces(FollowupSecurityCase):
    """The company's public holidays, one click from the follow-up settings."""

    def test_holidays_are_one_click_from_the_settings(self):
        calendar = self.company.resource_calendar_id
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "Ferragosto",
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 8, 15, 0, 0),
                "date_to": datetime(2026, 8, 15, 23, 59),
            }
        )
        settings = self.env["followup.company.settings"].with_user(self.user_manager).create({})
        action = settings.action_followup_open_holidays()
        self.assertEqual(action["res_model"], "resource.calendar.leaves")
        holidays = (
            self.env["resource.calendar.leaves"]
            .with_user(self.user_manager)
            .search(action["domain"])
        )
        self.assertIn(holiday, holidays)
        self.assertFalse(holidays.filtered("resource_id"))
        self.assertEqual(action["context"]["default_calendar_id"], calendar.id)
        # Administrators reach them from Odoo's Settings page too.
        config = self.env["res.config.settings"].create({})
        self.assertEqual(config.action_followup_open_holidays()["domain"], action["domain"])

    def test_only_managers_open_the_holidays_from_the_follow_up_settings(self):
        # The table of public methods and their rights (test_security), for this one.
        for user, allowed in (
            (self.user_manager, True),
            (self.user_followup, False),
            (self.user_salesman, False),
            (self.user_auditor, False),
        ):
            with self.subTest(user=user.login):
                Settings = self.env["followup.company.settings"].with_user(user)
                if allowed:
                    Settings.create({}).action_followup_open_holidays()
                else:
                    with self.assertRaises(AccessError):
                        Settings.create({}).action_followup_open_holidays()

    def test_the_holidays_button_reads_in_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager", "followup_manager_resource"], ["it_IT"], overwrite=True
        )
        Settings = self.env["followup.company.settings"].with_context(lang="it_IT")
        arch = Settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Festività dell'orario di lavoro dell'azienda", arch)
