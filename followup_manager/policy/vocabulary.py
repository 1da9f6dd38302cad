"""The add-on's words, written once: channels, purposes, consent and its sources, reasons,
dispatch states, stop reasons.

Each word is a code (stored in the database, part of the public contract, see the
repository's contract) and, where people read it, an English label. The ORM builds its
selections from these pairs (``selection(...)``), and a test asserts that every selection
field equals these lists, so a code added here reaches the policy, the log and the
screens together.

Labels stay translatable: Odoo does not translate a selection from its Python source but
from its ``ir.model.fields.selection`` rows, made from whatever list the field was given
when the module loads; ``i18n/*.po`` carry their translations under
``model:ir.model.fields.selection,name:...``. So a label changed here is a new term to
translate (``bin/i18n``), exactly as if it were written in the field.

Pure Python: nothing here imports odoo.
"""

from __future__ import annotations

__all__ = [
    "ACTIVE",
    "AWAY",
    "BLACKLISTED",
    "CAP",
    "CHANNELS",
    "CHANNEL_LABELS",
    "CHANNEL_REFUSED",
    "CONDITION",
    "CONSENT_SOURCES",
    "CONSENT_STATES",
    "CONSENT_STATE_LABELS",
    "DEFERRED",
    "DISPATCH_STATES",
    "DISPATCH_STATE_LABELS",
    "DONE",
    "ENROLLMENT_STATES",
    "ENROLLMENT_STATE_LABELS",
    "ERROR",
    "FAILED",
    "HOLIDAY",
    "INTERNAL",
    "INTERNAL_LABEL",
    "INVALID_ADDRESS",
    "LEGAL_BASES",
    "LEGAL_BASIS_LABELS",
    "MANUAL_CONSENT_SOURCES",
    "NO_CONSENT",
    "ONLINE_CONSENT_SOURCES",
    "PAUSED",
    "PHONE_CHANNELS",
    "PREFERRED_HOURS",
    "PURPOSES",
    "PURPOSE_LABELS",
    "QUIET_HOURS",
    "REASONS",
    "REASON_LABELS",
    "REGISTER",
    "REGISTER_STATES",
    "REGISTER_STATE_LABELS",
    "RUNNING_STATES",
    "SOFT_BOUNCE",
    "STEP_CHANNELS",
    "STEP_CHANNEL_LABELS",
    "STOPPED",
    "STOP_REASONS",
    "STOP_REASON_LABELS",
    "SUPPRESSED",
    "SYSTEM_CONSENT_SOURCES",
    "USER_LIMIT",
    "WEEKEND",
    "WITHDRAWN",
    "codes",
    "labelled",
    "selection",
]


