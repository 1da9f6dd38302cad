"""Reads the Odoo, pytest and README logs of a test run and prints one verdict.

Skipped tests count as failures: in this project a skip only ever means a
missing dependency (Odoo silently skips browser tours without
websocket-client, for instance), and a green run must have run everything.
"""

import argparse
import re
import sys

ODOO_RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
ODOO_SKIP = re.compile(r" INFO \S+ odoo\.addons\.\S+: skipped (.*)")
LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")
PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")
README_RESULT = re.compile(r"^readme: (\d+) passed, (\d+) failed, (\d+) skipped$", re.MULTILINE)
UPGRADE_RESULT = re.compile(r"^upgrade: (\d+) passed, (\d+) failed, (\d+) skipped$", re.MULTILINE)
REHEARSAL_HOLD = re.compile(r"^  \[(ok|FAILED)\] ", re.MULTILINE)


def odoo_counts(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        text = log.read()
    results = ODOO_RESULT.findall(text)
    skipped = ODOO_SKIP.findall(text)
    # ERROR lines outside a test (a module that fails to load, a cron that
    # raises) are failures too, even when Odoo's own counters miss them.
    errors = [line for line in text.splitlines() if LOG_ERROR.match(line)]
    if not results:
        print("odoo: no test result found (did the add-on install?)", file=sys.stderr)
        for line in errors[-5:]:
            print("  " + line[:300], file=sys.stderr)
        return 0, 1, len(skipped)
    failed, errored, run = map(int, results[-1])
    bad = failed + errored
    if errors and not bad:
        bad = len(errors)
    return max(run - bad - len(skipped), 0), bad, len(skipped)


def pytest_counts(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        text = log.read()
    lines = [line for line in text.splitlines() if line.strip()]
    summary = lines[-1] if lines else ""
    counts = {
        kind.rstrip("s") if kind.startswith("error") else kind: int(n)
        for n, kind in PYTEST_COUNT.findall(summary)
    }
    passed = counts.get("passed", 0)
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("xpassed", 0)
    if not counts:
        print("pytest: no summary found", file=sys.stderr)
        failed += 1
    return passed, failed, counts.get("skipped", 0)


def _line_counts(label, pattern, path):
    """A check that ends with its own "<label>: N passed, N failed, N skipped" line."""
    with open(path, encoding="utf-8", errors="replace") as log:
        results = pattern.findall(log.read())
    if not results:
        print(f"{label}: the check did not run to its end", file=sys.stderr)
        return 0, 1, 0
    return tuple(map(int, results[-1]))


def readme_counts(path):
    """The README check (bin/lib/check_readme.py) counts as one test."""
    return _line_counts("readme", README_RESULT, path)


def upgrade_counts(path):
    """bin/upgrade-check: each of its checks counts as a test."""
    return _line_counts("upgrade", UPGRADE_RESULT, path)


def rehearsal_counts(path):
    """bin/rehearsal --small: each "must hold" counts as a test."""
    with open(path, encoding="utf-8", errors="replace") as log:
        holds = REHEARSAL_HOLD.findall(log.read())
    if not holds:
        print("rehearsal: it did not run to its end", file=sys.stderr)
        return 0, 1, 0
    return holds.count("ok"), holds.count("FAILED"), 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--odoo-log")
    parser.add_argument("--pytest-log")
    parser.add_argument("--expect-odoo", type=int, default=1)
    parser.add_argument("--expect-pytest", type=int, default=1)
    parser.add_argument("--readme-log")
    parser.add_argument("--upgrade-log")
    parser.add_argument("--rehearsal-log")
    args = parser.parse_args()
    passed = failed = skipped = 0
    for label, path, expected, count in (
        ("odoo", args.odoo_log, args.expect_odoo, odoo_counts),
        ("pytest", args.pytest_log, args.expect_pytest, pytest_counts),
        ("readme", args.readme_log, bool(args.readme_log), readme_counts),
        ("upgrade", args.upgrade_log, bool(args.upgrade_log), upgrade_counts),
        ("rehearsal", args.rehearsal_log, bool(args.rehearsal_log), rehearsal_counts),
    ):
        if not expected:
            continue
        p, f, s = count(path)
        print(f"{label}: {p} passed, {f} failed, {s} skipped")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if passed == 0:
        print("no test ran", file=sys.stderr)
        failed += 1
    # A skip is a failure here (see module docstring).
    failed += skipped
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
