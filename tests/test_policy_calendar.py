"""Local time of the person contacted: weekends, zones, windows, DST and delays."""

from datetime import date, datetime, timedelta

import followup_manager_policy as policy
import pytest
from _facts import ROME, rome
from followup_manager_policy import (
    add_delay,
    is_allowed_time,
    next_allowed_time,
    resolve_tz,
    time_block_reason,
    to_local,
    to_utc,
    weekend_days,
)
from hypothesis import given
from hypothesis import strategies as st

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
NEW_YORK = "America/New_York"


# ----------------------------------------------------------------- weekends by country


def test_italian_weekend_is_saturday_and_sunday():
    assert weekend_days("IT") == {SAT, SUN}


@pytest.mark.parametrize("country", ["SA", "IL"])
def test_weekend_is_friday_and_saturday_where_cldr_says_so(country):
    assert weekend_days(country) == {FRI, SAT}


def test_india_rests_on_sunday_only():
    assert weekend_days("IN") == {SUN}


def test_a_single_day_weekend_that_is_not_sunday():
    assert weekend_days("IR") == {FRI}


@pytest.mark.parametrize("country", [None, "", "ZZ", "XX", False, "it "])
def test_unknown_or_missing_country_gets_the_world_weekend(country):
    assert weekend_days(country) == {SAT, SUN}


def test_country_code_case_and_aliases_do_not_matter():
    assert weekend_days("sa") == {FRI, SAT}
    assert weekend_days("UK") == weekend_days("GB") == {SAT, SUN}


def test_every_known_territory_has_a_weekend_of_one_to_three_days():
    for territory in policy.weekends._locale_by_territory():
        assert 1 <= len(weekend_days(territory)) <= 3, territory


# ----------------------------------------------------------------- time zone fallbacks


def test_partner_zone_wins_when_valid():
    assert resolve_tz("Asia/Tokyo", "IT", None, ROME) == ("Asia/Tokyo", "partner")


def test_country_with_a_single_zone_gives_it():
    assert resolve_tz(False, "IT") == (ROME, "country")


def test_us_state_decides_the_zone():
    assert resolve_tz(None, "US", "CA") == ("America/Los_Angeles", "state")
    assert resolve_tz(None, "US", "ny") == (NEW_YORK, "state")
    assert resolve_tz(None, "US", "AZ") == ("America/Phoenix", "state")


@pytest.mark.parametrize(
    ("country", "state", "zone"),
    [
        ("CA", "QC", "America/Toronto"),
        ("AU", "WA", "Australia/Perth"),
        ("BR", "SP", "America/Sao_Paulo"),
        ("MX", "ROO", "America/Cancun"),
    ],
)
def test_other_multi_zone_countries_use_the_state(country, state, zone):
    assert resolve_tz(None, country, state) == (zone, "state")


def test_dominant_zone_is_assumed_where_nearly_everybody_lives_in_it():
    assert resolve_tz(None, "ES") == ("Europe/Madrid", "country")


def test_multi_zone_country_without_state_falls_back_to_the_company():
    assert resolve_tz(None, "US", None, ROME) == (ROME, "company")
    assert resolve_tz(None, "US", "??", ROME) == (ROME, "company")


def test_nothing_known_means_utc():
    assert resolve_tz(None) == ("UTC", "default")
    assert resolve_tz(False, False, False, False) == ("UTC", "default")


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "   ", 42, "Europe/", "../etc/passwd"])
def test_invalid_names_are_skipped_never_raised(bad):
    assert resolve_tz(bad, "IT") == (ROME, "country")
    assert resolve_tz(None, bad, bad, bad) == ("UTC", "default")


def test_every_mapped_zone_is_a_real_zone():
    tables = [*policy.timezones._STATE_ZONES.values(), policy.timezones._MAIN_ZONES]
    for table in tables:
        for zone in table.values():
            assert policy.timezones._zone_name(zone) == zone


