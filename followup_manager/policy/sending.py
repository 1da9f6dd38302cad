"""The rules read again when a message queued by a done step leaves the queue, minutes
or an hour after the decision (``decision.decide``) that queued it: whether the person
has said no since, and whether a failure to send is worth another try."""

from datetime import datetime, timedelta

from .vocabulary import BLACKLISTED, CHANNEL_REFUSED, WITHDRAWN


def refusal_at_sending(refused: bool, blacklisted: bool, consent_state: str | None) -> str | None:
    """Rules 3 to 5 read again when a message queued by a done step leaves the queue.

    The decision was taken when the step fell due; the queue may send minutes (or, with
    Odoo's hourly mail queue, an hour) later. A person who has since refused the channel,
    been blacklisted or withdrawn consent has said no to this very message: it must not
    leave (a withdrawal binds every purpose, rule 5). Returns the reason ``decide()``
    would give now (``channel_refused``, ``blacklisted``, ``withdrawn``) or None. The
    rules that only ask to wait (cap, hours) and an unchanged consent are not read again:
    the decision stands for them.
    """
    if refused:
        return CHANNEL_REFUSED
    if blacklisted:
        return BLACKLISTED
    if consent_state == "withdrawn":
        return WITHDRAWN
    return None


#: Odoo's failure of a whole sending batch when the mail server cannot be reached.
TRANSIENT_SEND_FAILURES = frozenset({"mail_smtp"})


def retry_after_failure(
    failure_type: str | None,
    queued_at: datetime,
    now: datetime,
    window: timedelta = timedelta(hours=24),
    delay: timedelta = timedelta(minutes=5),
) -> datetime | None:
    """When to try again a queued follow-up e-mail that failed to leave, or None.

    A failure to reach the mail server (Odoo's ``mail_smtp``: the server was down, or
    restarting) says nothing about the message or the person: the e-mail goes back to
    the queue for ``delay``, as long as it was queued less than ``window`` ago. Odoo's
    own queue fails such an e-mail for good, so a mail server stopped for one minute
    failed a whole batch (1,000 follow-up e-mails in bin/rehearsal), each with a to-do
    for its salesperson. Every other failure is final: the server refused this message
    or this address, and trying again would not change its answer.
    """
    if failure_type not in TRANSIENT_SEND_FAILURES or now - queued_at >= window:
        return None
    return now + delay
