"""Reading failure reports: which address failed, how, and what failed (the address, the
mailbox or the sender), from a delivery report or plain text; in time linear in the
report, reading only as much of it as needed."""

import time
from datetime import date
from email import message_from_string, policy

import pytest
from followup_manager_policy import bounce, replies

QMAIL = """\
From: MAILER-DAEMON@mx.example.net
To: bounce@example.com
Subject: failure notice

Hi. This is the qmail-send program at mx.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{recipient}>:
Remote host said: {said}

--- Below this line is a copy of the message.

Message-ID: <followup-1@example.com>
To: {recipient}
Subject: Your quotation

Please call us: our policy is to answer within a day, your mailbox is full of offers.
"""

DSN = """\
From: MAILER-DAEMON@mx.example.net
To: bounce@example.com
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; bob@example.net
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B
Content-Type: message/rfc822

Message-ID: <followup-2@example.com>
To: bob@example.net
Subject: Your quotation

Hello.

--B--
"""


def _parse(text):
    return message_from_string(text, policy=policy.SMTP)


def _qmail(said, recipient="mario@example.com"):
    return _parse(QMAIL.format(recipient=recipient, said=said))


def _dsn(status="5.1.1", diagnostic="550 5.1.1 User unknown", action="failed"):
    return _parse(DSN.format(status=status, diagnostic=diagnostic, action=action))


def test_a_plain_text_report_names_the_address_and_the_servers_words():
    status = bounce.delivery_status(_qmail("550 5.1.1 <mario@example.com>... User unknown"))
    assert status.recipient == "mario@example.com"
    assert status.status == "5.1.1"
    assert status.what == bounce.ADDRESS
    assert "User unknown" in status.summary
    assert bounce.bounce_kind(status) == bounce.HARD


def test_the_copy_of_our_message_is_not_read_as_the_servers_words():
    # Our own e-mail below the line speaks of policy and a full mailbox: the server
    # said the address is unknown.
    status = bounce.delivery_status(_qmail("550 User unknown"), "mario@example.com")
    assert status.what == bounce.ADDRESS


def test_a_report_naming_someone_else_is_not_about_the_recipient():
    message = _qmail("550 5.1.1 User unknown", recipient="victim@example.com")
    assert bounce.delivery_status(message, "mario@example.com") is None
    assert bounce.delivery_status(_dsn(), "mario@example.com") is None
    failed = _parse("X-Failed-Recipients: victim@example.com\nSubject: x\n\nUser unknown.")
    assert bounce.failed_addresses(failed) == ("victim@example.com",)
    assert bounce.delivery_status(failed, "mario@example.com") is None


def test_a_report_naming_nobody_is_about_the_only_recipient():
    # Some servers attach the failed message and name no recipient.
    message = _parse(
        "From: postmaster@example.net\nSubject: Undeliverable\n\n"
        "Your message did not reach some or all of the intended recipients.\n"
    )
    status = bounce.delivery_status(message, "mario@example.com")
    assert status.recipient == "mario@example.com"
    assert bounce.delivery_status(message, ("mario@example.com", "anna@example.com")) is None
    assert bounce.delivery_status(message) is None


@pytest.mark.parametrize(
    ("said", "what", "kind"),
    [
        ("550 5.1.1 <mario@example.com>... User unknown", bounce.ADDRESS, "hard"),
        ("550 Host not found: example.com", bounce.ADDRESS, "hard"),
        ("552 5.2.2 Mailbox full", bounce.MAILBOX, "soft"),
        ("550 5.0.0 Recipient's mailbox is over quota", bounce.MAILBOX, "soft"),
        ("The account is out of storage space", bounce.MAILBOX, "soft"),
        ("450 4.4.1 connection timed out", bounce.MAILBOX, "soft"),
        ("550 5.7.1 Message rejected as spam", bounce.SENDER, None),
        ("550 5.7.26 Unauthenticated email is not accepted (DMARC)", bounce.SENDER, None),
        ("554 Blocked by our policy: sender reputation", bounce.SENDER, None),
    ],
)
def test_what_failed(said, what, kind):
    status = bounce.delivery_status(_qmail(said), "mario@example.com")
    assert status.what == what
    assert bounce.bounce_kind(status, 1, 3) == kind


