"""Compares the snapshots bin/upgrade-check took before and after updating a
database of the previous release; prints "upgrade: N passed, N failed, 0 skipped".

Besides the add-ons' own data (tables, consent history, why-log), it checks that each
add-on of the repository installed after the update is at its manifest's version,
moved from the previous release's where it was installed; that each companion whose
application the database has is installed (by the previous release already, or, from
18.0.1.x, by the core's migration); and that every record the previous release had an
XML id for still has it (under the same add-on, or a companion the core handed it
over to) and the same database id, so nothing that users' data points at (mail
templates, groups, crons, activity types...) was dropped and created again."""

import argparse
import ast
import json
import os
import re
import sys
from collections import Counter, defaultdict

LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")
CORE = "followup_manager"
# Records that users' data points at or that users change: each must come through the
# update with its database id (a check per model that the previous release had).
KEPT_MODELS = (
    "mail.template",
    "sms.template",
    "res.groups",
    "ir.module.category",
    "ir.cron",
    "mail.activity.type",
    "ir.config_parameter",
    "ir.actions.server",
    "res.partner",
)
# Odoo reflects SQL constraints once per module (ir_model_constraint is unique on name
# and module): a companion gets a row of its own for a constraint it takes over, and
# the core's row goes at the end of the update without dropping the constraint, which
# another module still declares (IrModelConstraint.unlink).
PER_MODULE_MODELS = ("ir.model.constraint",)
# The Italian register's companion: expected where the register was used.
REGISTER = "l10n_it_followup_manager"


def manifest(root, name):
    with open(os.path.join(root, name, "__manifest__.py"), encoding="utf-8") as file:
        return ast.literal_eval(file.read())


def our_addons(root):
    """The add-ons of the repository: its folders with a manifest."""
    return {
        d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "__manifest__.py"))
    }


def version_checks(root, before, after):
    """Each add-on installed after the update is at its manifest's version, another
    than the previous release's where that had it installed (an update whose version
    did not move runs no migration script)."""
    was, now = before.get("modules", {}), after.get("modules", {})
    versions_before, versions_after = before.get("versions", {}), after.get("versions", {})
    for name in [CORE, *sorted(our_addons(root) - {CORE})]:
        installed_before = was.get(name) == "installed"
        if name != CORE and not installed_before and now.get(name) != "installed":
            continue  # a companion the database does not have (checked below)
        version = manifest(root, name)["version"]
        old = versions_before.get(name) if installed_before else None
        new = versions_after.get(name)
        yield (
            f"{name}: version is now {version}"
            + ("" if installed_before else " (installed by the update)"),
            (new or "").endswith(version.split(".", 2)[-1]) and new != old,
            f"{old} -> {new}",
        )


def companion_checks(root, before, after):
    """Each companion is installed where its application was (the register's, where
    the register was used), and only there."""
    ours = our_addons(root)
    installed = set(before.get("installed", []))
    states = after.get("modules", {})
    for name in sorted(ours - {CORE}):
        apps = [dep for dep in manifest(root, name).get("depends", []) if dep not in ours]
        expected = all(app in installed for app in apps)
        if name == REGISTER:
            expected = expected and before.get("register_used")
            why = "the register was used" if expected else "the register was not used"
        else:
            why = f"{', '.join(apps) or 'no application'} installed before" + (
                "" if expected else ": no"
            )
        state = states.get(name)
        if expected:
            yield f"{name} installed ({why})", state == "installed", f"state {state}"
        else:
            yield f"{name} not installed ({why})", state != "installed", f"state {state}"


