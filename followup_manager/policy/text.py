"""Text from people (names, documents, templates) put into the add-on's own sentences.

A name is data, not layout: a right-to-left override (U+202E) in a contact's name would
reverse the rest of the sentence it is put in ("why" a step was done or not). The
bidirectional controls are removed from such values before they are slotted in; the
letters of any script stay, and each keeps its own direction. Pure: no ORM import.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "strip_bidi_controls"]

#: The embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the marks
#: (U+200E, U+200F, U+061C): characters that change the direction of what follows them.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_BIDI_RE = re.compile(f"[{''.join(sorted(BIDI_CONTROLS))}]")


def strip_bidi_controls(value: object) -> object:
    """``value`` without bidirectional controls: a string cleaned, a dict's values, a
    list's or tuple's items cleaned in depth; anything else (numbers, None) as it is."""
    if isinstance(value, str):
        return _BIDI_RE.sub("", value)
    if isinstance(value, dict):
        return {key: strip_bidi_controls(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(strip_bidi_controls(item) for item in value)
    return value
