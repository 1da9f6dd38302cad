"""Bounces: what a mail server's failure report says, and what failed.

Odoo's gateway recognises a bounce and counts it on the partner (``message_bounce``); it
does not say whether the address is dead, the mailbox only full, or the sender refused.
The report does, in one of two shapes:

* a delivery status notification (RFC 3464): each recipient block carries an ``Action``
  (failed, delayed, ...), an enhanced ``Status`` code (RFC 3463: class 5 permanent, 4
  transient; subject 1 the address, 2 the mailbox, 7 security and policy) and usually the
  receiving server's own words (``Diagnostic-Code``);
* plain text, as qmail, Exim, Gmail, Yahoo, Office 365 and many others write it: the
  failed address in ``X-Failed-Recipients`` or in the text, the server's words around it,
  and a copy of the message that failed below a line of their own.

:func:`delivery_status` is the one reading of a report, for the partner's address and for
the delivery of the follow-up e-mail that bounced alike: which address failed, how, and
what failed (:data:`ADDRESS`, :data:`MAILBOX`, :data:`SENDER`, or None for a delay
notice). :func:`bounce_kind` decides what that means for the address.

Reports are written by strangers: the reader looks at a bounded part of them (the
report's own text, :data:`TEXT_LIMIT` characters; each field, :data:`FIELD_LIMIT`) with
patterns that run in time linear in what they read.

Nothing here imports odoo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from . import bounce_words as cues

__all__ = [
    "ADDRESS",
    "HARD",
    "MAILBOX",
    "NOT_FAILED_ACTIONS",
    "SENDER",
    "SOFT",
    "DeliveryStatus",
    "bounce_kind",
    "delivery_status",
    "failed_addresses",
    "quoted_message_ids",
    "report_text",
]

HARD = "hard"
SOFT = "soft"

#: What failed: the address (unknown user, no such domain, moved): it is unusable...
ADDRESS = "address"
#: ... the mailbox (full, over quota, temporarily unavailable): try again later...
MAILBOX = "mailbox"
#: ... or the sender (blocked, spam, policy, authentication): the address is fine.
SENDER = "sender"

#: DSN actions that are no failure (RFC 3464, section 2.3.3): the server keeps trying
#: (``delayed``) or passed the message on.
NOT_FAILED_ACTIONS = frozenset({"delayed", "delivered", "relayed", "expanded"})

#: The most of a report's own text read (its explanation comes first; what follows is
#: a copy of the message or a transcript).
TEXT_LIMIT = 20_000
#: The most of one header or report field read.
FIELD_LIMIT = 2_000
# Longest diagnostic kept: servers explain in a sentence; some paste whole transcripts.
_DIAGNOSTIC_LIMIT = 300
# Characters of text kept around the failed address as the server's words.
_EXCERPT = 300
# The most recipient blocks and parts looked at.
_MAX_BLOCKS = 50
_MAX_PARTS = 30

_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d])")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,10}")
# Report fields pasted in the text by servers that send no delivery-status part.
_TEXT_ACTION = re.compile(r"(?im)^[ \t]*action:[ \t]*([a-z]{1,20})")
_MESSAGE_ID = re.compile(r"(?im)^[ \t>]*message-id:[ \t]*(<[^<>\s]{1,250}>)")
# Where a report's own text ends and the copy of the failed message begins.
_COPY_STARTS = re.compile(
    r"(?im)^[ \t>]*(?:"
    r"-{3,}.{0,60}(?:copy|original|returned|undelivered|below this line|headers).{0,60}$"
    r"|(?:received|return-path|message-id|dkim-signature|x-mailer|in-reply-to):"
    r"|original message headers?:?\s*$"
    r"|\*{3,}.{0,60}original.{0,60}$"
    r")"
)


@dataclass(frozen=True)
class DeliveryStatus:
    """One recipient's failure as a report gives it: ``recipient`` (the address that
    failed, lower case), ``action`` (lower case), ``status`` (``"5.1.1"``),
    ``diagnostic`` (the server's words, without the ``smtp;`` type), ``original_recipient``
    (the address as the sender wrote it, when a forward or an alias changed it), each
    None when the report does not say, and ``what`` failed (:data:`ADDRESS`,
    :data:`MAILBOX`, :data:`SENDER`, or None when nothing failed: a delay notice)."""

    recipient: str | None = None
    action: str | None = None
    status: str | None = None
    diagnostic: str | None = None
    original_recipient: str | None = None
    what: str | None = ADDRESS

    @property
    def addresses(self) -> tuple[str, ...]:
        """The addresses this block is about: the one that failed and the one it was
        sent to, if they differ."""
        return tuple(
            dict.fromkeys(
                address for address in (self.recipient, self.original_recipient) if address
            )
        )

    @property
    def failed(self) -> bool:
        """Whether the message was not delivered to the recipient: a failure of the
        address, the mailbox or the sender (not a delay notice, not a delivery)."""
        return self.action not in NOT_FAILED_ACTIONS and self.what is not None

    @property
    def summary(self) -> str:
        """``"5.1.1 user unknown"``: what a person reads about this bounce (at most
        a sentence of the server's words)."""
        diagnostic = self.diagnostic[:_DIAGNOSTIC_LIMIT] if self.diagnostic else None
        parts = [part for part in (self.status, diagnostic) if part]
        if self.status and diagnostic and self.status in diagnostic:
            parts = [diagnostic]
        return " ".join(parts)


# ------------------------------------------------------------------ reading


def _field(block: Message, name: str) -> str | None:
    """The field ``name`` of ``block``, raw (the email package's header parser is not
    linear in a long value), at most :data:`FIELD_LIMIT` characters, unfolded."""
    wanted = name.lower()
    for key, value in block.raw_items():
        if key.lower() == wanted:
            text = " ".join(str(value)[:FIELD_LIMIT].split())
            return text or None
    return None


def _typed_value(value: str | None) -> str | None:
    """``"rfc822; bob@example.com"`` → ``"bob@example.com"`` (RFC 3464 typed fields)."""
    if not value:
        return None
    _type, sep, rest = value.partition(";")
    return (rest if sep else value).strip() or None


def _address(value: str | None) -> str | None:
    match = _ADDRESS.search(value or "")
    return match.group(0).lower() if match else None


def _parts(message: Message):
    """The parts of the report itself, depth first, without entering the copy of the
    failed message (``message/rfc822``), at most :data:`_MAX_PARTS`."""
    stack, seen = [message], 0
    while stack and seen < _MAX_PARTS:
        part = stack.pop()
        seen += 1
        yield part
        if part.get_content_type() == "message/rfc822":
            continue
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            stack.extend(reversed(payload))


def _recipient_blocks(message: Message) -> list[Message]:
    """The per-recipient field blocks of the first ``message/delivery-status`` part."""
    for part in _parts(message):
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            # The first block describes the message, the others one recipient each.
            return [block for block in payload[1 : _MAX_BLOCKS + 1] if isinstance(block, Message)]
    return []


def _decoded(part: Message, limit: int) -> str:
    try:
        raw = part.get_payload(decode=True) or b""
    except (ValueError, TypeError, LookupError):
        return ""
    if not isinstance(raw, bytes):
        return str(raw)[:limit]
    charset = part.get_content_charset() or "utf-8"
    try:
        return raw[: limit * 4].decode(charset, "replace")[:limit]
    except LookupError:
        return raw[: limit * 4].decode("utf-8", "replace")[:limit]


def report_text(message: Message, limit: int = TEXT_LIMIT) -> str:
    """The report's own words: its subject and the text of its parts, up to the copy of
    the failed message, at most ``limit`` characters in all."""
    texts = [_field(message, "Subject") or ""]
    left = limit
    for part in _parts(message):
        if left <= 0:
            break
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_type() == "text/rfc822-headers":
            continue
        text = _decoded(part, left)
        if part.get_content_subtype() == "html":
            text = re.sub(r"<[^<>]{0,2000}>", " ", text)
        cut = _COPY_STARTS.search(text)
        text = text[: cut.start()] if cut else text
        texts.append(text)
        left -= len(text)
    return "\n".join(texts)[:limit]


def failed_addresses(message: Message) -> tuple[str, ...]:
    """The addresses the report names as failed in its fields: the recipients of a
    delivery report (final and original) and ``X-Failed-Recipients``; empty when it
    names none there (its text may still name one)."""
    found = []
    for block in _recipient_blocks(message):
        for name in ("Final-Recipient", "Original-Recipient"):
            address = _address(_typed_value(_field(block, name)))
            if address:
                found.append(address)
    failed = _field(message, "X-Failed-Recipients") or ""
    found.extend(match.group(0).lower() for match in _ADDRESS.finditer(failed))
    return tuple(dict.fromkeys(found))


def quoted_message_ids(message: Message, limit: int = TEXT_LIMIT * 5) -> tuple[str, ...]:
    """The Message-Ids of the failed message as the report quotes it: the headers of an
    attached copy and ``Message-ID:`` lines of a copy pasted in the text (the first
    ``limit`` characters of each text part)."""
    found = []
    for part in _parts(message):
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            value = _field(inner, "Message-ID") if isinstance(inner, Message) else None
            if value:
                found.append(value)
        elif part.get_content_maintype() == "text" and not part.is_multipart():
            text = _decoded(part, limit)
            found.extend(match.group(1) for match in _MESSAGE_ID.finditer(text))
    return tuple(dict.fromkeys(found))


def _status_code(*texts: str | None) -> str | None:
    for text in texts:
        match = _STATUS.search(text or "")
        if match:
            return match.group(0)
    return None


def _excerpt(text: str, address: str | None) -> str | None:
    """The server's words about ``address`` in ``text``: from the address on, a few
    lines, whitespace collapsed."""
    if not text:
        return None
    at = text.lower().find(address) if address else -1
    if at < 0:
        code = _STATUS.search(text)
        if not code:
            return None
        at = max(code.start() - 40, 0)
    return " ".join(text[at : at + _EXCERPT].split()) or None


def what_failed(action: str | None, status: str | None, words: str) -> str | None:
    """What failed, from a report's action, status code and words (the diagnostic and
    the report's text): :data:`MAILBOX`, :data:`SENDER`, :data:`ADDRESS`, or None when
    nothing failed (a delay notice, a delivery).

    * a full or unavailable mailbox is a state of the mailbox, whatever the class of the
      code (RFC 3463 X.2.2; servers often report it with 5.x.x);
    * a delayed action, or a report that says it keeps trying and says nothing final,
      is no failure;
    * status class 2 is no failure; X.1.x is the address; X.7.x, or a refusal for
      spam, policy or authentication, is the sender; class 4 is the mailbox for now;
    * class 5, or no code, is the address, unless the words say otherwise.
    """
    if status and status.startswith("2"):
        return None
    if action in ("delivered", "relayed", "expanded"):
        return None
    if cues.MAILBOX_CUES.search(words) or (status and status[1:].startswith(".2.2")):
        return MAILBOX
    if action == "delayed":
        return None
    if action is None and (
        cues.WARNING_CUES.search(words)
        or (cues.DELAY_CUES.search(words) and not cues.FINAL_CUES.search(words))
    ):
        return None
    if status and status[1:].startswith(".1."):
        return ADDRESS if status.startswith("5") else MAILBOX
    if (status and status[1:].startswith(".7.")) or (
        cues.SENDER_CUES.search(words) and not cues.ADDRESS_CUES.search(words)
    ):
        return SENDER
    if status and status.startswith("4"):
        return MAILBOX
    return ADDRESS


def _dsn_statuses(message: Message, words: str) -> list[DeliveryStatus]:
    statuses = []
    for block in _recipient_blocks(message):
        final = _address(_typed_value(_field(block, "Final-Recipient")))
        original = _address(_typed_value(_field(block, "Original-Recipient")))
        diagnostic = _typed_value(_field(block, "Diagnostic-Code"))
        action = (_field(block, "Action") or "").lower() or None
        code = _status_code(_field(block, "Status"), diagnostic)
        statuses.append(
            DeliveryStatus(
                recipient=final,
                action=action,
                status=code,
                diagnostic=diagnostic,
                original_recipient=original,
                what=what_failed(action, code, f"{diagnostic or ''}\n{words}"),
            )
        )
    return statuses


def delivery_status(
    message: Message, recipient: str | tuple[str, ...] | None = None
) -> DeliveryStatus | None:
    """The failure of ``recipient`` (an address, or the addresses the failed message
    was sent to) that ``message`` reports, or None when it reports none of them.

    A delivery report's block of the recipient (its final or its original recipient;
    without a recipient, the first block); else, for a report in plain text, the
    recipient it names in ``X-Failed-Recipients`` or in its text (without a recipient,
    the first it names there). A report that names no address at all (some attach the
    failed message and say nothing more) is about the given recipient, when it is the
    only one; a report that names only others is about none of them.
    """
    wanted = (recipient,) if isinstance(recipient, str) else tuple(recipient or ())
    wanted = tuple(address.strip().lower() for address in wanted if address)
    words = report_text(message)
    statuses = _dsn_statuses(message, words)
    if statuses:
        if not wanted:
            return statuses[0]
        for status in statuses:
            if set(wanted) & set(status.addresses):
                return status
        if any(status.addresses for status in statuses):
            return None
    named = failed_addresses(message)
    lowered = words.lower()
    if wanted:
        matches = [address for address in wanted if address in named or address in lowered]
        if not matches and (named or len(wanted) != 1 or _ADDRESS.search(words)):
            return None
        address = matches[0] if matches else wanted[0]
    else:
        address = named[0] if named else _address(words)
        if address is None:
            return None
    base = statuses[0] if statuses else None
    diagnostic = (base.diagnostic if base else None) or _excerpt(words, address)
    if base:
        action = base.action
    else:
        pasted = _TEXT_ACTION.search(words)
        action = pasted.group(1).lower() if pasted else None
    code = (base.status if base else None) or _status_code(diagnostic, words)
    return DeliveryStatus(
        recipient=address,
        action=action,
        status=code,
        diagnostic=diagnostic,
        what=what_failed(action, code, f"{diagnostic or ''}\n{words}"),
    )


def bounce_kind(
    status: DeliveryStatus | None,
    bounce_count: int = 0,
    limit: int = 3,
    spread: bool = True,
) -> str | None:
    """What a report means for the address: ``hard`` (unusable until it changes or mail
    comes from it again), ``soft`` (try again later) or None (the address stays as it
    is: a delay notice, a delivery, or a refusal of the sender).

    * the address failed: ``hard``;
    * the mailbox failed: ``soft``, unless the address has now bounced ``limit`` times
      (Odoo's ``message_bounce``, this bounce included) and ``spread``: the failures are
      spread over days (see ``res.partner._followup_bounce_spread``), as Odoo's mass
      mailing counts them: a mailbox that keeps refusing is treated as dead;
    * the sender was refused, or nothing failed: None;
    * no report at all (a bounce Odoo recognised from its sender or its address): ``hard``,
      as Odoo counted it.
    """
    if status is None:
        return HARD
    if not status.failed or status.what == SENDER:
        return None
    if status.what == MAILBOX:
        return HARD if limit and bounce_count >= limit and spread else SOFT
    return HARD
