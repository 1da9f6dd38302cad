"""The rules read again when a message queued by a done step leaves the queue, minutes
or an hour after the decision (``decision.decide``) that queued it: whether the person
has said no since, whether a failure to send is worth another try, and whether an
e-mail whose sending was interrupted may be sent again (never)."""

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


def interrupted_at_sending(sending_started: datetime | None, mail_state: str) -> bool:
    """Whether a queued follow-up e-mail must not be sent again: its sending started
    (recorded, committed, right before it was handed to the mail server) and it is
    still in the queue.

    The queue commits an e-mail as sent only after the mail server accepted it; a worker
    killed, or PostgreSQL restarted, in between leaves it queued as if it had never
    left, and the next run would send it a second time (found by bin/rehearsal: one
    person got the same follow-up twice). Nobody can tell whether such an e-mail left:
    it is not sent again, and is known as not delivered (the salesperson is told), as a
    follow-up twice is what the product exists to prevent. An e-mail whose sending
    finished (sent, failed, cancelled) is not in the queue any more; one put back in the
    queue by hand (*Retry*) has its mark cleared.
    """
    return bool(sending_started) and mail_state == "outgoing"
