"""Who sees and changes the opt-out register: the access matrix of its models for every
kind of user, and its public methods called as each of them (test_security.py of
followup_manager for the rest of the add-on)."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase

OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

# As in followup_manager's matrix: read/write/create/unlink letters per model and user.
# Managers import (answers are written by the import only, never by hand), auditors read.
USERS = ("employee", "user", "salesman", "auditor", "manager", "admin", "portal", "public")
MATRIX = {
    #                          employee user  salesman auditor manager admin  portal public
    "followup.rpo.entry": ("", "", "", "r", "r", "r", "", ""),
    "followup.rpo.answer": ("", "", "", "r", "r", "r", "", ""),
    "followup.rpo.import": ("", "", "", "r", "rc", "rc", "", ""),
    "followup.rpo.export": ("", "", "", "", "rwcu", "rwcu", "", ""),
    "followup.rpo.import.wizard": ("", "", "", "", "rwcu", "rwcu", "", ""),
}
MODULE = "l10n_it_followup_manager"


@tagged("post_install", "-at_install")
class TestRegisterAccess(FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "employee": cls.user_employee,
            "user": cls.user_followup,
            "salesman": cls.user_salesman,
            "auditor": cls.user_auditor,
            "manager": cls.user_manager,
            "admin": cls.user_admin,
            "portal": cls.user_portal,
            "public": cls.user_public,
        }
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.sequence_tiny = cls._create_sequence(
            "Tiny", "manual", [cls._task_step()], purpose="marketing"
        )

    def test_access_rights_matrix(self):
        self.assertEqual(
            set(MATRIX),
            {m for m in self.env if self.env[m]._original_module == MODULE}
            - {"followup.rpo.layout"},  # abstract: the register's file layout
            "every model of the add-on is in the matrix",
        )
        for model, rights in MATRIX.items():
            for user_key, allowed in zip(USERS, rights, strict=True):
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, user=user_key, operation=operation):
                        self.assertEqual(
                            self.env[model].with_user(self.users[user_key]).has_access(operation),
                            letter in allowed,
                        )

    def _calls(self, user):
        """{method: call} for ``user``: one per public method the add-on adds to the
        models of followup_manager."""
        return {
            "res.partner.action_followup_rpo_export": (
                self.carla.with_user(user).action_followup_rpo_export
            ),
            "res.partner.action_followup_rpo_due": (
                lambda: self.env["res.partner"].with_user(user).action_followup_rpo_due()
            ),
            "followup.sequence.action_followup_rpo_check_audience": (
                self.sequence_tiny.with_user(user).action_followup_rpo_check_audience
            ),
        }

    # Public methods only managers may call (they open the export).
    MANAGER_ONLY = {
        "res.partner.action_followup_rpo_export",
        "followup.sequence.action_followup_rpo_check_audience",
    }

    def test_every_public_method_is_in_the_table(self):
        # A new public method must be added to _calls() and its rights decided.
        found = set()
        for model in ("res.partner", "followup.sequence", "followup.company.settings"):
            cls = type(self.env[model])
            for name in dir(cls):
                if name.startswith("_") or name in ("pool", "env", "ids", "id"):
                    continue
                for klass in cls.__mro__:
                    if name in vars(klass):
                        if klass.__module__.startswith(f"odoo.addons.{MODULE}.") and (
                            callable(vars(klass)[name])
                        ):
                            found.add(f"{model}.{name}")
                        break
        self.assertEqual(found, set(self._calls(self.user_followup)))

    def test_public_methods_as_each_user(self):
        allowed_by_user = {
            self.user_employee: set(),
            self.user_portal: set(),
            self.user_public: set(),
            self.user_followup: set(self._calls(self.user_followup)) - self.MANAGER_ONLY,
            self.user_salesman: set(self._calls(self.user_salesman)) - self.MANAGER_ONLY,
            self.user_auditor: set(self._calls(self.user_auditor)) - self.MANAGER_ONLY,
            self.user_manager: set(self._calls(self.user_manager)),
        }
        for user, allowed in allowed_by_user.items():
            for name, call in self._calls(user).items():
                with self.subTest(user=user.login, method=name):
                    if name in allowed:
                        call()
                    else:
                        with self.assertRaises(AccessError):
                            call()
