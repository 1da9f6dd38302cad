"""Compares the snapshots bin/upgrade-check took before and after updating a
database of the previous release; prints "upgrade: N passed, N failed, 0 skipped"."""

import argparse
import ast
import json
import re
import sys

LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")


def checks(args):
    before, after = json.loads(args.before), json.loads(args.after)
    with open(args.manifest, encoding="utf-8") as manifest:
        version = ast.literal_eval(manifest.read())["version"]
    with open(args.log, encoding="utf-8", errors="replace") as log:
        errors = [line for line in log if LOG_ERROR.match(line)]
    yield "the update ran to its end", args.rc == 0, f"exit code {args.rc}"
    yield "no ERROR while updating", not errors, "".join(errors[:3]).strip()
    yield "module installed", after.get("state") == "installed", after.get("state")
    yield (
        f"version is now {version}",
        (after.get("version") or "").endswith(version.split(".", 2)[-1])
        and after.get("version") != before.get("version"),
        f"{before.get('version')} -> {after.get('version')}",
    )
    for key in ("history", "decisions", "enrollments"):
        yield f"{key} unchanged", before.get(key) == after.get(key), "content differs"
    lost = {
        table: (count, after.get("counts", {}).get(table))
        for table, count in before.get("counts", {}).items()
        if (after.get("counts", {}).get(table) or 0) < count
    }
    yield "no table lost rows", not lost, f"{lost}"
    filled = before.get("counts", {})
    kept = ("followup_consent_event", "followup_dispatch", "followup_enrollment")
    yield "the previous release had data to keep", all(filled.get(t) for t in kept), f"{filled}"


def main():
    parser = argparse.ArgumentParser()
    for name in ("--log", "--manifest", "--before", "--after"):
        parser.add_argument(name, required=True)
    parser.add_argument("--rc", type=int, required=True)
    args = parser.parse_args()
    passed = failed = 0
    for label, ok, detail in checks(args):
        line = f"  ok   {label}" if ok else f"  FAIL {label}: {detail}"
        print(line, file=sys.stderr)
        passed, failed = passed + bool(ok), failed + (not ok)
    print(f"upgrade: {passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