def test_calendar_helpers_refuse_an_unknown_zone_loudly():
    with pytest.raises(ValueError, match="resolve_tz"):
        to_local(datetime(2025, 1, 1), "Mars/Olympus")


# ----------------------------------------------------------------- window edges (Rome)

# Wednesday 15 January 2025 (rome()'s default day); Rome is UTC+1 in winter.
WED_JAN = datetime(2025, 1, 15)


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"),
    [(8, 59, False), (9, 0, True), (18, 59, True), (19, 0, False)],
)
def test_window_edges_in_rome_local_time(hour, minute, allowed):
    now = rome(hour, minute)
    assert is_allowed_time(now, ROME, 9.0, 19.0) is allowed
    expected = now if allowed else next_allowed_time(now, ROME, 9.0, 19.0)
    assert next_allowed_time(now, ROME, 9.0, 19.0) == expected


def test_just_before_the_window_waits_one_minute():
    assert next_allowed_time(rome(8, 59), ROME, 9.0, 19.0) == rome(9, 0)


def test_at_window_end_waits_for_next_morning():
    assert next_allowed_time(rome(19, 0), ROME, 9.0, 19.0) == rome(
        9, 0, WED_JAN + timedelta(days=1)
    )


def test_friday_evening_waits_for_monday_in_italy():
    friday = datetime(2025, 1, 17)
    now = rome(20, 0, friday)
    assert next_allowed_time(now, ROME, 9.0, 19.0, weekend_days("IT")) == rome(
        9, 0, datetime(2025, 1, 20)
    )


def test_friday_is_off_in_saudi_arabia_but_sunday_is_not():
    riyadh = "Asia/Riyadh"
    thursday_night = to_utc(datetime(2025, 1, 16, 20, 0), riyadh)
    assert next_allowed_time(thursday_night, riyadh, 9.0, 19.0, weekend_days("SA")) == to_utc(
        datetime(2025, 1, 19, 9, 0), riyadh
    )


def test_window_until_midnight_includes_the_last_minute():
    now = rome(23, 59)
    assert is_allowed_time(now, ROME, 9.0, 24.0)
    assert next_allowed_time(now, ROME, 9.0, 24.0) == now


def test_overnight_window_wraps_midnight():
    assert is_allowed_time(rome(23, 0), ROME, 22.0, 6.0)
    assert is_allowed_time(rome(5, 59), ROME, 22.0, 6.0)
    assert next_allowed_time(rome(12, 0), ROME, 22.0, 6.0) == rome(22, 0)


def test_preferred_hours_narrow_the_window():
    assert next_allowed_time(rome(9, 0), ROME, 9.0, 19.0, (), (14.0, 16.0)) == rome(14, 0)


def test_preferred_hours_outside_the_window_win():
    # She asked for evening calls: 20:00 is better than never.
    assert next_allowed_time(rome(9, 0), ROME, 9.0, 19.0, (), (20.0, 21.0)) == rome(20, 0)


def test_a_weekend_of_seven_days_is_ignored_instead_of_waiting_forever():
    now = rome(10, 0)
    assert next_allowed_time(now, ROME, 9.0, 19.0, range(7)) == now


def test_half_hour_window_edges():
    assert next_allowed_time(rome(8, 0), ROME, 9.5, 19.0) == rome(9, 30)


# ----------------------------------------------------------------- DST

# Rome: 2025-03-30 02:00 CET -> 03:00 CEST; 2025-10-26 03:00 CEST -> 02:00 CET.
# New York: 2025-03-09 02:00 EST -> 03:00 EDT; 2025-11-02 02:00 EDT -> 01:00 EST.


def test_rome_spring_forward_nine_o_clock_is_one_hour_earlier_in_utc():
    saturday_evening = datetime(2025, 3, 29, 19, 0)  # 20:00 CET
    assert next_allowed_time(saturday_evening, ROME, 9.0, 19.0) == datetime(2025, 3, 30, 7, 0)


