"""The policy package stays pure: it must load and run without Odoo."""

import ast
import pathlib
import sys

ALLOWED_THIRD_PARTY = {"pytz", "babel", "phonenumbers"}
POLICY = pathlib.Path(__file__).resolve().parents[1] / "followup_manager" / "policy"


def test_policy_imports_only_the_standard_library_and_its_three_dependencies():
    for path in POLICY.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in ALLOWED_THIRD_PARTY or top in sys.stdlib_module_names, (
                    f"{path.name} imports {name}"
                )


def test_loading_the_policy_did_not_import_odoo():
    assert "followup_manager_policy" in sys.modules
    assert "odoo" not in sys.modules
    assert "followup_manager" not in sys.modules
