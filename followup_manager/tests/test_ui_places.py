"""One place per thing: the sequences in one menu, the managers' settings in a
dialog."""

from lxml import etree

from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestUiPlaces(FollowupCase):
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