def test_rome_spring_forward_weekend_then_monday_in_summer_time():
    saturday_evening = datetime(2025, 3, 29, 19, 0)
    monday_nine_cest = datetime(2025, 3, 31, 7, 0)
    assert next_allowed_time(saturday_evening, ROME, 9.0, 19.0, weekend_days("IT")) == (
        monday_nine_cest
    )


def test_rome_fall_back_nine_o_clock_is_one_hour_later_in_utc():
    saturday_evening = datetime(2025, 10, 25, 18, 0)  # 20:00 CEST
    assert next_allowed_time(saturday_evening, ROME, 9.0, 19.0) == datetime(2025, 10, 26, 8, 0)


def test_window_start_inside_the_skipped_hour_opens_when_clocks_jump():
    before = datetime(2025, 3, 30, 0, 30)  # 01:30 CET
    # 02:30 does not exist that night: the first moment after it is 03:00 CEST = 01:00 UTC.
    assert next_allowed_time(before, ROME, 2.5, 4.0) == datetime(2025, 3, 30, 1, 0)


def test_window_entirely_inside_the_skipped_hour_waits_a_day():
    before = datetime(2025, 3, 9, 5, 0)  # 00:00 EST
    assert next_allowed_time(before, NEW_YORK, 2.0, 3.0) == datetime(2025, 3, 10, 6, 0)


def test_repeated_hour_uses_its_first_occurrence():
    before = datetime(2025, 11, 2, 5, 0)  # 01:00 EDT
    assert next_allowed_time(before, NEW_YORK, 1.5, 1.75) == datetime(2025, 11, 2, 5, 30)


def test_repeated_hour_second_occurrence_when_the_first_has_passed():
    during = datetime(2025, 11, 2, 6, 0)  # 01:00 EST, the second pass
    assert next_allowed_time(during, NEW_YORK, 1.5, 1.75) == datetime(2025, 11, 2, 6, 30)


def test_clocks_falling_back_into_the_window_open_it_at_once():
    after_window = datetime(2025, 10, 26, 0, 45)  # 02:45 CEST, window 01:30-02:30
    # At 01:00 UTC clocks go back to 02:00 CET, inside the window again.
    assert next_allowed_time(after_window, ROME, 1.5, 2.5) == datetime(2025, 10, 26, 1, 0)


def test_to_utc_of_skipped_and_repeated_local_times():
    assert to_utc(datetime(2025, 3, 30, 2, 30), ROME) == datetime(2025, 3, 30, 1, 0)
    assert to_utc(datetime(2025, 10, 26, 2, 30), ROME) == datetime(2025, 10, 26, 0, 30)


# ----------------------------------------------------------------- delays


def test_business_day_delay_skips_the_weekend_keeping_local_time():
    friday_ten = rome(10, 0, datetime(2025, 1, 17))
    assert add_delay(friday_ten, 1, "business_days", ROME, weekend_days("IT")) == rome(
        10, 0, datetime(2025, 1, 20)
    )


def test_business_days_from_a_saturday_count_from_monday():
    saturday = rome(10, 0, datetime(2025, 1, 18))
    weekend = weekend_days("IT")
    assert add_delay(saturday, 0, "business_days", ROME, weekend) == rome(
        10, 0, datetime(2025, 1, 20)
    )
    assert add_delay(saturday, 1, "business_days", ROME, weekend) == rome(
        10, 0, datetime(2025, 1, 21)
    )


def test_business_days_in_a_friday_saturday_country():
    riyadh = "Asia/Riyadh"
    thursday = to_utc(datetime(2025, 1, 16, 10, 0), riyadh)
    assert add_delay(thursday, 1, "business_days", riyadh, weekend_days("SA")) == to_utc(
        datetime(2025, 1, 19, 10, 0), riyadh
    )


