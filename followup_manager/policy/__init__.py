"""followup_manager's pure decision code: who may be contacted, on which channel, when.

No ORM here, and no ``import odoo``: only the standard library, pytz, babel and
phonenumbers. The Odoo models read records into the plain facts below, call these
functions, and write the outcome (dispatch rows, sentences, next dates). That keeps the
rules testable in milliseconds (see the repository's top-level ``tests/``) and usable for
forecasts that must not touch the database.

Only relative imports inside this package: the fast tests load it without importing
``followup_manager/__init__.py`` (which imports odoo).
"""

from . import register, register_file, vocabulary
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
from .contact import EmailInfo, PhoneInfo, normalize_email, normalize_phone
from .decision import (
    ALLOW,
    BLACKLISTED,
    CAP,
    CHANNEL_REFUSED,
    CHANNELS,
    CONSENT_STATES,
    DEFER,
    ERROR,
    INTERNAL,
    INVALID_ADDRESS,
    LEGAL_BASES,
    NO_CONSENT,
    PREFERRED_HOURS,
    PURPOSES,
    QUIET_HOURS,
    REASONS,
    REGISTER,
    STOPPED,
    SUPPRESS,
    VERDICTS,
    WEEKEND,
    WITHDRAWN,
    ConsentFacts,
    Decision,
    PartnerFacts,
    Request,
    Settings,
    check,
    decide,
    whole_second,
)
from .planner import plan, priority, record_contacts
from .vocabulary import PHONE_CHANNELS, STEP_CHANNELS

__all__ = [
    "ALLOW",
    "BLACKLISTED",
    "CAP",
    "CHANNELS",
    "CHANNEL_REFUSED",
    "CONSENT_STATES",
    "DEFER",
    "DELAY_UNITS",
    "ERROR",
    "INTERNAL",
    "INVALID_ADDRESS",
    "LEGAL_BASES",
    "NO_CONSENT",
    "PHONE_CHANNELS",
    "PREFERRED_HOURS",
    "PURPOSES",
    "QUIET_HOURS",
    "REASONS",
    "REGISTER",
    "STEP_CHANNELS",
    "STOPPED",
    "SUPPRESS",
    "VERDICTS",
    "WEEKEND",
    "WITHDRAWN",
    "WORLD",
    "ConsentFacts",
    "Decision",
    "EmailInfo",
    "PartnerFacts",
    "PhoneInfo",
    "Request",
    "Settings",
    "add_delay",
    "check",
    "decide",
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
    "resolve_tz",
    "time_block_reason",
    "to_local",
    "to_utc",
    "vocabulary",
    "weekend_days",
    "whole_second",
]
