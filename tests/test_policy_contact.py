"""Phone numbers and e-mail addresses: usable or not, and why."""

import pytest
from followup_manager_policy import (
    EmailInfo,
    PhoneInfo,
    email_key,
    email_variants,
    normalize_email,
    normalize_phone,
)
from followup_manager_policy.text import strip_bidi_controls
from hypothesis import given
from hypothesis import strategies as st


def test_italian_mobile_can_receive_text_messages():
    info = normalize_phone("+39 347 123 4567")
    assert info == PhoneInfo("+39 347 123 4567", "+393471234567", True, "mobile", True, True, None)


def test_italian_landline_in_national_format_can_be_called_not_texted():
    info = normalize_phone("06 6982 1234", "IT")
    assert (info.e164, info.kind, info.can_call, info.can_sms) == (
        "+390669821234",
        "fixed_line",
        True,
        False,
    )


def test_us_numbers_do_not_say_mobile_or_landline_so_texts_are_tried():
    info = normalize_phone("(650) 253-0000", "US")
    assert (info.e164, info.kind, info.can_sms) == ("+16502530000", "fixed_line_or_mobile", True)


def test_british_mobile_in_national_format():
    info = normalize_phone("07911 123456", "gb")
    assert (info.e164, info.kind, info.can_sms) == ("+447911123456", "mobile", True)


def test_international_prefix_beats_the_partner_country():
    assert normalize_phone("+44 7911 123456", "IT").e164 == "+447911123456"


def test_too_short_number_is_invalid():
    info = normalize_phone("+39 123")
    assert (info.valid, info.error, info.e164, info.kind, info.can_call) == (
        False,
        "invalid",
        None,
        None,
        False,
    )


def test_national_number_without_country_cannot_be_read():
    assert normalize_phone("347 123 4567").error == "no_region"
    assert normalize_phone("347 123 4567", "XX").error == "no_region"


@pytest.mark.parametrize("empty", [None, False, "", "   "])
def test_missing_number(empty):
    info = normalize_phone(empty, "IT")
    assert (info.valid, info.error, info.can_sms) == (False, "missing", False)


def test_garbage_is_unparsable():
    assert normalize_phone("+not a number").error == "unparsable"


@given(st.text(max_size=30), st.sampled_from([None, "IT", "US", "GB", "SA", "", "??"]))
def test_normalize_phone_never_raises(text, country):
    info = normalize_phone(text, country)
    assert info.valid == (info.error is None) == (info.e164 is not None)
    assert info.can_sms <= info.can_call == info.valid


def test_email_is_lowercased():
    assert normalize_email(" Mario.Rossi@Example.IT ") == EmailInfo(
        " Mario.Rossi@Example.IT ", "mario.rossi@example.it", True, None
    )


def test_email_with_a_display_name():
    assert normalize_email('"Rossi, Mario" <mario@example.it>').normalized == "mario@example.it"


@pytest.mark.parametrize(
    "bad",
    [
        "mario",
        "mario@",
        "@example.it",
        "mario@example",
        "ma rio@example.it",
        "mario@@example.it",
        "a@b.it, c@d.it",
        "mario@exa mple.it",
        "mario@.example.it",
        "mario..rossi@example.it",
        "mario@example.it.",
    ],
)
def test_invalid_emails(bad):
    info = normalize_email(bad)
    assert (info.valid, info.normalized, info.error) == (False, None, "invalid")


@pytest.mark.parametrize("empty", [None, False, "", "  "])
def test_missing_email(empty):
    assert normalize_email(empty).error == "missing"


@given(st.text(max_size=40))
def test_normalize_email_never_raises(text):
    info = normalize_email(text)
    assert info.valid == (info.normalized is not None) == (info.error is None)


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u00a0", "\x07"],
)
def test_an_invisible_character_makes_an_address_invalid(invisible):
    """Seen live: a zero-width space in the local part was taken as valid, and every send
    to the address then failed at the mail server."""
    for bad in (f"ma{invisible}rio@example.it", f"mario@exam{invisible}ple.it"):
        info = normalize_email(bad)
        assert (info.valid, info.normalized, info.error) == (False, None, "invalid")


def test_an_address_and_its_punycode_form_have_one_key():
    assert email_key("IDN@Bücher.Example") == "idn@xn--bcher-kva.example"
    assert email_key("idn@xn--bcher-kva.example") == "idn@xn--bcher-kva.example"
    assert email_key("mario@example.it") == "mario@example.it"
    assert email_variants("idn@bücher.example") == {
        "idn@bücher.example",
        "idn@xn--bcher-kva.example",
    }
    assert email_variants("idn@xn--bcher-kva.example") == email_variants("idn@bücher.example")


@given(st.text(max_size=40))
def test_email_key_never_raises(text):
    assert email_key(text) in email_variants(text) | {text.strip().lower()}


def test_bidi_controls_are_taken_out_of_names_in_sentences():
    """Seen live: a right-to-left override in a name reversed the rest of the sentence."""
    details = {
        "partner": "Mario \u202eissoR\u202c",
        "choice": {"refused": [["sms", "\u2067x\u2069"]]},
        "times": 2,
        "date": None,
    }
    assert strip_bidi_controls(details) == {
        "partner": "Mario issoR",
        "choice": {"refused": [["sms", "x"]]},
        "times": 2,
        "date": None,
    }
    assert strip_bidi_controls("Ḿāřïō مريم") == "Ḿāřïō مريم"
