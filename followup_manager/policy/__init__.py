"""followup_manager's pure decision code: who may be contacted, on which channel, when.

No ORM here, and no ``import odoo``: only the standard library, pytz, babel and
phonenumbers. The Odoo models read records into the plain facts below, call these
functions, and write the outcome (dispatch rows, sentences, next dates). That keeps the
rules testable in milliseconds (see the repository's top-level ``tests/``) and usable for
forecasts that must not touch the database.

Only relative imports inside this package: the fast tests load it without importing
``followup_manager/__init__.py`` (which imports odoo).
"""

from . import bounce, choice, register, register_file, replies, text, vocabulary
from .calendar import (
    DELAY_UNITS,
    WORLD,
    add_delay,
    format_hours,
    hours_to_intervals,
    is_allowed_time,
    next_allowed_time,
    resolve_tz,
    time_block_reason,
    to_local,
    to_utc,
    weekend_days,
)
from .choice import Choice, choose
from .contact import (
    EmailInfo,
    PhoneInfo,
    email_key,
    email_variants,
    normalize_email,
    normalize_phone,
)
from .decision import (
    ALLOW,
    DEFER,
    SUPPRESS,
    VERDICTS,
    Decision,
    Request,
    check,
    decide,
    whole_second,
)
from .facts import ConsentFacts, PartnerFacts, Settings
from .planner import plan, priority, record_contacts

# The words (reasons, channels, states...) are the package's own names too.
from .vocabulary import *  # noqa: F403

__all__ = [
    "ALLOW",
    "DEFER",
    "DELAY_UNITS",
    "SUPPRESS",
    "VERDICTS",
    "WORLD",
    "Choice",
    "ConsentFacts",
    "Decision",
    "EmailInfo",
    "PartnerFacts",
    "PhoneInfo",
    "Request",
    "Settings",
    "add_delay",
    "bounce",
    "check",
    "choice",
    "choose",
    "decide",
    "email_key",
    "email_variants",
    "format_hours",
    "hours_to_intervals",
    "is_allowed_time",
    "next_allowed_time",
    "normalize_email",
    "normalize_phone",
    "plan",
    "priority",
    "record_contacts",
    "register",
    "register_file",
    "replies",
    "resolve_tz",
    "text",
    "time_block_reason",
    "to_local",
    "to_utc",
    "vocabulary",
    "weekend_days",
    "whole_second",
]
# The words, as vocabulary names them.
__all__ += vocabulary.__all__
