"""Bounces: what a delivery status notification (RFC 3464) says about an address.

Odoo's gateway recognises a bounce and counts it on the partner (``message_bounce``); it
does not say whether the address is dead or only unreachable for now. The DSN does: each
recipient block carries an ``Action`` (failed, delayed, ...) and an enhanced ``Status``
code (RFC 3463) whose class is 5 for a permanent failure and 4 for a transient one, and
usually the receiving server's own words (``Diagnostic-Code``).

* :func:`delivery_status` reads those fields from a parsed message (stdlib ``email``):
  the one reading of a DSN, for the partner's address and for the delivery of the
  follow-up e-mail that bounced alike;
* :attr:`DeliveryStatus.failed`: whether the message was not delivered to the recipient;
* :func:`bounce_kind` decides: ``hard`` (the address is unusable until it changes or mail
  comes from it again), ``soft`` (try again later) or None (not a failure).

Nothing here imports odoo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

__all__ = [
    "HARD",
    "NOT_FAILED_ACTIONS",
    "SOFT",
    "DeliveryStatus",
    "bounce_kind",
    "delivery_status",
]

HARD = "hard"
SOFT = "soft"

#: DSN actions that are no failure (RFC 3464, section 2.3.3): the server keeps trying
#: (``delayed``) or passed the message on.
NOT_FAILED_ACTIONS = frozenset({"delayed", "delivered", "relayed", "expanded"})

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# Longest diagnostic kept: servers explain in a sentence; some paste whole transcripts.
_DIAGNOSTIC_LIMIT = 300


@dataclass(frozen=True)
class DeliveryStatus:
    """One recipient's block of a DSN: ``recipient`` (the address that failed, lower
    case), ``action`` (lower case), ``status`` (``"5.1.1"``), ``diagnostic`` (the
    server's words, without the ``smtp;`` type, whole) and ``original_recipient`` (the
    address as the sender wrote it, when a forward or an alias changed it), each None
    when the DSN does not say."""

    recipient: str | None = None
    action: str | None = None
    status: str | None = None
    diagnostic: str | None = None
    original_recipient: str | None = None

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
        """Whether the message was not delivered to the recipient: any action but
        those of :data:`NOT_FAILED_ACTIONS` (a report without an action too)."""
        return self.action not in NOT_FAILED_ACTIONS

    @property
    def summary(self) -> str:
        """``"5.1.1 user unknown"``: what a person reads about this bounce (at most
        a sentence of the server's words)."""
        diagnostic = self.diagnostic[:_DIAGNOSTIC_LIMIT] if self.diagnostic else None
        parts = [part for part in (self.status, diagnostic) if part]
        if self.status and diagnostic and self.status in diagnostic:
            parts = [diagnostic]
        return " ".join(parts)


def _field(block: Message, name: str) -> str | None:
    value = block.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _typed_value(value: str | None) -> str | None:
    """``"rfc822; bob@example.com"`` → ``"bob@example.com"`` (RFC 3464 typed fields)."""
    if not value:
        return None
    _type, sep, rest = value.partition(";")
    return (rest if sep else value).strip() or None


def _recipient_blocks(message: Message) -> list[Message]:
    """The per-recipient field blocks of the first ``message/delivery-status`` part."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            # The first block describes the message, the others one recipient each.
            return [block for block in payload[1:] if isinstance(block, Message)]
    return []


def delivery_status(message: Message, recipient: str | None = None) -> DeliveryStatus | None:
    """The DSN block of ``recipient`` (its final or its original recipient; else the
    first block) in ``message``, or None when the message carries no delivery-status
    part (a bounce some servers write as plain text).
    """
    blocks = _recipient_blocks(message)
    if not blocks:
        return None
    wanted = (recipient or "").strip().lower()
    statuses = []
    for block in blocks:
        final = _typed_value(_field(block, "Final-Recipient"))
        original = _typed_value(_field(block, "Original-Recipient"))
        status_match = _STATUS.search(_field(block, "Status") or "")
        diagnostic = _typed_value(_field(block, "Diagnostic-Code"))
        statuses.append(
            DeliveryStatus(
                recipient=final.lower() if final else None,
                action=(_field(block, "Action") or "").lower() or None,
                status=status_match.group(0) if status_match else None,
                diagnostic=diagnostic,
                original_recipient=original.lower() if original else None,
            )
        )
    if wanted:
        for status in statuses:
            if wanted in status.addresses:
                return status
    return statuses[0]


def bounce_kind(
    status: DeliveryStatus | None, bounce_count: int = 0, limit: int = 3
) -> str | None:
    """``hard``, ``soft`` or None (the report is not a failure) for a bounce.

    * a ``delayed`` action is a warning, the server keeps trying: ``soft``;
    * status class 5 (permanent): ``hard``; class 4 (transient): ``soft``, unless the
      address has now bounced ``limit`` times (Odoo's ``message_bounce``, this bounce
      included): a mailbox that keeps refusing is treated as dead;
    * class 2 (``delivered``, ``relayed``...): None, nothing failed;
    * no DSN or no status (a bounce written as plain text, recognised by Odoo from its
      sender or its address): ``hard``, as Odoo counted it.
    """
    if status is not None and status.action == "delayed":
        return SOFT
    code = status.status if status is not None else None
    if code is None:
        if status is not None and status.action in ("delivered", "relayed", "expanded"):
            return None
        return HARD
    if code.startswith("2"):
        return None
    if code.startswith("4"):
        return HARD if limit and bounce_count >= limit else SOFT
    return HARD
