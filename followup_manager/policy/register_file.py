"""The files exchanged with the opposition register: the one place that knows their layout.

The register's own layout could not be looked up when this was written (its service
needs the company's credentials), so these are assumptions, kept here alone. To follow
the real layout, subclass :class:`RegisterLayout` and return the subclass from the one
overridable method of the register's add-on (l10n_it_followup_manager), nothing else
changes.

**Export** (the list the company uploads for a check): CSV, UTF-8, ``;`` separated, a
header line, one number or address a line::

    type;value
    phone;+390649910000
    post;VIA ROMA 1, 00184 ROMA RM

Numbers are in E.164; addresses are the one-line form of ``register.address_key``.

No cell is read as a formula by a spreadsheet (CSV injection, OWASP): a value starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a ``'`` in
front (an address comes from the contact, which customers edit themselves on the portal),
except a number in E.164 (``+`` and digits only: a spreadsheet reads it as a number, and
the register expects it so). The answer is read back without that ``'``.

**Answer** (the register's reply): the same columns and a status per line::

    type;value;status
    phone;+390649910000;registered
    post;VIA ROMA 1, 00184 ROMA RM;clear

Read leniently: ``,`` or ``;`` separators, a UTF-8 byte order mark, blank lines and
surrounding spaces are accepted; numbers may be written ``+39...``, ``0039...`` or in the
national form; the status may be ``registered``/``clear``, ``iscritto``/``non iscritto``,
``yes``/``no``, ``si``/``no`` or ``1``/``0``; a line without a type is a phone number when
its value reads as one. Anything else rejects the line, with its number and a reason code;
an address longer than ``register.MAX_ADDRESS_LENGTH`` characters too (``too_long``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

from .register import CLEAR, COUNTRY, KINDS, MAX_ADDRESS_LENGTH, REGISTERED, normalize_key

__all__ = [
    "AnswerRow",
    "ParseResult",
    "RegisterLayout",
    "Rejection",
    "neutralize",
]

#: The first characters that make a spreadsheet run a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+[0-9]{1,15}")


def neutralize(value: str) -> str:
    """``value`` as a spreadsheet shows it without running it: with a ``'`` in front
    when it starts like a formula, unless it is an E.164 number (``+`` and digits)."""
    if value.startswith(FORMULA_STARTS) and not _E164.fullmatch(value):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """``value`` without the ``'`` :func:`neutralize` put in front of it."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


# Reasons a line of an answer is rejected (codes: the Odoo side says them in words).
BAD_COLUMNS = "columns"
BAD_TYPE = "type"
BAD_NUMBER = "number"
FOREIGN_NUMBER = "foreign"
BAD_ADDRESS = "address"
TOO_LONG = "too_long"
BAD_STATUS = "status"
CONFLICT = "conflict"
BAD_FILE = "file"


@dataclass(frozen=True)
class AnswerRow:
    """One answer read from the file: line number (1-based), kind, normalized value."""

    line: int
    kind: str
    value: str
    state: str


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str
    text: str


