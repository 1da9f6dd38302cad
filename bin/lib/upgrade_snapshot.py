"""Run inside ``odoo-bin shell`` (stdin): prints one JSON line describing what a
database of the add-on holds, so that bin/upgrade-check can compare the data of
the previous release with the same database after the update.

With FM_UPGRADE_FILL=1 it first lets the previous release work on its demo data
(the dispatch runs, on a Monday morning too; Odoo's queue records one follow-up
e-mail sent and one refused; a consent decision is recorded, an answer of the Italian
register is imported, a user rewrites the subject of the mail templates of the
repository's add-ons), as a real database would have, and commits.

Besides the add-on's tables, it records which modules are installed, the state and
version of each of the repository's add-ons (FM_ADDONS, comma-separated: those of the
previous release and of the current code), whether the register was used, and their
XML ids with their records: an update keeps them, and the one from 18.0.1.x hands the
core's records over to companion add-ons, which must keep their database ids.
"""

# ruff: noqa: F821 - env is given by odoo-bin shell
import hashlib
import json
import os
from datetime import timedelta

from odoo import fields

# What a user adds to the subject of the add-ons' mail templates before the update.
EDITED = " (edited before the update)"
addons = [name for name in os.environ.get("FM_ADDONS", "followup_manager").split(",") if name]

if os.environ.get("FM_UPGRADE_FILL") == "1":
    env["followup.enrollment"].search([("state", "=", "active")]).write(
        {"next_date": "2000-01-01 00:00:00"}
    )
    env["followup.dispatcher"]._dispatch_due()
    # Two people followed up by e-mail (a service sequence of the release's own
    # template), so that Odoo's queue has follow-up e-mails to learn about.
    template = env.ref("followup_manager.mail_template_followup_partner_help")
    env["followup.sequence"].create(
        {
            "name": "Upgrade check: e-mails",
            "trigger": "manual",
            "purpose": "service",
            "step_ids": [
                (0, 0, {"name": "Hello", "action": "email", "mail_template_id": template.id})
            ],
        }
    ).enroll(
        env["res.partner"]
        .create(
            [{"name": f"Upgrade Check {n}", "email": f"upgrade{n}@example.com"} for n in (1, 2)]
        )
        .ids
    )
    # On a night or a weekend every e-mail waits: a Monday morning (UTC) as well.
    monday = fields.Datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    monday += timedelta(days=7 - monday.weekday())
    env["followup.enrollment"].search([("state", "=", "active")]).write({"next_date": monday})
    env["followup.dispatcher"]._dispatch_due(now=monday)
    # What Odoo's queue learns of follow-up e-mails, as its own _send records it: one
    # sent, one refused for good by the mail server.
    queued = env["followup.dispatch"].search([("mail_id.state", "=", "outgoing")], order="id")
    for dispatch, refused in zip(queued[:2], (False, True), strict=False):
        mail = dispatch.mail_id
        if refused:
            reason = "550 5.1.1 <%s>: Recipient address rejected" % dispatch.partner_id.email
            mail.write({"state": "exception", "failure_reason": reason})
            mail._postprocess_sent_message(
                success_pids=[], failure_reason=reason, failure_type="mail_email_invalid"
            )
        else:
            mail.write({"state": "sent", "failure_reason": False})
            mail._postprocess_sent_message(success_pids=mail.recipient_ids)
    partner = env["res.partner"].search([("email", "!=", False)], limit=1)
    partner.followup_set_consent("sms", "withdrawn", "manual", proof="Asked by phone")
    if "followup.rpo.entry" in env:
        from odoo.addons.followup_manager.policy.register_file import AnswerRow

        today = fields.Date.today()
        answer_file = env["followup.rpo.import"].create(
            {"name": "upgrade-check.csv", "date": today}
        )
        env["followup.rpo.entry"]._followup_record(
            [AnswerRow(1, "phone", "+393331234567", "registered")], today, answer_file
        )
    templates = env["ir.model.data"].search(
        [("module", "in", addons), ("model", "=", "mail.template")]
    )
    for template in env["mail.template"].browse(templates.mapped("res_id")):
        template.subject = (template.subject or "") + EDITED
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
# What became of each decision's message, as the code of each release reads it.
Dispatch = env["followup.dispatch"]
deliveries = [
    [dispatch.id, dispatch.delivery_state or "", dispatch.delivery_reason or ""]
    for dispatch in (Dispatch.search([], order="id") if "delivery_state" in Dispatch else [])
]
cr.execute(
    "SELECT id, partner_id, sequence_id, state, next_step_id FROM followup_enrollment ORDER BY id"
)
enrollments = hashlib.sha256(repr(cr.fetchall()).encode()).hexdigest()
# The database's own constraints on the add-on's tables and columns: a module that
# gives one up must not drop it while another still declares it.
cr.execute(
    "SELECT t.relname || '.' || c.conname"
    " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
    " WHERE t.relname LIKE 'followup\\_%%' OR c.conname LIKE '%%followup%%' ORDER BY 1"
)
constraints = [row[0] for row in cr.fetchall()]
module = env["ir.module.module"].search([("name", "=", "followup_manager")])
cr.execute("SELECT name, state, latest_version FROM ir_module_module")
rows = cr.fetchall()
states = {name: state for name, state, _version in rows}
versions = {name: version for name, _state, version in rows}
# The Italian register was used, or a company is in Italy (as pre-migrate.py reads it).
register_used = any(counts.get(t) for t in counts if t.startswith("followup_rpo_")) or bool(
    env["res.company"].search_count([("country_id.code", "=", "IT")])
)
# Every XML id of the repository's add-ons: its record, and whether that still exists.
cr.execute(
    "SELECT module, name, model, res_id FROM ir_model_data"
    " WHERE module IN %s AND res_id IS NOT NULL ORDER BY module, name",
    [tuple(addons)],
)
xml_ids = cr.fetchall()
existing = set()
for model in {row[2] for row in xml_ids}:
    if model in env:
        ids = [row[3] for row in xml_ids if row[2] == model]
        existing |= {(model, res_id) for res_id in env[model].browse(ids).exists().ids}
xml_ids = [[*row, (row[2], row[3]) in existing] for row in xml_ids]
template_ids = [row[3] for row in xml_ids if row[2] == "mail.template" and row[4]]
subjects = {
    str(template.id): template.subject or ""
    for template in env["mail.template"].with_context(lang="en_US").browse(template_ids)
}
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
            "deliveries": deliveries,
            "modules": {name: states.get(name) for name in addons},
            "versions": {name: versions.get(name) for name in addons},
            "installed": sorted(name for name, state in states.items() if state == "installed"),
            "register_used": register_used,
            "xml_ids": xml_ids,
            "subjects": subjects,
            "constraints": constraints,
            "edited": EDITED,
        },
        sort_keys=True,
    )
)