def xml_id_checks(before, after):
    """The records of the previous release's XML ids (of every add-on of the
    repository it had installed) keep their database ids: under the same add-on, or,
    where that no longer has the XML id, under the one it was handed over to."""
    now = defaultdict(list)  # name -> [(module, model, res_id, exists)]
    for module, name, model, res_id, exists in after.get("xml_ids", []):
        now[name].append((module, model, res_id, exists))
    moved = Counter()
    changed, by_model, compared = [], defaultdict(list), 0
    for module, name, model, res_id, exists in before.get("xml_ids", []):
        if not exists or model in PER_MODULE_MODELS:
            continue
        compared += 1
        kept = [row for row in now[name] if row[1] == model]
        # Two add-ons may each have an XML id of that name: the same add-on's first.
        kept = [row for row in kept if row[0] == module] or kept
        if any(row[2] != res_id for row in kept):
            changed.append(f"{module}.{name}: {res_id} -> {[row[2] for row in kept]}")
        ok = any(row[2] == res_id and row[3] for row in kept)
        by_model[model].append((f"{module}.{name}", ok))
        moved.update(row[0] for row in kept if row[0] != module and row[2] == res_id)
    handed = dict(moved) or "none"
    print(f"  ..   XML ids handed over to another add-on: {handed}", file=sys.stderr)
    for model in KEPT_MODELS:
        if not by_model.get(model):
            continue
        lost = [name for name, ok in by_model[model] if not ok]
        label = f"every {model} of the previous release ({len(by_model[model])})"
        yield (
            f"{label} kept its XML id and database id",
            not lost,
            f"lost or re-created: {lost}",
        )
    yield (
        f"no XML id of the previous release ({compared}) points at another record",
        not changed,
        "; ".join(changed[:10]),
    )
    edited = before.get("edited") or "\0"
    subjects_before = {k: v for k, v in before.get("subjects", {}).items() if v.endswith(edited)}
    subjects_after = after.get("subjects", {})
    undone = sorted(k for k, v in subjects_before.items() if subjects_after.get(k) != v)
    yield (
        f"the mail templates a user edited ({len(subjects_before)}) keep the edit",
        bool(subjects_before) and not undone,
        f"edits lost on templates {undone}" if subjects_before else "no template edited",
    )


def read_snapshot(path):
    """A snapshot file; empty (the current code could not read the database) is {}."""
    with open(path, encoding="utf-8") as file:
        text = file.read().strip()
    return json.loads(text) if text else {}


def checks(args):
    before, after = read_snapshot(args.before), read_snapshot(args.after)
    with open(args.log, encoding="utf-8", errors="replace") as log:
        errors = [line for line in log if LOG_ERROR.match(line)]
    yield "the update ran to its end", args.rc == 0, f"exit code {args.rc}"
    yield "no ERROR while updating", not errors, "".join(errors[:3]).strip()
    yield "module installed", after.get("state") == "installed", after.get("state")
    yield from version_checks(args.root, before, after)
    for key in ("history", "decisions", "enrollments"):
        yield f"{key} unchanged", before.get(key) == after.get(key), "content differs"
    changed = [
        (old, new)
        for old, new in zip(
            before.get("deliveries", []), after.get("deliveries", []), strict=False
        )
        if old != new
    ]
    yield (
        f"every delivery reads as before ({len(before.get('deliveries', []))} decisions)",
        not changed and len(before.get("deliveries", [])) == len(after.get("deliveries", [])),
        f"{changed[:3]}",
    )
    lost = {
        table: (count, after.get("counts", {}).get(table))
        for table, count in before.get("counts", {}).items()
        if (after.get("counts", {}).get(table) or 0) < count
    }
    yield "no table lost rows", not lost, f"{lost}"
    filled = before.get("counts", {})
    kept = ("followup_consent_event", "followup_dispatch", "followup_enrollment")
    # Deliveries: from 18.0.2.0.0 on, the release the update starts from has them.
    kept += tuple(t for t in ("followup_delivery",) if t in filled)
    # The Italian register's answers, where the release had the register.
    kept += tuple(t for t in ("followup_rpo_entry",) if t in filled)
    yield "the previous release had data to keep", all(filled.get(t) for t in kept), f"{filled}"
    dropped = sorted(set(before.get("constraints", [])) - set(after.get("constraints", [])))
    yield (
        f"no database constraint of the add-on dropped ({len(before.get('constraints', []))})",
        not dropped,
        f"{dropped}",
    )
    yield from companion_checks(args.root, before, after)
    yield from xml_id_checks(before, after)


def main():
    parser = argparse.ArgumentParser()
    # --before and --after: the files of the snapshots (upgrade_snapshot.py's JSON).
    for name in ("--log", "--before", "--after"):
        parser.add_argument(name, required=True)
    parser.add_argument("--rc", type=int, required=True)
    # The repository's root: its add-ons, their versions and what they depend on.
    parser.add_argument("--root", required=True)
    args = parser.parse_args()
    passed = failed = 0
    for label, ok, detail in checks(args):
        detail = str(detail)
        detail = detail if len(detail) <= 400 else detail[:400] + " ..."
        line = f"  ok   {label}" if ok else f"  FAIL {label}: {detail}"
        print(line, file=sys.stderr)
        passed, failed = passed + bool(ok), failed + (not ok)
    print(f"upgrade: {passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
