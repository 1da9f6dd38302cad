"""18.0.1.2.0: the why-log's sentence is composed when it is read, in the reader's
language.

Up to 18.0.1.1.0, ``followup_dispatch.note`` was a stored sentence, written once in the
language of the scheduled job (the source text). ``note`` is now computed from the
row's ``note_code`` and ``note_data``, and the sentence as written is kept in
``note_text`` (the plain copy, searched when searching the note). The old column is
renamed, not copied: every existing sentence stays, and rows without details show it
as they did (nothing to re-render, nothing lost)."""

from odoo.tools import sql


def migrate(cr, version):
    if not version:
        return
    table = "followup_dispatch"
    if sql.column_exists(cr, table, "note") and not sql.column_exists(cr, table, "note_text"):
        sql.rename_column(cr, table, "note", "note_text")