def codes(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The codes of ``(code, label)`` pairs, in their order."""
    return tuple(code for code, _label in pairs)


def labelled(**labels: str) -> tuple[tuple[str, str], ...]:
    """``(code, label)`` pairs written as ``code="Label"``, in their order."""
    return tuple(labels.items())


def selection(*groups: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """A new list of ``(code, label)`` pairs for ``fields.Selection``.

    Odoo wants a list (a tuple would be taken for a method name); a new one each time, so
    that no model can change another's selection by ``selection_add``.
    """
    return [pair for group in groups for pair in group]


# --- channels: how a person is reached -------------------------------------------------
#: The channels on which a person can be contacted, and consents, refusals and the cap
#: apply (the contract's ``followup.consent.channel``).
CHANNEL_LABELS = labelled(
    email="E-mail", sms="SMS", phone="Phone", whatsapp="WhatsApp", post="Post"
)
CHANNELS = codes(CHANNEL_LABELS)
#: The channel of an internal task (an activity for a salesperson): nobody is contacted.
INTERNAL = "none"
INTERNAL_LABEL = "None (internal task)"
#: A step's channel and the dispatch log's: a contact channel or an internal task.
STEP_CHANNEL_LABELS = (*CHANNEL_LABELS, (INTERNAL, INTERNAL_LABEL))
STEP_CHANNELS = codes(STEP_CHANNEL_LABELS)
#: Channels that reach a phone number, hence Odoo's phone blacklist.
PHONE_CHANNELS = ("sms", "phone", "whatsapp")

# --- purposes: why the company writes ---------------------------------------------------
PURPOSE_LABELS = labelled(marketing="Marketing", service="Service")
PURPOSES = codes(PURPOSE_LABELS)

# --- consent --------------------------------------------------------------------------
CONSENT_STATE_LABELS = labelled(pending="Pending", granted="Granted", withdrawn="Withdrawn")
CONSENT_STATES = codes(CONSENT_STATE_LABELS)
LEGAL_BASIS_LABELS = labelled(
    consent="Consent",
    soft_opt_in="Soft Opt-in",
    contract="Contract",
    legitimate_interest="Legitimate Interest",
)
LEGAL_BASES = codes(LEGAL_BASIS_LABELS)
#: Sources that say the person acted themselves, online, with their own signed link:
#: only the public pages (controllers/) record them, with the person's IP address and
#: browser. Any other caller records their own act under a source of their own.
ONLINE_CONSENT_SOURCES = ("preference_page", "one_click_unsubscribe", "double_opt_in")
#: Sources the add-on records itself when something happens (an order confirmed, a
#: request mailed, a merge, a blacklist entry, an unsubscribe e-mail with its signed
#: subject received by the gateway): never a caller's claim either.
SYSTEM_CONSENT_SOURCES = (
    "sale_order",
    "double_opt_in_request",
    "partner_merge",
    "mail_blacklist",
    "phone_blacklist",
    "mailto",
)
#: A consent recorded by hand by a user (the "Record a consent" wizard): how the
#: person answered.
MANUAL_CONSENT_SOURCES = ("manual_phone", "manual_meeting", "manual_writing", "manual_email")
#: The sources the add-on names (any other source, an import's or an RPC client's own
#: key, is stored and shown as written).
CONSENT_SOURCES = ONLINE_CONSENT_SOURCES + SYSTEM_CONSENT_SOURCES + MANUAL_CONSENT_SOURCES

# --- reasons: why a step was not done now (the policy's and the dispatch log's) --------
CAP = "cap"
QUIET_HOURS = "quiet_hours"
WEEKEND = "weekend"
PREFERRED_HOURS = "preferred_hours"
NO_CONSENT = "no_consent"
WITHDRAWN = "withdrawn"
CHANNEL_REFUSED = "channel_refused"
BLACKLISTED = "blacklisted"
INVALID_ADDRESS = "invalid_address"
#: The Italian opt-out register (policy/register.py): registered, or a check is needed.
REGISTER = "register"
#: An automatic reply said the person is away (deferred until they are back).
AWAY = "away"
#: The last e-mail bounced with a transient failure (4.x.x): e-mail waits, then tries again.
#: A hard bounce is INVALID_ADDRESS, with details saying it bounced.
SOFT_BOUNCE = "soft_bounce"
STOPPED = "stopped"
#: The step's condition on the followed-up document is false: the step is skipped.
CONDITION = "condition"
#: The salesperson's (or the sender's) daily limit is reached: the rest waits a day.
USER_LIMIT = "user_limit"
#: A public holiday of the company's working calendar.
HOLIDAY = "holiday"
#: Not produced by the rules; for callers (missing facts in a plan, a failed send).
ERROR = "error"
REASON_LABELS = (
    (CAP, "Frequency cap reached"),
    (QUIET_HOURS, "Outside the send window"),
    (WEEKEND, "Weekend"),
    (PREFERRED_HOURS, "Outside the person's preferred hours"),
    (NO_CONSENT, "No consent"),
    (WITHDRAWN, "Consent withdrawn"),
    (CHANNEL_REFUSED, "Channel refused by the person"),
    (BLACKLISTED, "Blacklisted"),
    (INVALID_ADDRESS, "Invalid address"),
    (REGISTER, "Opt-out register (Italy)"),
    (AWAY, "Away (automatic reply)"),
    (SOFT_BOUNCE, "E-mail bounced temporarily"),
    (STOPPED, "Follow-up stopped"),
    (CONDITION, "Step condition not met"),
    (USER_LIMIT, "Daily limit of the salesperson reached"),
    (HOLIDAY, "Public holiday"),
    (ERROR, "Error"),
)
REASONS = codes(REASON_LABELS)

# --- the Italian opt-out register: a partner's numbers and address, checked or not ----
REGISTER_STATE_LABELS = labelled(
    unknown="Not checked", clear="Not registered", registered="Registered"
)
REGISTER_STATES = codes(REGISTER_STATE_LABELS)

# --- dispatch states: what became of a due step ---------------------------------------
DISPATCH_STATE_LABELS = labelled(
    done="Done", deferred="Deferred", suppressed="Suppressed", failed="Failed"
)
DISPATCH_STATES = codes(DISPATCH_STATE_LABELS)
DONE, DEFERRED, SUPPRESSED, FAILED = DISPATCH_STATES

# --- enrollment states: where a person stands in a sequence ----------------------------
#: ``PAUSED``: kept in place by a user (or by its sequence), not dispatched until resumed.
ACTIVE, PAUSED = "active", "paused"
ENROLLMENT_STATE_LABELS = (
    (ACTIVE, "Active"),
    (PAUSED, "Paused"),
    (DONE, "Done"),
    (STOPPED, "Stopped"),
)
ENROLLMENT_STATES = codes(ENROLLMENT_STATE_LABELS)
#: States of an enrollment that still has steps ahead (stops and duplicates apply).
RUNNING_STATES = (ACTIVE, PAUSED)

# --- stop reasons: why an enrollment stopped before its last step ----------------------
STOP_REASON_LABELS = labelled(
    replied="The partner replied",
    new_order="New confirmed order",
    consent_withdrawn="Consent withdrawn",
    partner_archived="Partner archived",
    partner_merged="Partner merged",
    origin_cancelled="Document cancelled or lost",
    origin_reopened="Opportunity reopened or won",
    sequence_archived="Sequence archived",
    manual="Stopped by a user",
    quotation_confirmed="Quotation confirmed",
    quotation_cancelled="Quotation cancelled",
    quotation_expired="Quotation expired",
    employee_replied="An employee replied",
    activity_cancelled="Awaited activity cancelled",
    bounced="E-mail address bounced",
)
STOP_REASONS = codes(STOP_REASON_LABELS)
