"""Small helpers shared by the add-on's models (no model of their own)."""

from collections import defaultdict
from datetime import datetime

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tools import safe_eval

from ..policy import calendar

# Who reads the follow-up fields of a contact: follow-up users, and consent
# auditors, who stand alone (they are not follow-up users and change nothing).
FOLLOWUP_READERS = (
    "followup_manager.followup_manager_group_user,followup_manager.followup_manager_group_auditor"
)


def int_param(env, key, default, minimum=0):
    """An integer system parameter of the add-on, at least ``minimum``; a missing
    or malformed value (set by hand in Settings > Technical) reads as ``default``."""
    # sudo: system parameters are readable by administrators only; these are the
    # add-on's own tuning values, not secrets, and only their number is returned.
    value = env["ir.config_parameter"].sudo().get_param(key, str(default))
    try:
        return max(minimum, int(value))
    except (TypeError, ValueError):
        return default


# PostgreSQL's integer column (Odoo's fields.Integer).
INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1


def check_integer_vals(model, vals_list, fnames):
    """Refuse, before the database does, integer values a column cannot hold: a
    ValidationError naming the field instead of a database error."""
    for vals in vals_list:
        for fname in fnames:
            value = vals.get(fname)
            if isinstance(value, int) and not INT4_MIN <= value <= INT4_MAX:
                raise ValidationError(
                    model.env._(
                        "%(field)s: %(value)s is out of range.",
                        field=model._fields[fname]._description_string(model.env),
                        value=value,
                    )
                )


def note_lang(env, users=(), company=None):
    """The language of a note the add-on writes for people to read later (chatter,
    stop reasons).

    Someone acting has a language in the context: theirs. A scheduled job (or the mail
    gateway) has none, and its notes are read by the sales team: they are written in the
    language of the first of ``users`` who has one (the responsible salesperson), else
    in the language of ``company``'s partner (default: the current company's).
    """
    if env.context.get("lang"):
        return env.lang
    for user in users:
        if user and user.lang:
            return user.lang
    company = company or env.company
    return company.partner_id.lang or "en_US"


def by_note_lang(records, lang_of):
    """{language: records in that language's context}: ``records`` grouped by
    ``lang_of(record)``, so that each group's notes are written in one batch."""
    ids_by_lang = defaultdict(list)
    for record in records:
        ids_by_lang[lang_of(record)].append(record.id)
    return {lang: records.browse(ids).with_context(lang=lang) for lang, ids in ids_by_lang.items()}


def active_ids(env, model=None):
    """The ids of the records a wizard was opened on (the context's ``active_ids``,
    else its ``active_id``); none when it was opened on another model than ``model``."""
    context = env.context
    if model and context.get("active_model") != model:
        return []
    return list(context.get("active_ids") or filter(None, [context.get("active_id")]))


def eval_domain(record, text, **names):
    """A domain a user wrote as text (a sequence's filter, a step's condition) as a
    list, evaluated with the names Odoo's own filters offer (``datetime``,
    ``relativedelta``, ``context_today()``...) and ``names``; TypeError when it is not a
    list of conditions."""
    eval_context = {
        "datetime": safe_eval.datetime,
        "dateutil": safe_eval.dateutil,
        "time": safe_eval.time,
        "relativedelta": safe_eval.dateutil.relativedelta.relativedelta,
        "context_today": lambda: fields.Date.context_today(record),
        **names,
    }
    domain = safe_eval.safe_eval(text or "[]", eval_context)
    if not isinstance(domain, list | tuple):
        raise TypeError(record.env._("a filter must be a list of conditions"))
    return list(domain)


def readable_query(env, model, domain):
    """The rows of ``model`` matching ``domain`` that the current user may read, as a
    query to embed in SQL (``_search``: access rights, record rules and companies
    apply); no row for a user without read access to ``model``."""
    records = env[model]
    if not records.has_access("read"):
        return records.browse()._as_query()
    return records._search(domain)


def activity_vals(record, user, activity_type, summary, note=False, *, due=None, automated=False):
    """The values of one ``mail.activity`` on ``record`` for ``user``: the one builder of
    every to-do the add-on creates (in batch, ``mail.activity.create``).

    :param activity_type: a ``mail.activity.type`` record (or an empty one)
    :param due: a naive UTC datetime: due that day in the assignee's time zone; or a
        date; None leaves mail.activity's own default
    :param bool automated: created by the system (Odoo's "automated" activities)
    """
    vals = {
        "res_model_id": record.env["ir.model"]._get_id(record._name),
        "res_id": record.id,
        "activity_type_id": activity_type.id if activity_type else False,
        "user_id": user.id,
        "summary": summary,
        "note": note,
        "automated": automated,
    }
    if isinstance(due, datetime):
        # "Today" for the assignee, wherever they are.
        tz_name, _source = calendar.resolve_tz(user.tz, None, None, record.env.user.tz)
        vals["date_deadline"] = calendar.to_local(due, tz_name).date()
    elif due:
        vals["date_deadline"] = due
    return vals
