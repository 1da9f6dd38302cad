"""Reading an answer to a follow-up: an automatic reply, a return date, a request to stop.

* :func:`auto_reply_kind`: is this message written by a machine (RFC 3834 and the
  headers mail programs actually send), or an unmistakable out-of-office subject? An
  automatic reply is not a reply: it stops no sequence.
* :func:`return_date` and :func:`resume_date`: the day an out-of-office message says the
  person is back ("fino al 7 dicembre", "until 7 December", "back on 12/07"), and the day
  follow-ups may resume.
* :func:`asks_not_to_be_contacted`: a human reply that seems to ask for no more contact.
  Only a hint for a salesperson: it never withdraws consent by itself.
* :func:`own_text`: the text the person wrote, without the quoted message below it.
* :func:`sender_address`: the one address an answer comes from, read strictly from its
  ``From`` (never from a display name): whose bounce it clears, who is away.

Month names come from babel's locale data (CLDR) for each language, so every spelling
CLDR knows is understood and no month table is written here. Numeric dates are read in
the order of the partner's locale (``12/07`` is 7 December in ``en_US``, 12 July in
``it_IT``). The phrase lists (subjects, cues, stop requests) are the words people use, in
Italian, English, French, German and Spanish.

Nothing here imports odoo.
"""

from __future__ import annotations

import email.policy
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from email.message import Message
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_date_format, get_month_names

__all__ = [
    "AUTO_SUBMITTED",
    "LANGUAGES",
    "PRECEDENCE",
    "SUBJECT",
    "X_AUTOREPLY",
    "X_AUTORESPOND",
    "asks_not_to_be_contacted",
    "auto_reply_kind",
    "own_text",
    "resume_date",
    "return_date",
    "sender_address",
]

#: Languages whose month names, cues and phrases are understood.
LANGUAGES = ("it", "en", "fr", "de", "es")

# Kinds of automatic reply, by what gave it away.
AUTO_SUBMITTED = "auto_submitted"
X_AUTOREPLY = "x_autoreply"
X_AUTORESPOND = "x_autorespond"
PRECEDENCE = "precedence"
SUBJECT = "subject"

_AUTOMATIC_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk", "list"})
_NO = frozenset({"no", "false", "0", "off"})

# Subjects no person writes by hand (accents removed, lower case, whole words).
_AUTO_SUBJECTS = (
    # English
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "out of office",
    "out of the office",
    # Italian
    "risposta automatica",
    "fuori sede",
    "fuori ufficio",
    "fuori dall'ufficio",
    "assente dall'ufficio",
    # French
    "reponse automatique",
    "absence du bureau",
    "absent du bureau",
    "message d'absence",
    # German
    "automatische antwort",
    "abwesenheitsnotiz",
    "abwesenheitsmeldung",
    "nicht im buro",
    # Spanish
    "respuesta automatica",
    "fuera de la oficina",
    "fuera de oficina",
    "ausente de la oficina",
)

# Words after which an out-of-office message gives the day the person is back.
_RETURN_CUES = (
    # English
    "until",
    "till",
    "through",
    "back on",
    "back in the office on",
    "back in office on",
    "back",
    "returning on",
    "returning",
    "return on",
    # Italian
    "fino al",
    "fino a",
    "fino all'",
    "rientro il",
    "rientro previsto il",
    "rientrero il",
    "rientrero",
    "di ritorno il",
    "ritorno il",
    "sino al",
    # French
    "jusqu'au",
    "jusqu'a",
    "de retour le",
    "retour le",
    "de retour",
    # German
    "bis zum",
    "bis einschliesslich",
    "bis",
    "zuruck am",
    "wieder am",
    "ab dem",
    "ab",
    # Spanish
    "hasta el",
    "hasta",
    "de vuelta el",
    "regreso el",
    "volvere el",
)

# A reply asking for no more contact (accents removed, lower case, whole words).
_STOP_PHRASES = (
    # Italian
    "non contattatemi",
    "non contattarmi",
    "non mi contattate",
    "non mi contattare",
    "non scrivetemi",
    "non scrivermi",
    "non voglio piu ricevere",
    "cancellatemi",
    "cancellami",
    "cancellarmi",
    "rimuovetemi",
    "rimuovermi",
    "disiscrivetemi",
    "disiscrivermi",
    # English
    "unsubscribe",
    "stop",
    "remove me",
    "take me off",
    "do not contact",
    "don't contact",
    "dont contact",
    "do not email",
    "don't email",
    "no more emails",
    "no more e-mails",
    "opt out",
    "opt-out",
    # French
    "desabonner",
    "desabonnez-moi",
    "desinscrire",
    "desinscrivez-moi",
    "ne me contactez plus",
    "ne plus me contacter",
    "ne plus recevoir",
    # German
    "abmelden",
    "austragen",
    "nicht mehr kontaktieren",
    "kontaktieren sie mich nicht",
    "keine e-mails mehr",
    "keine emails mehr",
    # Spanish
    "darme de baja",
    "dar de baja",
    "denme de baja",
    "no me contacten",
    "no me contacteis",
    "no me escriban",
    "no quiero recibir",
)

