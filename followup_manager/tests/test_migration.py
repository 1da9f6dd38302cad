"""18.0.1.1.0: a database updated from 18.0.1.0.0, where choosing "Consent Auditor"
made a person a follow-up user too, keeps its auditors auditors only."""

import importlib.util

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

from odoo.addons.mail.tests.common import mail_new_test_user


def _migration(version, name):
    path = file_path(f"followup_manager/migrations/{version}/{name}.py")
    spec = importlib.util.spec_from_file_location(f"followup_manager_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestFollowupMigration1110(TransactionCase):
    def test_auditors_stop_being_follow_up_users_unless_something_else_says_so(self):
        user_group = self.env.ref("followup_manager.followup_manager_group_user")
        # What 18.0.1.0.0 left: the auditor group implied the user group, and Odoo
        # stored the implied membership.
        old = "base.group_user,followup_manager.followup_manager_group_auditor"
        auditor = mail_new_test_user(self.env, login="fm_old_auditor", groups=old)
        # Another group that implies the user group (as Sales' salespeople do).
        other = self.env["res.groups"].create(
            {"name": "Implies follow-ups", "implied_ids": [(4, user_group.id)]}
        )
        auditor_salesman = mail_new_test_user(self.env, login="fm_old_auditor_sales", groups=old)
        auditor_salesman.groups_id = [(4, other.id)]
        archived = mail_new_test_user(self.env, login="fm_old_auditor_gone", groups=old)
        (auditor | auditor_salesman | archived).write({"groups_id": [(4, user_group.id)]})
        archived.active = False
        manager = mail_new_test_user(
            self.env,
            login="fm_old_manager",
            groups="base.group_user,followup_manager.followup_manager_group_manager",
        )
        user = mail_new_test_user(
            self.env,
            login="fm_old_user",
            groups="base.group_user,followup_manager.followup_manager_group_user",
        )

        _migration("18.0.1.1.0", "post-migrate").migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()

        self.assertNotIn(user_group, auditor.groups_id)
        self.assertNotIn(user_group, archived.groups_id)
        for kept in (auditor_salesman, manager, user):
            with self.subTest(user=kept.login):
                self.assertIn(user_group, kept.groups_id)
        self.assertTrue(auditor.has_group("followup_manager.followup_manager_group_auditor"))
