"""Reading answers: automatic replies, return dates, requests to stop, bounces."""

from datetime import date
from email import message_from_string, policy

import pytest
from followup_manager_policy import bounce, replies
from hypothesis import given
from hypothesis import strategies as st

RECEIVED = date(2025, 11, 28)

# ----------------------------------------------------------------- automatic replies


@pytest.mark.parametrize(
    ("headers", "subject", "kind"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: your quotation", "auto_submitted"),
        ({"auto-submitted": "Auto-Generated; owner-email=x@y"}, "", "auto_submitted"),
        ({"X-Autoreply": "yes"}, "Re: offer", "x_autoreply"),
        ({"X-Autorespond": "Out of office"}, "Re: offer", "x_autorespond"),
        ({"Precedence": "bulk"}, "Newsletter", "precedence"),
        ({"Precedence": "auto_reply"}, "Re: offer", "precedence"),
        ({}, "Risposta automatica: Preventivo S00042", "subject"),
        ({}, "Automatic reply: Your quotation", "subject"),
        ({}, "Out of Office: Re: offer", "subject"),
        ({}, "Réponse automatique : devis", "subject"),
        ({}, "Abwesenheitsnotiz: Angebot", "subject"),
        ({}, "Respuesta automática: presupuesto", "subject"),
        ({}, "Fuori sede fino al 7 dicembre", "subject"),
    ],
)
def test_automatic_replies_are_recognised(headers, subject, kind):
    assert replies.auto_reply_kind(headers, subject) == kind


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"Auto-Submitted": "no"}, "Re: your quotation"),
        ({"Precedence": "first-class"}, "Re: your quotation"),
        ({}, "Re: your quotation: the office chairs"),
        ({}, "Re: preventivo per l'ufficio"),
        ({"X-Autoreply": "no"}, "Re: offer"),
    ],
)
def test_people_are_not_machines(headers, subject):
    assert replies.auto_reply_kind(headers, subject) is None


# ----------------------------------------------------------------- return dates


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        (
            "Sono fuori ufficio fino al 7 dicembre, con accesso limitato.",
            "it_IT",
            date(2025, 12, 7),
        ),
        ("I am out of the office until 7 December.", "en_US", date(2025, 12, 7)),
        ("I am away until December 7th, 2025.", "en_GB", date(2025, 12, 7)),
        ("I will be back on 12/07.", "en_US", date(2025, 12, 7)),
        ("Sarò di ritorno il 12/07.", "it_IT", date(2026, 7, 12)),
        ("Je suis absent jusqu'au 3 janvier.", "fr_FR", date(2026, 1, 3)),
        ("Ich bin bis zum 5. Dezember nicht im Büro.", "de_DE", date(2025, 12, 5)),
        ("Estaré fuera hasta el 9 de diciembre.", "es_ES", date(2025, 12, 9)),
        ("Back on 02.12.2025", "de_DE", date(2025, 12, 2)),
        # An Italian message to a contact whose language is English: Italian months still.
        ("Assente fino al 10 dic.", "en_US", date(2025, 12, 10)),
    ],
)
def test_return_dates_are_read_in_the_persons_language(text, locale, expected):
    assert replies.return_date(text, RECEIVED, locale) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I am out of the office with limited access to e-mail.",
        "Back soon.",
        "I am away until 31 February.",
        "Our office hours are 9-18.",
    ],
)
def test_no_return_date_when_none_is_stated(text):
    assert replies.return_date(text, RECEIVED, "en_US") is None


def test_a_date_past_by_more_than_a_month_is_next_years():
    assert replies.return_date("away until 7 January", RECEIVED, "en") == date(2026, 1, 7)
    assert replies.return_date("away until 20 November", RECEIVED, "en") == date(2025, 11, 20)


def test_follow_ups_resume_the_day_after_the_return_date_or_after_the_default_wait():
    assert replies.resume_date(RECEIVED, date(2025, 12, 7), 3) == date(2025, 12, 8)
    assert replies.resume_date(RECEIVED, None, 3) == date(2025, 12, 1)
    # A return date already past: the message is stale, wait the default days.
    assert replies.resume_date(RECEIVED, date(2025, 11, 20), 3) == date(2025, 12, 1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.text(max_size=80))
def test_return_date_never_fails_and_is_never_far_away(received, text):
    found = replies.return_date("until " + text, received, "it_IT")
    assert found is None or (
        received.toordinal() - 400 < found.toordinal() <= received.toordinal() + 400
    )


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_any_day_written_in_words_is_read_back(day):
    from babel.dates import format_date

    for locale in ("it_IT", "en_US", "fr_FR", "de_DE", "es_ES"):
        text = "until " + format_date(day, "d MMMM y", locale=locale)
        assert replies.return_date(text, day, locale) == day, (locale, text)


# ----------------------------------------------------------------- requests to stop


@pytest.mark.parametrize(
    "text",
    [
        "Per favore non contattatemi più.",
        "Cancellatemi dalla vostra lista!",
        "UNSUBSCRIBE",
        "Stop.",
        "Please remove me from your list.",
        "Merci de ne plus me contacter.",
        "Bitte nicht mehr kontaktieren.",
        "Por favor, darme de baja.",
    ],
)
def test_requests_not_to_be_contacted_are_noticed(text):
    assert replies.asks_not_to_be_contacted(text)


