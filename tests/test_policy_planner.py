"""A batch of due steps competing for each partner's contact budget."""

from datetime import datetime, timedelta

from _facts import DEFAULTS, NOW, reachable, verdict
from followup_manager_policy import (
    CHANNELS,
    INTERNAL,
    Request,
    Settings,
    decide,
    plan,
    record_contacts,
    stepping,
)
from followup_manager_policy.planner import claim_order
from hypothesis import given
from hypothesis import strategies as st


def outcome(results):
    return [verdict(decision) for _request, decision in results]


def test_two_sequences_competing_for_one_partner_only_the_first_goes():
    requests = [Request(1, "email", key="welcome"), Request(1, "sms", key="survey")]
    results = plan(requests, {1: reachable()}, DEFAULTS, NOW)
    assert outcome(results) == [("allow", None), ("defer", "cap")]
    assert results[1][1].next_allowed == NOW + timedelta(days=7)


def test_results_keep_the_input_order_and_the_callers_keys():
    requests = [Request(1, "email", key="a"), Request(2, "email", key="b")]
    results = plan(requests, {1: reachable(1), 2: reachable(2)}, DEFAULTS, NOW)
    assert [request.key for request, _decision in results] == ["a", "b"]
    assert outcome(results) == [("allow", None), ("allow", None)]


def test_service_goes_before_marketing_whatever_the_input_order():
    requests = [Request(1, "email", "marketing"), Request(1, "email", "service")]
    assert outcome(plan(requests, {1: reachable()}, DEFAULTS, NOW)) == [
        ("defer", "cap"),
        ("allow", None),
    ]


def test_the_oldest_due_step_goes_first():
    requests = [
        Request(1, "email", due=NOW - timedelta(hours=1)),
        Request(1, "email", due=NOW - timedelta(days=3)),
    ]
    assert outcome(plan(requests, {1: reachable()}, DEFAULTS, NOW)) == [
        ("defer", "cap"),
        ("allow", None),
    ]


def test_internal_tasks_do_not_use_the_budget():
    requests = [Request(1, INTERNAL), Request(1, INTERNAL), Request(1, "email")]
    assert outcome(plan(requests, {1: reachable()}, DEFAULTS, NOW)) == [
        ("allow", None),
        ("allow", None),
        ("allow", None),
    ]


def test_a_suppressed_request_does_not_use_the_budget():
    facts = reachable(refused_channels={"sms"})
    requests = [Request(1, "sms"), Request(1, "email")]
    assert outcome(plan(requests, {1: facts}, DEFAULTS, NOW)) == [
        ("suppress", "channel_refused"),
        ("allow", None),
    ]


def test_each_partner_has_the_cap_of_its_own_company():
    requests = [Request(1, "email"), Request(1, "sms"), Request(2, "email"), Request(2, "sms")]
    settings = {1: Settings(cap_count=1), 2: Settings(cap_count=2)}
    results = plan(requests, {1: reachable(1), 2: reachable(2)}, settings, NOW)
    assert outcome(results) == [
        ("allow", None),
        ("defer", "cap"),
        ("allow", None),
        ("allow", None),
    ]


def test_a_person_of_two_companies_is_decided_by_each_request_company_with_one_count():
    # Company A allows one contact a week, company B three: B's second request still
    # goes, A's is deferred by B's contact (the cap counts every company's contacts).
    policies = {"A": Settings(cap_count=1), "B": Settings(cap_count=3)}
    requests = [
        Request(1, "sms", key="B"),
        Request(1, "email", key="A"),
        Request(1, "phone", key="B"),
    ]
    results = plan(requests, {1: reachable(1)}, lambda request: policies[request.key], NOW)
    assert outcome(results) == [("allow", None), ("defer", "cap"), ("allow", None)]


def test_missing_facts_or_settings_fail_one_request_not_the_batch():
    requests = [Request(9, "email"), Request(1, "email"), Request(2, "email")]
    results = plan(requests, {1: reachable(1), 2: reachable(2)}, {1: DEFAULTS}, NOW)
    assert outcome(results) == [("suppress", "error"), ("allow", None), ("suppress", "error")]
    assert results[0][1].details["error"] == "missing_facts"
    assert results[2][1].details["error"] == "missing_settings"


