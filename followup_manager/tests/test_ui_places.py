"""One place per thing: the sequences in one menu, the managers' settings in a
dialog, the Italian register's menus and button only where a company uses the
register."""

from lxml import etree

from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestUiPlaces(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Companies = cls.env["res.company"].search([])
        cls.Companies.write({"followup_rpo_enabled": False})
        cls.rpo_menu = cls.env.ref("followup_manager.followup_rpo_menu")

    def _visible(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_sequences_have_one_menu(self):
        action = self.env.ref("followup_manager.followup_sequence_action")
        menus = self.env["ir.ui.menu"].search(
            [("action", "=", f"ir.actions.act_window,{action.id}")]
        )
        self.assertEqual(len(menus), 1)
        for user in (self.user_salesman, self.user_manager):
            with self.subTest(user=user.login):
                self.assertIn(menus.id, self._visible(user))

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

    def test_managers_settings_open_in_a_dialog_with_one_save(self):
        action = (
            self.env["ir.actions.act_window"]
            .with_user(self.user_manager)
            ._for_xml_id("followup_manager.followup_company_settings_action")
        )
        self.assertEqual(action["target"], "new")
        Settings = self.env["followup.company.settings"].with_user(self.user_manager)
        arch = etree.fromstring(Settings.get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertFalse(arch.xpath("//header"))
        self.assertEqual(len(arch.xpath("//button[@name='action_save']")), 1)
        self.assertTrue(arch.xpath("//footer/button[@name='action_save']"))

    def test_a_decision_shows_its_outcome_as_a_badge_and_its_sentence_labelled(self):
        Dispatch = self.env["followup.dispatch"].with_user(self.user_manager)
        arch = etree.fromstring(Dispatch.get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertFalse(arch.xpath("//field[@widget='statusbar']"))
        [state] = arch.xpath("//field[@name='state']")
        self.assertEqual(state.get("widget"), "badge")
        [note] = arch.xpath("//field[@name='note']")
        self.assertEqual(note.get("string"), "What Happened")
        self.assertNotEqual(note.get("nolabel"), "1")

    def test_the_settings_dialog_reads_in_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        Settings = self.env["followup.company.settings"].with_context(lang="it_IT")
        arch = Settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Quanto spesso e quando i follow-up possono raggiungere", arch)
