"""18.0.1.1.0: a consent event keeps its origin as model + id (+ the name at the
time) instead of a stored reference, which Odoo's partner merge would rewrite.

Runs before the models load, under the previous version's append-only trigger,
which guards the old columns only: filling the new columns leaves every guarded
column as it was, so the trigger lets it through. The old ``origin`` column is kept
untouched (Odoo does not drop columns); the new trigger installed by the module's
``init()`` guards the new columns from then on. ``origin_label`` of older events
stays empty: their origin reads as the document's current name while it exists."""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """
            ALTER TABLE followup_consent_event
                ADD COLUMN IF NOT EXISTS origin_model varchar,
                ADD COLUMN IF NOT EXISTS origin_id int4,
                ADD COLUMN IF NOT EXISTS origin_label varchar;
            UPDATE followup_consent_event
               SET origin_model = split_part(origin, ',', 1),
                   origin_id = split_part(origin, ',', 2)::int4
             WHERE origin ~ '^[A-Za-z0-9_.]+,[0-9]{1,9}$'
               AND origin_model IS NULL;
            """
        )
    )
