"""18.0.2.0.0: the noupdate records the companions took over come back as they were.

pre-migrate.py kept their rows (see its third point): installing a companion wrote
its files over them, as an installation does. Once every module is loaded, each kept
row is written back, column by column where the column still exists, so that a mail
template or an activity type a user changed reads as before the update, as an update
leaves noupdate records alone."""

import json

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, sql

KEPT_ROWS = "followup_manager_split_kept_rows"


def migrate(cr, version):
    if not version or not sql.table_exists(cr, KEPT_ROWS):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env.flush_all()
    cr.execute(
        SQL(
            "SELECT tbl, res_id, row::text FROM %s ORDER BY tbl, res_id", SQL.identifier(KEPT_ROWS)
        )
    )
    for table, res_id, row in cr.fetchall():
        kept = json.loads(row)
        columns = [name for name in sql.table_columns(cr, table) if name in kept and name != "id"]
        if not columns:
            continue
        cr.execute(
            SQL(
                "UPDATE %s t SET %s FROM jsonb_populate_record(NULL::%s, %s::jsonb) kept"
                " WHERE t.id = %s",
                SQL.identifier(table),
                SQL(", ").join(
                    SQL("%s = kept.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in columns
                ),
                SQL.identifier(table),
                row,
                res_id,
            )
        )
    cr.execute(SQL("DROP TABLE %s", SQL.identifier(KEPT_ROWS)))
    env.invalidate_all()
