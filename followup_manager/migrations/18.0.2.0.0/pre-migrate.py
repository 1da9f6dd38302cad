"""18.0.2.0.0: the add-on splits into a core and companion add-ons.

Up to 18.0.1.x one add-on held everything and depended on CRM, Sales, SMS and
Calendar. The core now depends on ``mail`` and ``phone_validation`` only; what an
application adds lives in a companion add-on of this repository, which installs
itself (``auto_install``) beside a new core. An update does not auto-install, so this
script, run before the core loads, does it for the companions (COMPANIONS):

1. It marks ``to install`` every companion whose dependencies are installed (the
   module list is refreshed before any module loads; a companion missing from the
   addons path stops the update, which would otherwise delete what it now holds). On
   a database of the previous release, CRM, Sales, SMS and Calendar always are.
   Odoo's loader installs the modules marked so in the same run, once the installed
   ones are loaded (``odoo/modules/loading.py``, ``load_marked_modules(['to
   install'])``). The Italian register's companion (REGISTER) only where the register
   was used or a company is in Italy. Their demo data is not loaded: where the
   previous release had demo data, it already holds their demo records (handed over
   in 2.), and an installation would run their ``<function>`` calls a second time on
   records that went through them (a quotation confirmed twice fails the update).
2. It gives the companions being installed the XML ids they take over: every id a
   companion's data or demo files declare (``id`` of record, template, menuitem,
   asset; the ``id`` column of a CSV file) that exists as ``followup_manager.<id>``
   moves to ``<companion>.<id>``. The companion then updates those records in place
   (mail templates, groups, activity types, crons, parameters keep their database
   ids and what users changed in them) instead of the core's cleanup deleting them
   and the companion creating new ones. Models, fields and selection values need
   nothing: the companion gives them XML ids of its own, and the cleanup at the end
   of the update only drops an old XML id when its record has another
   (``ir.model.data._process_end``).
3. A companion is installed, not updated, and an installation writes the records of
   its files even where the XML id is ``noupdate`` (``odoo/tools/convert.py`` skips
   them in update mode only; ``BaseModel._load_records`` with ``update=False``): the
   subject of a mail template a user rewrote would come back as shipped. So the rows
   of the ``noupdate`` records taken over (and their ``_inherits`` parents) are kept
   here, as they are, in KEPT_ROWS, and ``end-migrate.py`` writes them back once every
   module is loaded: what an update leaves alone stays as it was.
4. The extension views of the core (and those the companions take over) are emptied
   (``<data/>``) until their files write them again in this update. While a module
   loads, Odoo combines its views as they are in the database, the ones not reloaded
   yet included (``ir.ui.view._filter_loaded_views`` counts the module being loaded as
   loaded): the previous release's would name fields that moved to a companion, not
   loaded yet, and the update would stop on the first view of the core it checks.
   An extension view the add-ons no longer declare is deleted at the end of the
   update, as always; noupdate views are left as they are.
"""

import csv
import logging
import os

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.module import get_manifest, get_module_path
from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

CORE = "followup_manager"
# The companion add-ons of this repository that take over parts of the previous release.
COMPANIONS = (
    "followup_manager_calendar",
    "followup_manager_crm",
    "followup_manager_resource",
    "followup_manager_sale",
    "followup_manager_sms",
    "l10n_it_followup_manager",
)
# Law for Italian companies only: installed where it was used or may be needed.
REGISTER = "l10n_it_followup_manager"
# Where the rows of the noupdate records taken over wait for end-migrate.py.
KEPT_ROWS = "followup_manager_split_kept_rows"
# The elements of a data file whose ``id`` attribute is an XML id.
XML_ID_TAGS = {"record", "template", "menuitem", "asset"}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    companions = _mark_companions(env)
    cr.execute(
        SQL(
            "CREATE TABLE IF NOT EXISTS %s (tbl varchar, res_id int4, row jsonb)",
            SQL.identifier(KEPT_ROWS),
        )
    )
    for module in companions:
        for model, res_id in _take_over_xml_ids(cr, module.name):
            _keep_row(cr, model, res_id)
    _empty_extension_views(cr, [CORE, *companions.mapped("name")])


def _mark_companions(env):
    """Marks to install the companions whose dependencies are installed; returns them.

    Stops the update when a companion is not on the addons path: the core would go on
    without it, and the end of the update would delete the fields, models and data it
    now holds (the columns of sale orders' follow-up fields, the register's answers)."""
    known = env["ir.module.module"].search([("name", "in", COMPANIONS)])
    missing = sorted(set(COMPANIONS) - set(known.mapped("name")))
    if missing:
        raise UserError(
            env._(
                "Follow-up Manager 18.0.2.0.0 moves what depends on an application into "
                "companion add-ons shipped beside it, and these are not on the addons "
                "path: %(missing)s. Updating without them would delete what they hold "
                "now. Put every add-on of the Follow-up Manager repository on the addons "
                "path, then update again.",
                missing=", ".join(missing),
            )
        )
    installed = {"installed", "to upgrade"}
    candidates = env["ir.module.module"].search(
        [("name", "in", COMPANIONS), ("state", "=", "uninstalled")]
    )
    marked = candidates.filtered(
        lambda module: (
            module.dependencies_id
            and all(dep.state in installed for dep in module.dependencies_id)
            and (module.name != REGISTER or _register_used(env.cr))
        )
    )
    if marked:
        marked.button_install()
    # Those marked here, and any marked before (an auto-install that found them listed).
    companions = known.filtered(lambda module: module.state == "to install")
    if companions:
        _logger.info("Installing the companion add-ons %s", ", ".join(companions.mapped("name")))
        # See 1. in the docstring: the demo records are there already, if any.
        env.cr.execute(
            "UPDATE ir_module_module SET demo = false WHERE id IN %s", [tuple(companions.ids)]
        )
        companions.invalidate_recordset(["demo"])
    return companions


