"""18.0.2.1.0: a forecast's assumptions are put in words when read, in the reader's
language and time zone.

Up to 18.0.2.0.0, ``followup_forecast.assumptions`` held the sentences, written once in
the language of whoever ran the forecast. They are now computed from
``assumption_data`` (codes and numbers). A forecast run before keeps its sentences as
they were: one item ``text_as_run`` that reads as the stored text (nothing to re-run,
nothing lost); the old column goes."""

from odoo.tools import SQL, sql


def migrate(cr, version):
    if not version:
        return
    table = "followup_forecast"
    if not sql.column_exists(cr, table, "assumptions"):
        return
    if not sql.column_exists(cr, table, "assumption_data"):
        sql.create_column(cr, table, "assumption_data", "jsonb")
    cr.execute(
        SQL(
            """
            UPDATE followup_forecast
               SET assumption_data = jsonb_build_array(
                       jsonb_build_array('text_as_run', jsonb_build_object('text', assumptions)))
             WHERE assumptions IS NOT NULL AND assumption_data IS NULL
            """
        )
    )
    cr.execute(SQL("ALTER TABLE followup_forecast DROP COLUMN assumptions"))