def test_ten_business_days_are_two_weeks():
    monday = rome(10, 0, datetime(2025, 1, 13))
    assert add_delay(monday, 10, "business_days", ROME, weekend_days("IT")) == rome(
        10, 0, datetime(2025, 1, 27)
    )


def test_business_day_delay_over_dst_keeps_local_time():
    friday = datetime(2025, 3, 28, 9, 0)  # 10:00 CET
    assert add_delay(friday, 1, "business_days", ROME, weekend_days("IT")) == datetime(
        2025, 3, 31, 8, 0
    )


def test_a_day_keeps_local_time_but_24_hours_do_not():
    saturday = datetime(2025, 3, 29, 9, 0)  # 10:00 CET
    assert add_delay(saturday, 1, "days", ROME) == datetime(2025, 3, 30, 8, 0)
    assert add_delay(saturday, 24, "hours", ROME) == datetime(2025, 3, 30, 9, 0)


def test_weeks_are_seven_days():
    start = datetime(2025, 1, 15, 9, 0)
    assert add_delay(start, 2, "weeks", ROME) == add_delay(start, 14, "days", ROME)


@pytest.mark.parametrize("unit", policy.DELAY_UNITS)
def test_negative_delays_are_refused(unit):
    with pytest.raises(ValueError):
        add_delay(datetime(2025, 1, 1), -1, unit)


def test_unknown_units_and_fractional_business_days_are_refused():
    with pytest.raises(ValueError):
        add_delay(datetime(2025, 1, 1), 1, "fortnights")
    with pytest.raises(ValueError):
        add_delay(datetime(2025, 1, 1), 1.5, "business_days")


# ----------------------------------------------------------------- properties

ZONES = [
    "UTC",
    ROME,
    NEW_YORK,
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Riyadh",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Chatham",
    "America/St_Johns",
    "America/Sao_Paulo",
]
naive_moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31))
quarter_hours = st.integers(min_value=0, max_value=96).map(lambda q: q / 4)
weekends = st.frozensets(st.integers(min_value=0, max_value=6), max_size=6)


@st.composite
def windows(draw):
    start = draw(st.integers(min_value=0, max_value=95))
    end = draw(st.integers(min_value=start + 1, max_value=96))
    return start / 4, end / 4


preferred = st.none() | windows()


@given(
    now=naive_moments,
    tz=st.sampled_from(ZONES),
    window=windows(),
    weekend=weekends,
    hours=preferred,
)
def test_next_allowed_time_is_never_before_now_and_always_allowed(now, tz, window, weekend, hours):
    result = next_allowed_time(now, tz, *window, weekend, hours)
    assert now <= result <= now + timedelta(days=10)
    assert is_allowed_time(result, tz, *window, weekend, hours)
    local = to_local(result, tz)
    assert local.weekday() not in weekend
    effective = policy.hours._effective_intervals(*window, hours)
    assert policy.hours._inside(local, effective)


@given(now=naive_moments, tz=st.sampled_from(ZONES), window=windows(), weekend=weekends)
def test_next_allowed_time_is_the_earliest_allowed_moment(now, tz, window, weekend):
    result = next_allowed_time(now, tz, *window, weekend)
    # Every zone offset, transition and window edge here is on a quarter hour, so any
    # allowed stretch before the answer would contain a quarter-hour UTC instant.
    probe = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    while probe < result:
        if probe >= now:
            assert not is_allowed_time(probe, tz, *window, weekend), probe
        probe += timedelta(minutes=15)


@given(
    start=naive_moments,
    tz=st.sampled_from(ZONES),
    weekend=weekends,
    unit=st.sampled_from(policy.DELAY_UNITS),
    delays=st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=2),
)
def test_add_delay_is_monotonic_in_the_delay(start, tz, weekend, unit, delays):
    small, large = sorted(delays)
    first = add_delay(start, small, unit, tz, weekend)
    second = add_delay(start, large, unit, tz, weekend)
    assert first <= second
    assert start <= add_delay(start, 0, unit, tz, weekend) <= first


