"""Shared builders for the policy tests: a partner everybody may contact, and a clock."""

from datetime import datetime

from followup_manager_policy import CHANNELS, ConsentFacts, PartnerFacts, Settings, to_utc

#: Wednesday 15 January 2025, 10:00 in Rome (UTC+1): inside every default rule.
NOW = datetime(2025, 1, 15, 9, 0)
ROME = "Europe/Rome"
DEFAULTS = Settings()


def rome(hour, minute=0, day=datetime(2025, 1, 15)):
    """UTC of ``hour:minute`` in Rome on ``day`` (by default Wednesday 15 January 2025)."""
    return to_utc(day.replace(hour=hour, minute=minute), ROME)


def verdict(decision):
    """A decision as ``(verdict, reason)``, e.g. ``("defer", "cap")``."""
    return decision.verdict, decision.reason


def reachable(partner_id=1, **changes):
    """A partner in Rome with valid addresses and a granted consent on every channel."""
    values = {
        "partner_id": partner_id,
        "tz": ROME,
        "country_code": "IT",
        "email_valid": True,
        "phone_valid": True,
        "sms_valid": True,
        "consents": {channel: ConsentFacts("granted", "consent") for channel in CHANNELS},
    }
    values.update(changes)
    return PartnerFacts(**values)