# Lines where the quoted message begins (mail programs' own separators).
_QUOTE_STARTS = re.compile(
    r"""^\s*(?:
        >                                                        # quoted line
      | -{2,}\s*(?:original|messaggio|message|ursprungliche|mensaje)\b.*   # Outlook & co.
      | _{10,}\s*$                                               # Outlook's rule
      | (?:on|le|il|am|el)\b.{0,200}\b(?:wrote|ecrit|scritto|schrieb|escribio)\s*:?\s*$
      | (?:from|da|de|von)\s*:\s*\S
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_ORDINAL = r"(?:st|nd|rd|th|°|º|\.)?"
# How far after a cue the date may be ("until Monday, 7 December": a few words).
_CUE_REACH = 40
# The most of an automatic reply read for its return date: responders state it in
# their first lines (the rest is a signature, a disclaimer or the quoted message).
RETURN_TEXT_LIMIT = 4_000
# The most cue words looked at ("until ... until ..." repeated is no message).
_MAX_CUES = 20
# The farthest return date believed (a longer absence is a typo or a template).
_MAX_DAYS_AHEAD = 400
# A date without a year that lies this far in the past means next year's.
_PAST_SLACK_DAYS = 31


def _plain(text: str) -> str:
    """Lower case without accents, whitespace collapsed: "Réponse  Automatique" →
    "reponse automatique" (people and programs drop accents at will)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.replace("’", "'").casefold().split())


def _phrases_pattern(phrases: Iterable[str]) -> re.Pattern:
    alternatives = sorted({re.escape(_plain(phrase)) for phrase in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w'-])(?:%s)(?![\w'])" % "|".join(alternatives))


_AUTO_SUBJECT_RE = _phrases_pattern(_AUTO_SUBJECTS)
_STOP_RE = _phrases_pattern(_STOP_PHRASES)
_CUE_RE = _phrases_pattern(_RETURN_CUES)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return _plain(str(value))
    return None


