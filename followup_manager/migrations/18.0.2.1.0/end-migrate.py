"""18.0.2.1.0, once every module is loaded: each delivery reads as its old columns
said (post-migrate.py moved their facts), else a warning names it; then the old
columns go."""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

TABLE = "followup_delivery"
OLD_COLUMNS = ("state", "failure_type", "reason")


def migrate(cr, version):
    if not version or not sql.column_exists(cr, TABLE, "state"):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env.flush_all()
    env.invalidate_all()
    for line in check(env):
        _logger.warning("18.0.2.1.0: a delivery reads otherwise: %s", line)
    for column in OLD_COLUMNS:
        cr.execute(
            SQL("ALTER TABLE %s DROP COLUMN %s", SQL.identifier(TABLE), SQL.identifier(column))
        )
    env.invalidate_all()


def check(env):
    """The deliveries whose old columns (still in the table) say other than the
    facts read now; an empty list when every fact is kept."""
    env.cr.execute(
        SQL("SELECT dispatch_id, state, failure_type, reason FROM %s", SQL.identifier(TABLE))
    )
    old = {row[0]: tuple(value or False for value in row[1:]) for row in env.cr.fetchall()}
    dispatches = env["followup.dispatch"].browse(list(old))
    facts = env["followup.delivery"]._followup_facts(dispatches)
    return [
        f"decision {dispatch_id}: {before} then, {facts.get(dispatch_id)} now"
        for dispatch_id, before in sorted(old.items())
        if facts.get(dispatch_id) != before
    ]
