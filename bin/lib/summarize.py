"""Reads the Odoo, pytest and README logs of a test run and prints one verdict.

A run may hold several Odoo logs (every add-on installed together, then each add-on
alone on a database of its own): each is counted on its own line, per database, with
a line per add-on whose tests ran in it; the last line adds them all up.

Skipped tests count as failures: in this project a skip only ever means a
missing dependency (Odoo silently skips browser tours without
websocket-client, for instance), and a green run must have run everything.
"""

import argparse
import re
import sys
from collections import Counter

ODOO_RESULT = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database '([^']*)'"
)
# A test skipped, or a whole class (its setUpClass raised SkipTest: "CRM is not installed").
ODOO_SKIP = re.compile(
    r" INFO \S+ (?:odoo\.addons\.(\w+)\S*: skipped "
    r"|odoo\.tests\.suite: skipped \w+ \(odoo\.addons\.(\w+)\.)(.*)"
)
LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")
# One line per test started, and one per test that failed or errored, named by the
# logger of its module: odoo.addons.<add-on>.tests....
ODOO_START = re.compile(r" INFO \S+ odoo\.addons\.(\w+)\.\S*: Starting \S+ \.\.\.")
ODOO_FAIL = re.compile(
    r" (?:ERROR|CRITICAL) \S+ (?:odoo\.addons\.(\w+)\.\S*: (?:FAIL|ERROR):"
    r"|odoo\.tests\.suite: ERROR: \w+ \(odoo\.addons\.(\w+)\.)"
)
# The add-on of a test tag "[-][tag][/module][:class][.method]" ("/followup_manager_sale").
TAG_MODULE = re.compile(r"^\+?[\w*]*/(\w+)")
PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")
README_RESULT = re.compile(r"^readme: (\d+) passed, (\d+) failed, (\d+) skipped$", re.MULTILINE)
UPGRADE_RESULT = re.compile(r"^upgrade: (\d+) passed, (\d+) failed, (\d+) skipped$", re.MULTILINE)
REHEARSAL_HOLD = re.compile(r"^  \[(ok|FAILED)\] ", re.MULTILINE)


def tag_modules(tags):
    """The add-ons whose tests a --test-tags value asks for (those it names)."""
    return [m.group(1) for tag in (tags or "").split(",") if (m := TAG_MODULE.match(tag.strip()))]


def odoo_counts(path, tags=None):
    """One Odoo log: its database's totals, then a line per add-on whose tests ran.

    Every add-on the tags name must have run tests there: a tag that matches
    nothing (an add-on not installed, a misspelt class) would otherwise pass."""
    with open(path, encoding="utf-8", errors="replace") as log:
        text = log.read()
    results = ODOO_RESULT.findall(text)
    skipped = ODOO_SKIP.findall(text)
    # ERROR lines outside a test (a module that fails to load, a cron that
    # raises) are failures too, even when Odoo's own counters miss them.
    errors = [line for line in text.splitlines() if LOG_ERROR.match(line)]
    if not results:
        print(f"odoo: no test result found in {path} (did the add-on install?)", file=sys.stderr)
        for line in errors[-5:]:
            print("  " + line[:300], file=sys.stderr)
        return "?", [], (0, 1, len(skipped))
    failed, errored, run, database = results[-1]
    bad = int(failed) + int(errored)
    if errors and not bad:
        bad = len(errors)
    started = Counter(ODOO_START.findall(text))
    failing = Counter(a or b for a, b in ODOO_FAIL.findall(text))
    skipping = Counter(test or suite for test, suite, _reason in skipped)
    addons = []
    for module in sorted(set(started) | set(failing) | set(skipping) | set(tag_modules(tags))):
        ran, f, s = started[module], failing[module], skipping[module]
        if not ran:
            print(f"odoo: no test of {module} ran on {database}", file=sys.stderr)
            f += 1
            bad += 1
        addons.append((module, max(ran - f - s, 0), f, s))
    return database, addons, (max(int(run) - bad - len(skipped), 0), bad, len(skipped))


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
    # Repeated: one per Odoo run, each with the --test-tags it ran (same order).
    parser.add_argument("--odoo-log", action="append", default=[])
    parser.add_argument("--odoo-tags", action="append", default=[])
    parser.add_argument("--pytest-log")
    parser.add_argument("--expect-odoo", type=int, default=1)
    parser.add_argument("--expect-pytest", type=int, default=1)
    parser.add_argument("--readme-log")
    parser.add_argument("--upgrade-log")
    parser.add_argument("--rehearsal-log")
    args = parser.parse_args()
    passed = failed = skipped = 0
    if args.expect_odoo and not args.odoo_log:
        print("odoo: no log", file=sys.stderr)
        failed += 1
    for index, path in enumerate(args.odoo_log):
        tags = args.odoo_tags[index] if index < len(args.odoo_tags) else None
        database, addons, (p, f, s) = odoo_counts(path, tags)
        print(f"odoo ({database}): {p} passed, {f} failed, {s} skipped")
        for module, ap, af, ask in addons:
            print(f"  {module}: {ap} passed, {af} failed, {ask} skipped")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    for label, path, expected, count in (
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
