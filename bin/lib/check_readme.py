"""Renders README.rst with docutils, as PyPI, GitHub and Odoo's app page do, and fails
on any warning or error (a broken table, a dangling link, a bad heading).

Also refuses grid tables (``+---+``): their columns are sized by hand and cut long
words across lines when edited; the manual uses list-tables.

Prints one line ``readme: N passed, N failed, 0 skipped`` for bin/lib/summarize.py and
exits non-zero on a failure. docutils comes with Odoo's requirements (it renders the
descriptions of modules), installed by bin/lib/common.sh.
"""

import argparse
import io
import re
import sys

from docutils.core import publish_string

GRID_BORDER = re.compile(r"^\s*\+(-+\+){2,}\s*$|^\s*\+(=+\+){2,}\s*$")


def render_problems(text, path):
    """The warnings and errors docutils reports while rendering ``text`` to HTML."""
    stream = io.StringIO()
    publish_string(
        text,
        source_path=path,
        writer_name="html5",
        settings_overrides={
            # Report from level 2 (warning) up, never stop: list every problem.
            "report_level": 2,
            "halt_level": 5,
            "warning_stream": stream,
            "exit_status_level": 2,
            # No file or raw inclusion from a README.
            "file_insertion_enabled": False,
            "raw_enabled": False,
        },
    )
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def grid_tables(text):
    return [
        f"line {number}: a grid table (use a list-table)"
        for number, line in enumerate(text.splitlines(), start=1)
        if GRID_BORDER.match(line)
    ][:1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("readme")
    args = parser.parse_args()
    with open(args.readme, encoding="utf-8") as handle:
        text = handle.read()
    problems = render_problems(text, args.readme) + grid_tables(text)
    for problem in problems:
        print(f"{args.readme}: {problem}", file=sys.stderr)
    print(f"readme: {0 if problems else 1} passed, {1 if problems else 0} failed, 0 skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