def _register_used(cr):
    """Whether the Italian register was used (a row in its tables, a company that
    turned it on) or may be needed (a company in Italy)."""
    cr.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        " AND table_name LIKE 'followup\\_rpo\\_%%'"
    )
    for (table,) in cr.fetchall():
        cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", SQL.identifier(table)))
        if cr.rowcount:
            return True
    if sql.column_exists(cr, "res_company", "followup_rpo_enabled"):
        cr.execute("SELECT 1 FROM res_company WHERE followup_rpo_enabled LIMIT 1")
        if cr.rowcount:
            return True
    cr.execute(
        "SELECT 1 FROM res_company c JOIN res_country k ON k.id = c.country_id"
        " WHERE k.code = 'IT' LIMIT 1"
    )
    return bool(cr.rowcount)


def _take_over_xml_ids(cr, companion):
    """Moves ``followup_manager.<id>`` to ``<companion>.<id>`` for every id the
    companion's data and demo files declare (unless the companion has it already);
    returns the (model, id) of the noupdate records among them."""
    names = _declared_xml_ids(companion)
    if not names:
        return []
    cr.execute(
        """
        UPDATE ir_model_data d
           SET module = %(companion)s
         WHERE d.module = %(core)s AND d.name IN %(names)s
           AND NOT EXISTS (SELECT 1 FROM ir_model_data o
                            WHERE o.module = %(companion)s AND o.name = d.name)
     RETURNING d.model, d.res_id, d.noupdate
        """,
        {"companion": companion, "core": CORE, "names": tuple(names)},
    )
    rows = cr.fetchall()
    _logger.info("%s takes over %d XML ids of %s", companion, len(rows), CORE)
    return [(model, res_id) for model, res_id, noupdate in rows if noupdate and res_id]


def _keep_row(cr, model, res_id):
    """Copies the record's row, and those of its ``_inherits`` parents (a cron's
    server action), into KEPT_ROWS. Plain SQL: the model's add-on may not be loaded
    yet (the core no longer depends on SMS, for instance)."""
    table = model.replace(".", "_")
    if not sql.table_exists(cr, table):
        return
    cr.execute(
        SQL(
            "INSERT INTO %s (tbl, res_id, row) SELECT %s, id, to_jsonb(t) FROM %s t WHERE id = %s",
            SQL.identifier(KEPT_ROWS),
            table,
            SQL.identifier(table),
            res_id,
        )
    )
    cr.execute(
        """
        SELECT parent.model, field.name
          FROM ir_model_inherit i
          JOIN ir_model child ON child.id = i.model_id
          JOIN ir_model parent ON parent.id = i.parent_id
          JOIN ir_model_fields field ON field.id = i.parent_field_id
         WHERE child.model = %s
        """,
        [model],
    )
    for parent, field in cr.fetchall():
        cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE id = %s",
                SQL.identifier(field),
                SQL.identifier(table),
                res_id,
            )
        )
        parent_id = (cr.fetchone() or [None])[0]
        if parent_id:
            _keep_row(cr, parent, parent_id)


def _empty_extension_views(cr, modules):
    """Empties the extension views of ``modules`` until their files load them again."""
    cr.execute(
        """
        UPDATE ir_ui_view v
           SET arch_db = jsonb_build_object('en_US', '<data/>')
          FROM ir_model_data d
         WHERE d.model = 'ir.ui.view' AND d.res_id = v.id AND d.module IN %s
           AND NOT COALESCE(d.noupdate, false)
           AND v.inherit_id IS NOT NULL AND v.mode = 'extension'
        """,
        [tuple(modules)],
    )
    _logger.info("%d extension views emptied until they load again", cr.rowcount)


def _declared_xml_ids(companion):
    """The unqualified XML ids (or those qualified with the companion's own name)
    declared by the companion's data and demo files."""
    path = get_module_path(companion, display_warning=False)
    manifest = get_manifest(companion)
    names = set()
    for file in manifest.get("data", []) + manifest.get("demo", []):
        full_path = os.path.join(path, file)
        if file.endswith(".xml"):
            ids = _xml_ids(etree.parse(full_path).getroot())
        elif file.endswith(".csv"):
            with open(full_path, encoding="utf-8") as rows:
                ids = [row.get("id") or "" for row in csv.DictReader(rows)]
        else:
            continue
        for xml_id in ids:
            module, _dot, name = xml_id.rpartition(".")
            if name and module in ("", companion):
                names.add(name)
    return names


def _xml_ids(node):
    """The ids of the records, templates, menus (nested ones too) and assets of an
    <odoo>/<data> tree; what is inside a record or template (its fields, the HTML of
    a template) is not a declaration."""
    for child in node:
        if child.tag in XML_ID_TAGS and child.get("id"):
            yield child.get("id")
        if child.tag in ("odoo", "openerp", "data", "menuitem"):
            yield from _xml_ids(child)
