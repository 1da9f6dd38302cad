"""Fast tests of ``followup_manager/policy``: plain pytest, no Odoo, no database.

``followup_manager/__init__.py`` imports odoo, so the policy package cannot be imported as
``followup_manager.policy`` here. Instead it is loaded straight from its folder with
``importlib`` and registered as the top-level module ``followup_manager_policy`` (its own
modules use only relative imports, which resolve against that name). Tests import it as::

    import followup_manager_policy as policy

Run: ``cd /work/main && <venv>/bin/python -m pytest tests -q``.
"""

import importlib.util
import os
import sys

from hypothesis import HealthCheck, settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY_DIR = os.path.join(ROOT, "followup_manager", "policy")
MODULE_NAME = "followup_manager_policy"

if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def _load_policy():
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    spec = importlib.util.spec_from_file_location(
        MODULE_NAME,
        os.path.join(POLICY_DIR, "__init__.py"),
        submodule_search_locations=[POLICY_DIR],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module


_load_policy()

# Deterministic and bounded: the whole suite must stay fast (well under 20 s).
settings.register_profile(
    "policy",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("policy")