# --------------------------------------------------------------------------- holidays


def test_a_business_day_delay_skips_a_public_holiday():
    # Monday 7 December 2026, 10:00 in Rome; Tuesday 8 December is a holiday in Italy.
    monday = datetime(2026, 12, 7, 9, 0)
    plain = add_delay(monday, 1, "business_days", "Europe/Rome", {5, 6})
    assert plain == datetime(2026, 12, 8, 9, 0)
    skipped = add_delay(monday, 1, "business_days", "Europe/Rome", {5, 6}, {date(2026, 12, 8)})
    assert skipped == datetime(2026, 12, 9, 9, 0)
    # Started on the holiday itself: rolls forward like a weekend day.
    on_holiday = add_delay(
        datetime(2026, 12, 8, 9, 0),
        0,
        "business_days",
        "Europe/Rome",
        {5, 6},
        {date(2026, 12, 8)},
    )
    assert on_holiday == datetime(2026, 12, 9, 9, 0)


def test_no_contact_on_a_public_holiday_and_the_next_slot_is_after_it():
    christmas = {date(2026, 12, 25), date(2026, 12, 26)}
    noon = datetime(2026, 12, 25, 11, 0)  # Friday, 12:00 in Rome
    assert time_block_reason(noon, "Europe/Rome", 9, 19, {5, 6}, None, christmas) == "holiday"
    # Saturday 26 (holiday and weekend), Sunday: Monday 28 at 9:00 in Rome.
    assert next_allowed_time(noon, "Europe/Rome", 9, 19, {5, 6}, None, christmas) == datetime(
        2026, 12, 28, 8, 0
    )


@given(
    st.integers(min_value=0, max_value=40),
    st.sets(st.integers(min_value=0, max_value=60), max_size=20),
)
def test_business_days_never_land_on_a_holiday_or_a_weekend(delay, offsets):
    start = datetime(2026, 3, 2, 9, 0)
    holidays = {date(2026, 3, 2) + timedelta(days=offset) for offset in offsets}
    due = add_delay(start, delay, "business_days", "Europe/Rome", {5, 6}, holidays)
    local = to_local(due, "Europe/Rome")
    assert local.weekday() not in (5, 6)
    assert local.date() not in holidays
    assert next_allowed_time(due, "Europe/Rome", 0, 24, {5, 6}, None, holidays) == due


# --------------------------------------------------------------------------- holidays


def test_a_holiday_ending_in_9999_gives_the_lookahead_only():
    holiday_days = policy.calendar.holiday_days
    lookahead = policy.calendar.HOLIDAY_LOOKAHEAD_DAYS
    now = datetime(2026, 11, 30, 9, 0)
    days = holiday_days(datetime(2026, 11, 29), datetime(9999, 12, 31, 23, 59, 59), ROME, now)
    assert min(days) == date(2026, 11, 29)
    assert max(days) == date(2026, 11, 30) + timedelta(days=lookahead)
    assert len(days) == lookahead + 2


def test_a_holiday_keeps_its_local_dates_and_ends_before_midnight():
    holiday_days = policy.calendar.holiday_days
    now = datetime(2026, 12, 1, 9, 0)
    # 25-26 December in Rome (UTC+1): from 24 December 23:00 UTC to 26 December 23:00.
    days = holiday_days(datetime(2026, 12, 24, 23), datetime(2026, 12, 26, 23), ROME, now)
    assert days == {date(2026, 12, 25), date(2026, 12, 26)}
    # Past holidays and those beyond the lookahead are not read.
    assert not holiday_days(datetime(2026, 1, 1), datetime(2026, 1, 2), ROME, now)
    assert not holiday_days(datetime(2030, 1, 1), datetime(2030, 1, 2), ROME, now)