def test_the_quoted_message_does_not_count():
    text = (
        "Thanks, I will call you on Monday.\n\n"
        "On Mon, 24 Nov 2025 at 10:00, Sales <sales@example.com> wrote:\n"
        "> Our offer... Unsubscribe: https://example.com/u\n"
    )
    assert replies.own_text(text) == "Thanks, I will call you on Monday."
    assert not replies.asks_not_to_be_contacted(text)
    italian = "Grazie, va bene.\nIl giorno lun 24 nov 2025 alle 10:00 Vendite ha scritto:\n> stop"
    assert not replies.asks_not_to_be_contacted(italian)


def test_ordinary_replies_ask_nothing():
    for text in ("Yes, please send the contract.", "Non-stop support is included?", "Ok grazie"):
        assert not replies.asks_not_to_be_contacted(text), text


# ----------------------------------------------------------------- bounces

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

Final-Recipient: rfc822; Bob@Example.net
Original-Recipient: rfc822;bob@example.net
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <bob@example.net>:
 Recipient address rejected: User unknown

--B
Content-Type: text/rfc822-headers

Message-Id: <1@example.com>
Subject: Your quotation

--B--
"""


def _dsn(action="failed", status="5.1.1"):
    return message_from_string(DSN.format(action=action, status=status), policy=policy.SMTP)


def test_the_delivery_status_is_read_from_the_report():
    status = bounce.delivery_status(_dsn(), "bob@example.net")
    assert status.recipient == "bob@example.net"
    assert status.action == "failed"
    assert status.status == "5.1.1"
    assert status.diagnostic == (
        "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown"
    )
    assert status.summary == status.diagnostic


@pytest.mark.parametrize(
    ("action", "status", "count", "kind"),
    [
        ("failed", "5.1.1", 1, "hard"),
        ("failed", "4.2.2", 1, "soft"),
        ("failed", "4.2.2", 3, "hard"),
        ("delayed", "4.4.1", 9, None),
        ("delivered", "2.0.0", 1, None),
    ],
)
def test_bounce_kinds(action, status, count, kind):
    assert bounce.bounce_kind(bounce.delivery_status(_dsn(action, status)), count, 3) == kind


def test_a_bounce_without_a_report_is_hard():
    plain = message_from_string(
        "From: MAILER-DAEMON@x\nSubject: failure\n\nNo.", policy=policy.SMTP
    )
    assert bounce.delivery_status(plain) is None
    assert bounce.bounce_kind(None) == "hard"


@pytest.mark.parametrize(
    ("action", "failed"),
    [("failed", True), ("delayed", False), ("delivered", False), ("relayed", False)],
)
def test_only_a_failed_action_is_a_failed_delivery(action, failed):
    assert bounce.delivery_status(_dsn(action)).failed is failed


def test_a_forwarded_address_is_found_by_the_address_it_was_sent_to():
    forwarded = (
        _dsn()
        .as_string()
        .replace(
            "Final-Recipient: rfc822; Bob@Example.net",
            "Final-Recipient: rfc822; bob@old-isp.example",
        )
    )
    status = bounce.delivery_status(
        message_from_string(forwarded, policy=policy.SMTP), "bob@example.net"
    )
    assert status.recipient == "bob@old-isp.example"
    assert status.addresses == ("bob@old-isp.example", "bob@example.net")


def test_the_servers_words_are_kept_whole_and_summed_up_in_a_sentence():
    long = _dsn().as_string().replace("User unknown", "User unknown " + "x" * 500)
    status = bounce.delivery_status(message_from_string(long, policy=policy.SMTP))
    assert status.diagnostic.endswith("x" * 500)
    assert len(status.summary) == 300


# ----------------------------------------------------------------- who wrote


@pytest.mark.parametrize(
    ("sender", "address"),
    [
        ("Mario Rossi <mario@example.com>", "mario@example.com"),
        ("mario@example.com", "mario@example.com"),
        ("=?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <jose@example.es>", "jose@example.es"),
        ('"Rossi, Mario" <mario@example.com>', "mario@example.com"),
        # A display name is never the address.
        ('"mario@example.com" <someone@example.net>', "someone@example.net"),
        ("=?utf-8?q?mario=40example=2Ecom?= <someone@example.net>", "someone@example.net"),
        # Unreadable without guessing, or not one address: nobody.
        ("mario@example.com <someone@example.net>", None),
        ("mario@example.com, someone@example.net", None),
        ("Mario Rossi", None),
        ("undisclosed-recipients:;", None),
    ],
)
def test_the_sender_is_the_one_address_of_the_from_header(sender, address):
    for message_policy in (policy.SMTP, policy.compat32):
        message = message_from_string(f"From: {sender}\n\nHello", policy=message_policy)
        assert replies.sender_address(message) == address, message_policy


def test_no_from_header_no_sender():
    assert replies.sender_address(message_from_string("To: a@example.com\n\nHi")) is None
