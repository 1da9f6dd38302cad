"""The Italian register's menus and button only where a company uses the register; a
marketing sequence that may call concerns the register."""

from lxml import etree

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupCase, FollowupDispatchCase


@tagged("post_install", "-at_install")
class TestRegisterPlaces(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Companies = cls.env["res.company"].search([])
        cls.Companies.write({"followup_rpo_enabled": False})
        cls.rpo_menu = cls.env.ref("l10n_it_followup_manager.followup_rpo_menu")

    def _visible(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_register_menus_only_while_a_company_uses_the_register(self):
        self.env.invalidate_all()
        for user in (self.user_manager, self.user_auditor, self.user_salesman):
            with self.subTest(user=user.login, register="off"):
                # The folder hides its entries (the client builds the menu from it).
                self.assertNotIn(self.rpo_menu.id, self._visible(user))
        # A manager turns the register on in their follow-up settings.
        settings = (
            self.env["followup.company.settings"]
            .with_user(self.user_manager)
            .create({"followup_rpo_enabled": True})
        )
        settings.action_save()
        self.env.registry.clear_cache()
        for user, visible in (
            (self.user_manager, True),
            (self.user_auditor, True),
            (self.user_salesman, False),
        ):
            with self.subTest(user=user.login, register="on"):
                self.assertEqual(self.rpo_menu.id in self._visible(user), visible)
        # Off again: gone again.
        self.company.followup_rpo_enabled = False
        self.env.registry.clear_cache()
        self.assertNotIn(self.rpo_menu.id, self._visible(self.user_manager))

    def test_check_the_register_button_only_where_the_register_applies(self):
        sequence = self.env["followup.sequence"].create(
            {
                "name": "Campaign",
                "purpose": "marketing",
                "company_id": self.company.id,
                "active": False,
            }
        )
        as_manager = sequence.with_user(self.user_manager)
        self.assertFalse(as_manager.followup_rpo_applies)
        self.company.followup_rpo_enabled = True
        as_manager.invalidate_recordset()
        self.assertTrue(as_manager.followup_rpo_applies)
        arch = etree.fromstring(as_manager.get_views([(False, "form")])["views"]["form"]["arch"])
        [button] = arch.xpath("//button[@name='action_followup_rpo_check_audience']")
        self.assertIn("not followup_rpo_applies", button.get("invisible"))


@tagged("post_install", "-at_install")
class TestRegisterPreferredChannel(FollowupDispatchCase):
    """A step that goes by the person's preferred channel and may call concerns the
    register (tests/test_preferred_channel.py of followup_manager for the rest)."""

    @classmethod
    def _sequence_of(cls, name, steps, **values):
        values.setdefault("purpose", "service")
        return cls._create_sequence(name, "manual", steps, **values)

    @classmethod
    def _preferred_step(cls, name, order="email_phone", delay=0, unit="days", **values):
        return {
            "name": name,
            "delay": delay,
            "delay_unit": unit,
            "channel_choice": "preferred",
            "channel_order": order,
            "mail_template_id": cls.template_partner.id,
            "activity_type_id": cls.activity_call.id,
            **values,
        }

    def test_a_marketing_sequence_that_may_call_concerns_the_register(self):
        calls = self._sequence_of(
            "May call", [self._preferred_step("Hi", "email_phone")], purpose="marketing"
        )
        texts = self._sequence_of(
            "E-mails", [self._email_step("Hi", self.template_partner)], purpose="marketing"
        )
        sequences = self.env["followup.sequence"]._followup_rpo_sequences(self.company)
        self.assertIn(calls, sequences)
        self.assertNotIn(texts, sequences)