def test_plan_changes_none_of_its_inputs():
    facts = {1: reachable()}
    requests = [Request(1, "email"), Request(1, "sms")]
    plan(requests, facts, DEFAULTS, NOW)
    assert facts[1].recent_contacts == ()
    assert decide(requests[1], facts[1], DEFAULTS, NOW).allowed


def test_a_forecast_carries_contacts_from_one_day_to_the_next():
    facts = {1: reachable()}
    day_one = plan([Request(1, "email")], facts, DEFAULTS, NOW)
    facts = record_contacts(facts, day_one, NOW)
    next_day = NOW + timedelta(days=1)
    assert outcome(plan([Request(1, "email")], facts, DEFAULTS, next_day)) == [("defer", "cap")]
    a_week_later = NOW + timedelta(days=7)
    assert outcome(plan([Request(1, "email")], facts, DEFAULTS, a_week_later)) == [("allow", None)]


# ----------------------------------------------------------------- property


@st.composite
def batches(draw):
    cap_count = draw(st.integers(min_value=1, max_value=3))
    cap_days = draw(st.integers(min_value=1, max_value=7))
    partner_ids = (1, 2, 3)
    history = {
        pid: tuple(
            NOW - timedelta(hours=h)
            for h in draw(st.lists(st.integers(min_value=1, max_value=24 * 10), max_size=3))
        )
        for pid in partner_ids
    }
    steps = draw(st.lists(st.integers(min_value=1, max_value=60 * 30), min_size=1, max_size=6))
    moments = []
    moment = NOW
    for minutes in steps:
        moment += timedelta(minutes=minutes)
        moments.append(moment)
    request = st.builds(
        Request,
        st.sampled_from(partner_ids),
        st.sampled_from((*CHANNELS, INTERNAL)),
        st.sampled_from(["marketing", "service"]),
    )
    batches_ = [draw(st.lists(request, max_size=6)) for _moment in moments]
    return (
        Settings(
            cap_count=cap_count,
            cap_days=cap_days,
            window_start=0.0,
            window_end=24.0,
            business_days=False,
        ),
        history,
        list(zip(moments, batches_, strict=True)),
    )


@given(case=batches())
def test_plan_never_allows_more_than_cap_count_contacts_in_any_window(case):
    settings, history, timeline = case
    facts = {pid: reachable(pid, recent_contacts=contacts) for pid, contacts in history.items()}
    allowed: dict[int, list[datetime]] = {pid: [] for pid in history}
    for moment, requests in timeline:
        results = plan(requests, facts, settings, moment)
        for request, decision in results:
            if decision.allowed and request.channel != INTERNAL:
                allowed[request.partner_id].append(moment)
        facts = record_contacts(facts, results, moment)
    window = timedelta(days=settings.cap_days)
    for pid, moments in allowed.items():
        everything = [*history[pid], *moments]
        for end in moments:
            inside = [c for c in everything if end - window < c <= end]
            assert len(inside) <= settings.cap_count, (pid, end)


# --------------------------------------------------------------------------- claim order


def test_claim_order_takes_the_oldest_due_first_then_the_lowest_id():
    rows = [(NOW, 3), (NOW - timedelta(hours=1), 9), (NOW, 2)]
    assert sorted(rows, key=lambda row: claim_order(*row)) == [
        (NOW - timedelta(hours=1), 9),
        (NOW, 2),
        (NOW, 3),
    ]


# --------------------------------------------------------------------------- stepping


def _steps():
    return (
        stepping.StepTiming("call", 0, "hours"),
        stepping.StepTiming("mail", 2, "days"),
        stepping.StepTiming("last", 1, "business_days"),
    )


