"""Run inside ``odoo-bin shell`` (stdin): prints one JSON line describing what a
database of the add-on holds, so that bin/upgrade-check can compare the data of
the previous release with the same database after the update.

With FM_UPGRADE_FILL=1 it first lets the previous release work on its demo data
(the dispatch runs once, a consent decision is recorded), as a real database
would have, and commits.
"""

# ruff: noqa: F821 - env is given by odoo-bin shell
import hashlib
import json
import os

if os.environ.get("FM_UPGRADE_FILL") == "1":
    env["followup.enrollment"].search([("state", "=", "active")]).write(
        {"next_date": "2000-01-01 00:00:00"}
    )
    env["followup.dispatcher"]._dispatch_due()
    partner = env["res.partner"].search([("email", "!=", False)], limit=1)
    partner.followup_set_consent("sms", "withdrawn", "manual", proof="Asked by phone")
    # A shell script filling a test database: its work must be kept.
    env.cr.commit()

cr = env.cr
cr.execute(
    "SELECT table_name FROM information_schema.tables"
    " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    " AND table_name LIKE 'followup\\_%%'"
)
tables = sorted(row[0] for row in cr.fetchall())
counts = {}
for table in tables:
    cr.execute(f'SELECT count(*) FROM "{table}"')
    counts[table] = cr.fetchone()[0]
# The consent history must come through unchanged, to the byte.
cr.execute(
    "SELECT id, partner_id, channel, state, source, coalesce(proof, ''), create_date"
    " FROM followup_consent_event ORDER BY id"
)
history = hashlib.sha256(repr(cr.fetchall()).encode()).hexdigest()
# The why-log's sentences too: a release may move them (18.0.1.2.0 keeps the stored
# sentence as note_text and composes new ones when read).
cr.execute(
    "SELECT column_name FROM information_schema.columns"
    " WHERE table_name = 'followup_dispatch' AND column_name IN ('note_text', 'note')"
)
note = "note_text" if "note_text" in {row[0] for row in cr.fetchall()} else "note"
cr.execute(
    f"SELECT id, enrollment_id, step_id, state, reason, {note} FROM followup_dispatch ORDER BY id"
)
decisions = hashlib.sha256(repr(cr.fetchall()).encode()).hexdigest()
cr.execute(
    "SELECT id, partner_id, sequence_id, state, next_step_id FROM followup_enrollment ORDER BY id"
)
enrollments = hashlib.sha256(repr(cr.fetchall()).encode()).hexdigest()
module = env["ir.module.module"].search([("name", "=", "followup_manager")])
print(
    "FM_SNAPSHOT "
    + json.dumps(
        {
            "version": module.latest_version,
            "state": module.state,
            "counts": counts,
            "history": history,
            "decisions": decisions,
            "enrollments": enrollments,
        },
        sort_keys=True,
    )
)
