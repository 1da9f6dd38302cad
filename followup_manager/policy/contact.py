"""Is an address usable? Pure checks of phone numbers and e-mail addresses.

One reading of phone numbers: the Odoo models hand :func:`normalize_phone` Odoo's own
parser (``phone_validation.phone_parse``, the one behind ``phone_sanitized``), so the E.164
form is Odoo's; this module adds what Odoo does not say (the line type, hence whether a text
message can be delivered, and *why* a number is unusable, as a short code the interface can
translate). Without a parser given, phonenumbers' own parse and validity check stand in, so
the rules can be tested and forecast without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

__all__ = [
    "EMAIL_INVALID",
    "MISSING",
    "PHONE_INVALID",
    "PHONE_NO_REGION",
    "PHONE_UNPARSABLE",
    "EmailInfo",
    "PhoneInfo",
    "email_key",
    "email_variants",
    "normalize_email",
    "normalize_phone",
]

# Error codes (stable strings: stored and translated by the Odoo side).
MISSING = "missing"
PHONE_UNPARSABLE = "unparsable"
PHONE_INVALID = "invalid"
PHONE_NO_REGION = "no_region"
EMAIL_INVALID = "invalid"

_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.VOIP: "voip",
}
# Where a text message can be delivered. FIXED_LINE_OR_MOBILE is the whole North American
# plan (US, CA...), where numbers do not tell; refusing them would exclude every American.
_SMS_KINDS = frozenset({"mobile", "fixed_line_or_mobile"})


@dataclass(frozen=True)
class PhoneInfo:
    """What a phone number is good for.

    ``e164`` is set only for a valid number; ``kind`` is None for an invalid one;
    ``error`` is None when valid, else ``missing``, ``unparsable``, ``invalid`` or
    ``no_region`` (a national number and no country to read it with).
    """

    raw: str
    e164: str | None
    valid: bool
    kind: str | None
    can_sms: bool
    can_call: bool
    error: str | None


def _unusable(raw: str, error: str) -> PhoneInfo:
    return PhoneInfo(raw, None, False, None, False, False, error)


def _parse_valid(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """phonenumbers' reading of a number: the parsed number if valid, else None."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def _refusal(text: str, region: str | None) -> str:
    """Why a parser refused a number: it is not a number at all, or not a valid one."""
    try:
        phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return PHONE_UNPARSABLE
    return PHONE_INVALID


def normalize_phone(
    number: object,
    country_code: str | None = None,
    parse: Callable[[str, str | None], phonenumbers.PhoneNumber | None] | None = None,
) -> PhoneInfo:
    """Parse and classify a phone number; never raises (unless ``parse`` does).

    A number written with a leading ``+`` needs no country; otherwise ``country_code`` (the
    partner's country, ISO 3166 alpha-2) says how to read it. An unknown country code is
    treated as no country.

    ``parse(text, region)`` returns the valid ``phonenumbers.PhoneNumber`` or None when it
    refuses the number (default: phonenumbers' parse and validity check).
    """
    raw = "" if number is None or number is False else str(number)
    text = raw.strip()
    if not text:
        return _unusable(raw, MISSING)
    region = country_code.strip().upper() if isinstance(country_code, str) else None
    if region not in phonenumbers.SUPPORTED_REGIONS:
        region = None
    if region is None and not text.startswith("+"):
        return _unusable(raw, PHONE_NO_REGION)
    parsed = (parse or _parse_valid)(text, region)
    if parsed is None:
        return _unusable(raw, _refusal(text, region))
    # Once parsed, phonenumbers' checks do not raise (the fuzz test holds it to that).
    kind = _KINDS.get(phonenumbers.number_type(parsed), "other")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneInfo(raw, e164, True, kind, kind in _SMS_KINDS, True, None)


@dataclass(frozen=True)
class EmailInfo:
    """An e-mail address checked for syntax: ``normalized`` is lowercase, set when valid."""

    raw: str
    normalized: str | None
    valid: bool
    error: str | None


# "Name <address>", as Odoo stores many addresses.
_NAMED = re.compile(r"^[^<>]*<([^<>]*)>\s*$")
# Letters of any script, digits, hyphen; no label starts or ends with a hyphen.
_DOMAIN_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_LOCAL_FORBIDDEN = re.compile(r"[\s<>()\[\],;:\\\"@]")
# Characters nobody can see or type on purpose in an address: controls, format characters
# (zero-width space U+200B, joiners, bidi controls, soft hyphen, BOM), separators, private
# use, surrogates and unassigned code points. Mail servers refuse them, so an address
# holding one would fail at every send.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"})


def _has_invisible(text: str) -> bool:
    return any(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in text)


def normalize_email(email: object) -> EmailInfo:
    """Check an address's syntax and lowercase it; never raises.

    Deliberately simple (one ``@``, a non-empty local part without spaces or separators,
    a dotted domain of sane labels, no invisible character such as a zero-width space):
    enough to stop typos and lists of addresses, without pretending to validate
    deliverability. Errors: ``missing`` or ``invalid``.
    """
    raw = "" if email is None or email is False else str(email)
    text = raw.strip()
    if not text:
        return EmailInfo(raw, None, False, MISSING)
    named = _NAMED.match(text)
    if named:
        text = named.group(1).strip()
    if text.count("@") != 1:
        return EmailInfo(raw, None, False, EMAIL_INVALID)
    local, domain = text.split("@")
    labels = domain.split(".")
    valid = (
        not _has_invisible(text)
        and 0 < len(local) <= 64
        and not _LOCAL_FORBIDDEN.search(local)
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and len(labels) >= 2
        and len(domain) <= 253
        and all(_DOMAIN_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )
    if not valid:
        return EmailInfo(raw, None, False, EMAIL_INVALID)
    return EmailInfo(raw, f"{local}@{domain}".lower(), True, None)


def _domain_forms(domain: str) -> tuple[str, str] | None:
    """(ASCII form, Unicode form) of a domain under IDNA (``bücher.example`` and
    ``xn--bcher-kva.example``), lowercase; None when it has no IDNA form."""
    try:
        ascii_form = domain.encode("idna").decode("ascii").lower()
        unicode_form = ascii_form.encode("ascii").decode("idna").lower()
    except (UnicodeError, ValueError):
        return None
    return ascii_form, unicode_form


def email_key(email: str) -> str:
    """One form per address, for comparing addresses (the blacklist): lowercase, the
    domain in its ASCII (IDNA, "punycode") form, so that ``idn@bücher.example`` and
    ``idn@xn--bcher-kva.example`` are one address. Anything that is not an address is
    only lowercased. Never raises."""
    text = str(email or "").strip().lower()
    local, at, domain = text.rpartition("@")
    forms = _domain_forms(domain) if at and domain else None
    return f"{local}@{forms[0]}" if forms else text


def email_variants(email: str) -> frozenset[str]:
    """The ways one address may be written and stored (lowercase): as given, with its
    domain in ASCII and in Unicode; search these, then compare with :func:`email_key`."""
    text = str(email or "").strip().lower()
    local, at, domain = text.rpartition("@")
    forms = _domain_forms(domain) if at and domain else None
    return frozenset({text, *(f"{local}@{form}" for form in forms or ())})