def test_a_step_behind_moves_to_the_next_one_after_its_delay_in_the_partners_calendar():
    friday_10_rome = datetime(2026, 11, 27, 9, 0)
    move = stepping.move_on(stepping.BEHIND, friday_10_rome, "call", _steps(), "Europe/Rome")
    assert move == stepping.Move(stepping.ADVANCE, "mail", datetime(2026, 11, 29, 9, 0))
    assert move.continues
    # One business day from Friday in Rome: Monday, same local time.
    move = stepping.move_on(
        stepping.BEHIND, friday_10_rome, "mail", _steps(), "Europe/Rome", {5, 6}
    )
    assert move == stepping.Move(stepping.ADVANCE, "last", datetime(2026, 11, 30, 9, 0))


def test_the_last_step_behind_or_a_step_no_longer_in_the_sequence_finishes():
    for current in ("last", "removed"):
        move = stepping.move_on(stepping.BEHIND, NOW, current, _steps())
        assert move == stepping.Move(stepping.FINISH)
        assert not move.continues
    assert stepping.move_on(stepping.END, NOW) == stepping.Move(stepping.FINISH)


def test_a_deferred_step_waits_for_its_next_try_never_less_than_a_second():
    later = NOW + timedelta(hours=3)
    assert stepping.move_on(stepping.WAIT, NOW, "mail", next_try=later) == stepping.Move(
        stepping.WAIT, "mail", later
    )
    for next_try in (NOW, NOW - timedelta(minutes=5), None):
        move = stepping.move_on(stepping.WAIT, NOW, "mail", next_try=next_try)
        assert move.next_date == NOW + stepping.RETRY_FLOOR
        assert not stepping.is_due(move.next_date, NOW)


def test_a_stop_carries_its_reason_and_an_unknown_progress_is_refused():
    move = stepping.move_on(stepping.STOP, NOW, "mail", stop_reason="partner_archived")
    assert move == stepping.Move(stepping.STOP, stop_reason="partner_archived")
    assert not move.continues
    try:
        stepping.move_on("done", NOW)
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown progress must be refused")


@given(st.integers(min_value=0, max_value=400), st.sampled_from(["hours", "days", "weeks"]))
def test_the_next_step_is_never_due_before_the_decision(delay, unit):
    steps = (stepping.StepTiming("a"), stepping.StepTiming("b", delay, unit))
    move = stepping.move_on(stepping.BEHIND, NOW, "a", steps, "America/New_York")
    assert move.kind == stepping.ADVANCE
    assert move.next_date >= NOW
    assert stepping.is_due(move.next_date, move.next_date)


def test_a_step_whose_next_one_waits_for_an_event_holds_it_without_a_date():
    move = stepping.move_on(stepping.HOLD, NOW, "call", _steps())
    assert move == stepping.Move(stepping.HOLD, "mail")
    assert move.next_date is None
    assert not move.continues, "nothing is due until the event schedules it"
    # The last step waits for nothing: the follow-up is finished.
    assert stepping.move_on(stepping.HOLD, NOW, "last", _steps()) == stepping.Move(stepping.FINISH)


# --------------------------------------------------------------------------- daily limits


def test_a_daily_limit_defers_exactly_the_excess_to_the_next_day():
    from followup_manager_policy.planner import DailyLimits

    tomorrow = NOW + timedelta(days=1)
    requests = [
        Request(partner, "phone", key=partner, limit_key=("tasks", 7)) for partner in (1, 2, 3)
    ]
    facts = {partner: reachable(partner) for partner in (1, 2, 3)}
    limits = DailyLimits({("tasks", 7): 2}, {("tasks", 7): 1}, {("tasks", 7): tomorrow})
    results = plan(requests, facts, DEFAULTS, NOW, limits)
    assert outcome(results) == [("allow", None), ("defer", "user_limit"), ("defer", "user_limit")]
    assert all(decision.next_allowed >= tomorrow for _r, decision in results[1:])
    assert results[1][1].details["limit"] == 2
    # Without limits, all three go.
    assert outcome(plan(requests, facts, DEFAULTS, NOW)) == [("allow", None)] * 3
