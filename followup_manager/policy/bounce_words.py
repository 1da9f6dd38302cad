"""The words of mail servers' failure reports: what each kind of failure sounds like.

:mod:`.bounce` reads a report's status codes first; these phrases say what a code
cannot say by itself (a full mailbox, a refused sender, an unknown user, a mere delay),
in the vocabulary of sisimai's and BounceParser's rules. Each list is one regular
expression, case-insensitive, whose alternatives run in time linear in the text.

Nothing here imports odoo.
"""

import re


def _words(*phrases):
    return re.compile("|".join(phrases), re.IGNORECASE)


# The cues of what failed, in the servers' words (sisimai's and BounceParser's
# vocabulary, reduced to what the status code cannot say by itself).
MAILBOX_CUES = _words(
    r"mailbox (?:is )?full",
    r"mailbox (?:size )?limit",
    r"over ?quota",
    r"quota (?:exceeded|exceed|full)",
    r"exceed(?:s|ed)? (?:the |his |her |their )?(?:storage|quota|mailbox)",
    r"out of storage",
    r"insufficient (?:system )?storage",
    r"not enough (?:storage|space)",
    r"(?:mailbox|account|inbox) (?:is )?(?:over|out of) (?:its |the )?(?:quota|space)",
    r"too many messages",
    r"mail ?box (?:is )?(?:temporarily (?:unavailable|disabled)|busy|locked|exceeds)",
    r"retry (?:timeout|time) (?:exceeded|expired|reached)",
    r"(?:in|on) the queue too long",
    r"temporarily (?:unavailable|deferred|rejected)",
    r"disk (?:is )?full",
    r"full mailbox",
)
SENDER_CUES = _words(
    r"\bspam",
    r"blacklist",
    r"block ?list",
    r"\bblocked\b",
    r"reputation",
    r"\bpolicy\b",
    r"\bdmarc\b",
    r"\bspf\b",
    r"\bdkim\b",
    r"not authori[sz]ed",
    r"authentication (?:required|failed)",
    r"access denied",
    r"content (?:rejected|filter)",
    r"virus",
)
ADDRESS_CUES = _words(
    r"user (?:is )?unknown",
    r"unknown (?:user|recipient|address|local ?part|mailbox)",
    r"no such (?:user|recipient|address|mailbox|domain|person)",
    r"(?:user|recipient|address|mailbox|account)[\w ]{0,30} (?:does not|doesn't|did not) exist",
    r"(?:does|did|may) not exist",
    r"not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)",
    r"invalid (?:recipient|address|mailbox|user)",
    r"recipient (?:address )?rejected",
    r"(?:address|mailbox|user|recipient) (?:not found|unavailable|disabled)",
    r"(?:host|domain) (?:not found|unknown|name not found)",
    r"unrouteable",
    r"unable to route",
    r"bad destination",
    r"account (?:has been |is )?(?:disabled|deactivated|closed|suspended|expired)",
    r"has moved",
    r"illegal user",
    r"not listed",
    r"no mailbox",
)
# Said only of a message the server keeps trying: a warning, whatever else it says.
WARNING_CUES = _words(
    r"\bdelayed\b",
    r"warning (?:message )?only",
    r"still being retried",
)
DELAY_CUES = _words(
    r"\bdelay\b",
    r"will (?:be )?retr(?:y|ied)",
    r"will (?:continue|keep) (?:trying|to try)",
    r"still (?:trying|being retried)",
    r"not yet been delivered",
    r"has not been delivered yet",
    r"warning message only",
    r"could not (?:be delivered|send message) for (?:the )?(?:past|last)",
)
FINAL_CUES = _words(
    r"permanent(?:ly)? (?:error|failure|fatal)",
    r"given up",
    r"giving up",
    r"not going to try again",
    r"could not be delivered",
    r"delivery (?:has )?failed",
    r"failed permanently",
    r"undeliverable",
)