def auto_reply_kind(headers: Mapping[str, str], subject: str | None = None) -> str | None:
    """Why this message is an automatic reply (a kind above), or None if a person wrote it.

    ``Auto-Submitted`` other than ``no`` (RFC 3834), ``X-Autoreply`` or ``X-Autorespond``
    (any value but a "no"), ``Precedence: auto_reply | bulk | junk | list``, or a subject
    with an unmistakable out-of-office phrase.
    """
    auto_submitted = _header(headers, "auto-submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip() not in _NO:
        return AUTO_SUBMITTED
    for name, kind in (("x-autoreply", X_AUTOREPLY), ("x-autorespond", X_AUTORESPOND)):
        value = _header(headers, name)
        if value is not None and value.strip() not in _NO:
            return kind
    precedence = _header(headers, "precedence")
    if precedence and precedence.strip() in _AUTOMATIC_PRECEDENCE:
        return PRECEDENCE
    if subject and _AUTO_SUBJECT_RE.search(_plain(subject)):
        return SUBJECT
    return None


def sender_address(message: Message) -> str | None:
    """The address ``message`` comes from, as its ``From`` header writes it, or None
    when that header names no address or several, or cannot be read without guessing.

    A display name is never taken for the address: ``"mario@example.com"
    <other@example.net>`` comes from other@example.net, and the malformed
    ``mario@example.com <other@example.net>`` (the name outside quotes, which lenient
    readers split into two addresses and take the first of) from nobody.
    """
    values = message.get_all("From") or []
    if len(values) != 1:
        return None
    header = values[0]
    if not hasattr(header, "addresses"):
        # A message parsed with the legacy policy keeps headers as plain strings.
        header = email.policy.default.header_factory("From", str(header))
    addresses = header.addresses
    if header.defects or len(addresses) != 1 or "@" not in addresses[0].addr_spec:
        return None
    return addresses[0].addr_spec


def own_text(text: str) -> str:
    """The lines the person wrote, before the quoted message ("On ... wrote:", "> ...",
    "-----Original Message-----", "From: ...")."""
    lines = []
    for line in (text or "").splitlines():
        if _QUOTE_STARTS.match(_plain(line) if line.strip() else line):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def asks_not_to_be_contacted(text: str) -> bool:
    """True if the person's own text (see :func:`own_text`) uses words asking not to
    be contacted again ("non contattatemi più", "unsubscribe", "stop"...)."""
    return bool(_STOP_RE.search(_plain(own_text(text))))


# --- dates ------------------------------------------------------------------------------


def _language(locale: str | None) -> str:
    try:
        return Locale.parse(locale or "en").language
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"


@lru_cache(maxsize=16)
def _month_names(language: str) -> dict[str, int]:
    """{name: month} of ``language`` from CLDR: wide and abbreviated, formatting and
    stand-alone forms, with and without accents and abbreviation dots."""
    names = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for month, name in get_month_names(width, context, locale=language).items():
                plain = _plain(name)
                names[plain] = month
                names[plain.rstrip(".")] = month
    return names


@lru_cache(maxsize=16)
def _date_re(language: str) -> re.Pattern:
    months = "|".join(
        sorted((re.escape(name) for name in _month_names(language)), key=len, reverse=True)
    )
    return re.compile(
        rf"""(?<!\w)(?:
            (?P<d1>\d{{1,2}}){_ORDINAL}\s*(?:de\s+|of\s+)?(?P<m1>{months})\.?
                (?:\s*(?:de\s+)?,?\s*(?P<y1>\d{{4}}))?
          | (?P<m2>{months})\.?\s+(?P<d2>\d{{1,2}}){_ORDINAL}(?:\s*,?\s*(?P<y2>\d{{4}}))?
          | (?P<a>\d{{1,2}})\s*[./-]\s*(?P<b>\d{{1,2}})(?:\s*[./-]\s*(?P<y3>\d{{4}}|\d{{2}}))?
        )(?!\w)""",
        re.VERBOSE,
    )


@lru_cache(maxsize=32)
def _day_first(locale: str | None) -> bool:
    """Whether the locale writes the day before the month in numeric dates."""
    try:
        pattern = get_date_format("short", locale=locale or "en_US").pattern
    except (UnknownLocaleError, ValueError, TypeError):
        return True
    day, month = pattern.find("d"), pattern.find("M")
    return not (0 <= month < day)


def _year(text: str | None, day: int, month: int, received: date) -> date | None:
    try:
        if text:
            year = int(text)
            return date(year + 2000 if year < 100 else year, month, day)
        found = date(received.year, month, day)
    except ValueError:
        return None
    if found < received - timedelta(days=_PAST_SLACK_DAYS):
        try:
            found = date(received.year + 1, month, day)
        except ValueError:
            return None
    return found


def _match_date(match: re.Match, language: str, locale: str | None, received: date):
    names = _month_names(language)
    if match.group("m1"):
        day, month, year = match.group("d1"), names[match.group("m1")], match.group("y1")
    elif match.group("m2"):
        day, month, year = match.group("d2"), names[match.group("m2")], match.group("y2")
    else:
        first, second = int(match.group("a")), int(match.group("b"))
        day, month = (first, second) if _day_first(locale) else (second, first)
        year = match.group("y3")
    return _year(year, int(day), int(month), received)


def return_date(text: str, received: date, locale: str | None = None) -> date | None:
    """The day an out-of-office ``text`` says the person is back (or away until), read
    after a cue ("until", "fino al", "jusqu'au", "bis zum", "hasta el", "back on"...);
    None when it names none, or an impossible one.

    A date without a year is the next one from ``received`` (a date up to a month before
    is kept: the message is late, the person may be back already). The locale's language
    is tried first, then the others; numeric dates are read in the locale's order.
    Only the beginning of the text is read (:data:`RETURN_TEXT_LIMIT` characters, the
    first cues), in time linear in that.
    """
    # Only the first RETURN_TEXT_LIMIT characters are read (twice that before the
    # accents are folded, which may shorten it): the text comes from a stranger.
    plain = _plain((text or "")[: RETURN_TEXT_LIMIT * 2])[:RETURN_TEXT_LIMIT]
    languages = (_language(locale),) + tuple(
        lang for lang in LANGUAGES if lang != _language(locale)
    )
    found = []
    for cue in itertools.islice(_CUE_RE.finditer(plain), _MAX_CUES):
        window = plain[cue.end() : cue.end() + _CUE_REACH + 30]
        for language in languages:
            match = _date_re(language).search(window)
            if match and match.start() <= _CUE_REACH:
                day = _match_date(match, language, locale, received)
                if day is not None and day <= received + timedelta(days=_MAX_DAYS_AHEAD):
                    found.append(day)
                break
    # Several dates ("from 1 until 7 December, back on the 8th"): the last day away.
    return max(found) if found else None


def resume_date(received: date, back: date | None, default_days: int) -> date:
    """The first day follow-ups may contact the person again: the day after the stated
    return date, or ``default_days`` after the auto-reply was received when it states
    none (or a day already past)."""
    if back is not None and back >= received:
        return back + timedelta(days=1)
    return received + timedelta(days=max(default_days, 0))