@dataclass
class ParseResult:
    """``read``: the data lines read (header and blank lines excluded)."""

    read: int = 0
    rows: list[AnswerRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class RegisterLayout:
    """The assumed layout (see the module docstring); override a method to change one part."""

    delimiter = ";"
    export_header = ("type", "value")
    answer_header = ("type", "value", "status")
    statuses = {
        "registered": REGISTERED,
        "iscritto": REGISTERED,
        "iscritta": REGISTERED,
        "yes": REGISTERED,
        "si": REGISTERED,
        "sì": REGISTERED,
        "1": REGISTERED,
        "clear": CLEAR,
        "non iscritto": CLEAR,
        "non iscritta": CLEAR,
        "not registered": CLEAR,
        "no": CLEAR,
        "0": CLEAR,
    }
    file_name = "registro_opposizioni_{date}.csv"

    # --- export ----------------------------------------------------------------------
    def export(self, entries: Iterable[tuple[str, str]]) -> bytes:
        """The file to upload: ``entries`` are ``(kind, value)`` pairs, written once each,
        in their order."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
        writer.writerow(self.export_header)
        seen = set()
        for kind, value in entries:
            if (kind, value) not in seen:
                seen.add((kind, value))
                writer.writerow((self.cell(kind), self.cell(value)))
        return out.getvalue().encode("utf-8")

    def cell(self, value: str) -> str:
        """A cell of the export as written: never run as a formula (:func:`neutralize`),
        on one line (a line break would start a line of its own: the writer quotes only
        the ``\\n`` it ends lines with)."""
        return neutralize(value).replace("\r", " ").replace("\n", " ")

    # --- answer ----------------------------------------------------------------------
    def decode(self, data: bytes) -> str | None:
        """The text of the file, or None when it is not text."""
        if b"\x00" in data:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    def parse(self, data: bytes) -> ParseResult:
        """Read an answer file. A file that is not text or has no line at all is one
        rejection on line 0 (``file``)."""
        result = ParseResult()
        text = self.decode(data)
        if text is None or not text.strip():
            result.rejected.append(Rejection(0, BAD_FILE, ""))
            return result
        delimiter = self.delimiter if self.delimiter in text.splitlines()[0] else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            # line_num: the file's line where the row ends (a quoted value may span lines).
            lines = [(reader.line_num, cells) for cells in reader]
        except csv.Error:
            result.rejected.append(Rejection(0, BAD_FILE, ""))
            return result
        seen: dict[tuple[str, str], AnswerRow] = {}
        for number, cells in lines:
            cells = [cell.strip() for cell in cells]
            if not any(cells) or (number == 1 and self.is_header(cells)):
                continue
            result.read += 1
            row = self.parse_row(number, cells)
            if isinstance(row, Rejection):
                result.rejected.append(row)
                continue
            previous = seen.get((row.kind, row.value))
            if previous is not None and previous.state != row.state:
                result.rejected.append(Rejection(number, CONFLICT, delimiter.join(cells)))
            elif previous is None:
                seen[(row.kind, row.value)] = row
                result.rows.append(row)
        return result

    def is_header(self, cells: list[str]) -> bool:
        return [c.lower() for c in cells[:2]] == list(self.answer_header[:2])

    def parse_row(self, number: int, cells: list[str]) -> AnswerRow | Rejection:
        text = self.delimiter.join(cells)
        if len(cells) == 2:
            cells = ["", *cells]
        if len(cells) != 3:
            return Rejection(number, BAD_COLUMNS, text)
        kind, value, status = cells[0].lower(), unneutralize(cells[1]), cells[2].lower()
        if kind not in ("", *KINDS):
            return Rejection(number, BAD_TYPE, text)
        state = self.statuses.get(" ".join(status.split()))
        if state is None:
            return Rejection(number, BAD_STATUS, text)
        if kind == "post":
            key = normalize_key(value)
            if not key:
                return Rejection(number, BAD_ADDRESS, text)
            if len(key) > MAX_ADDRESS_LENGTH:
                # Never an address: refused before it reaches the database's indexes.
                return Rejection(number, TOO_LONG, f"{text[:80]}…")
            return AnswerRow(number, "post", key, state)
        parsed = self.read_number(value)
        if parsed is None:
            return Rejection(number, BAD_NUMBER, text)
        if phonenumbers.region_code_for_number(parsed) != COUNTRY:
            return Rejection(number, FOREIGN_NUMBER, text)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return AnswerRow(number, "phone", e164, state)

    def read_number(self, value: str) -> phonenumbers.PhoneNumber | None:
        """A valid number as the register writes it (``+39``, ``0039`` or national), or
        None. Parsed once: an answer file may hold hundreds of thousands of lines."""
        compact = "".join(value.split())
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        try:
            parsed = phonenumbers.parse(compact, COUNTRY)
        except phonenumbers.NumberParseException:
            return None
        return parsed if phonenumbers.is_valid_number(parsed) else None