def test_a_delay_notice_is_no_failure():
    for message in (
        _dsn("4.4.1", "connection timed out", action="delayed"),
        _parse(
            "From: MAILER-DAEMON@x\nSubject: Delayed Mail (still being retried)\n\n"
            "THIS IS A WARNING ONLY. YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n"
            "<bob@example.net>: connect to mx.example.net: Connection timed out\n"
        ),
    ):
        status = bounce.delivery_status(message, "bob@example.net")
        assert not status.failed
        assert bounce.bounce_kind(status, 9, 3) is None


def test_a_full_mailbox_is_given_up_only_after_failures_spread_over_days():
    status = bounce.delivery_status(_dsn("5.2.2", "552 5.2.2 Over quota"), "bob@example.net")
    assert bounce.bounce_kind(status, 1, 3, spread=False) == bounce.SOFT
    assert bounce.bounce_kind(status, 5, 3, spread=False) == bounce.SOFT
    assert bounce.bounce_kind(status, 2, 3, spread=True) == bounce.SOFT
    assert bounce.bounce_kind(status, 3, 3, spread=True) == bounce.HARD


def test_the_quoted_message_is_found_attached_or_pasted():
    assert bounce.quoted_message_ids(_dsn()) == ("<followup-2@example.com>",)
    assert bounce.quoted_message_ids(_qmail("550 no")) == ("<followup-1@example.com>",)


def test_only_the_beginning_of_the_report_is_read():
    long = _qmail("550 5.1.1 User unknown " + "blah " * 100_000)
    assert len(bounce.report_text(long)) <= bounce.TEXT_LIMIT


# ----------------------------------------------------------------- time


def _fastest(function, *args):
    """The fastest of three runs: the least disturbed by a busy machine (times below a
    millisecond count as one: the ratios compare seconds against milliseconds)."""
    times = []
    for _attempt in range(3):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return min(times)


MEGABYTE = 1_000_000


@pytest.mark.parametrize("filler", ["5.1.1 ", "a b ", "a@"])
def test_a_long_diagnostic_is_read_in_linear_time(filler):
    # What a stranger may write in Diagnostic-Code, against the same size of one word.
    hostile = _dsn(diagnostic=(filler * (MEGABYTE // len(filler)))[:MEGABYTE])
    baseline = _dsn(diagnostic="x" * MEGABYTE)
    bounce.delivery_status(baseline, "bob@example.net")
    ratio = _fastest(bounce.delivery_status, hostile, "bob@example.net") / max(
        _fastest(bounce.delivery_status, baseline, "bob@example.net"), 1e-3
    )
    assert ratio < 10, ratio


def test_a_long_report_text_is_read_in_linear_time():
    hostile = _qmail("550 " + ("5.1.1 a@b " * (MEGABYTE // 10)))
    baseline = _qmail("550 " + "x" * MEGABYTE)
    ratio = _fastest(bounce.delivery_status, hostile, "mario@example.com") / max(
        _fastest(bounce.delivery_status, baseline, "mario@example.com"), 1e-3
    )
    assert ratio < 10, ratio


def test_a_long_automatic_reply_is_read_in_linear_time():
    received = date(2026, 11, 30)
    hostile = ("until 7 " * (MEGABYTE // 8))[:MEGABYTE]
    baseline = ("hello w " * (MEGABYTE // 8))[:MEGABYTE]
    # Every language's months and patterns read once, outside the measure.
    replies.return_date(hostile[:100], received, "it_IT")
    ratio = _fastest(replies.return_date, hostile, received, "it_IT") / max(
        _fastest(replies.return_date, baseline, received, "it_IT"), 1e-3
    )
    assert ratio < 10, ratio
