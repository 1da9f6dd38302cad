"""Benchmark on a large base. Run by ``bin/benchmark --scale`` through ``odoo-bin shell``
on a copy of the test template seeded with FM_SCALE_CONTACTS contacts (one in five with
a confirmed order, see scale_seed.sql) on which followup_manager was then installed.

Printed in one run (times in seconds; ratios of measures taken in the same run):
- consents in every state (pending, granted by consent or soft opt-in, withdrawn), seeded;
- the lifecycle pass over all contacts (``_cron_followup_lifecycle``);
- enroll() of 10k and 50k contacts vs the bare ``followup.enrollment`` batch create of
  the same rows (same values, in a savepoint rolled back), and their ratio;
- the forecast of a sequence with 10k, 50k and 100k enrolled, as configured (sampled
  beyond ``followup_manager.forecast_sample_size``, said) and with every enrollment
  simulated (FM_SCALE_UNSAMPLED=0 to skip);
- the dispatch with nothing due over every enrollment (the cron's most frequent run);
- ``followup_check`` of 10k contacts.
"""

import os
import statistics
import time

import odoo
from odoo import fields
from odoo.tools import SQL

CONTACTS = int(os.environ.get("FM_SCALE_CONTACTS", "100000"))
ENROLLS = [int(n) for n in os.environ.get("FM_SCALE_ENROLLS", "10000,50000").split(",") if n]
FORECASTS = [
    int(n) for n in os.environ.get("FM_SCALE_FORECASTS", "10000,50000,100000").split(",") if n
]
CHECKS = int(os.environ.get("FM_SCALE_CHECKS", "10000"))
# Also time each forecast with every enrollment simulated (no sample).
UNSAMPLED = os.environ.get("FM_SCALE_UNSAMPLED", "1") == "1"

cr = env.cr  # noqa: F821 - given by odoo-bin shell
env = env  # noqa: F821, PLW0127
quiet = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))


def timed(function):
    env.flush_all()
    env.invalidate_all()
    start_queries, start = odoo.sql_db.sql_counter, time.perf_counter()
    result = function()
    env.flush_all()
    return result, time.perf_counter() - start, odoo.sql_db.sql_counter - start_queries


def rolled_back(function):
    env.flush_all()
    with cr.savepoint(flush=False) as savepoint:
        result = timed(function)
        savepoint.rollback()
    cr.postcommit.clear()
    env.invalidate_all()
    return result


def scale_partners():
    return quiet["res.partner"].search([("name", "=like", "Scale Contact %")], order="id")


def seed_consents(partners):
    """Consents in every state, in SQL (the ORM's per-row events would take minutes):
    a third granted by consent, a sixth by soft opt-in, a sixth withdrawn, a sixth
    pending, the rest without any record."""
    ids = partners.ids
    groups = [
        (ids[0::6] + ids[1::6], "granted", "consent"),
        (ids[2::6], "granted", "soft_opt_in"),
        (ids[3::6], "withdrawn", "consent"),
        (ids[4::6], "pending", None),
    ]
    for group, state, basis in groups:
        env.execute_query(
            SQL(
                "INSERT INTO followup_consent (partner_id, channel, state, legal_basis, "
                "source, date, create_uid, write_uid, create_date, write_date) "
                "SELECT unnest(%s::int[]), 'email', %s, %s, 'benchmark', now(), 1, 1, "
                "now(), now()",
                group,
                state,
                basis,
            )
        )
    cr.commit()
    return {f"{state}/{basis or '-'}": len(group) for group, state, basis in groups}


def make_sequence(name, partner_domain=None):
    """A marketing sequence of two steps (a call, then an e-mail), fired by inactivity
    (enrolled by hand here); with ``partner_domain``, a manual one whose "Who May Enter"
    is that domain."""
    call = env.ref("mail.mail_activity_data_call")
    template = env.ref("followup_manager.mail_template_followup_partner_help")
    who = {"trigger": "partner_inactive"}
    if partner_domain:
        who = {"trigger": "manual", "partner_domain": repr(partner_domain)}
    return quiet["followup.sequence"].create(
        {
            "name": name,
            "purpose": "marketing",
            **who,
            "step_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Call",
                        "delay": 1,
                        "delay_unit": "days",
                        "action": "activity",
                        "channel": "phone",
                        "activity_type_id": call.id,
                    },
                ),
                (
                    0,
                    0,
                    {
                        "name": "E-mail",
                        "delay": 3,
                        "delay_unit": "days",
                        "action": "email",
                        "mail_template_id": template.id,
                    },
                ),
            ],
        }
    )


def bench_enroll(partners, size):
    sequence = make_sequence(f"Scale enroll {size}")
    ids = partners[:size].ids
    Enrollment = env["followup.enrollment"]
    now = fields.Datetime.now()
    dates = Enrollment._followup_due_dates([(pid, sequence.step_ids[:1]) for pid in ids], now)
    vals = [
        {
            "sequence_id": sequence.id,
            "partner_id": pid,
            "origin_model": "res.partner",
            "origin_id": pid,
            "date_start": now,
            "next_step_id": sequence.step_ids[:1].id,
            "next_date": due,
        }
        for pid, due in zip(ids, dates, strict=True)
    ]
    context = {"mail_create_nolog": True, "mail_create_nosubscribe": True, "mail_notrack": True}
    _r, bare, bare_q = rolled_back(lambda: Enrollment.with_context(**context).create(vals))
    _r, ours, ours_q = rolled_back(lambda: sequence.enroll(ids))
    sequence.active = False
    return size, ours, ours_q, bare, bare_q


def enroll_by_sql(sequence, partner_ids):
    """Enrollments as enroll() writes them, in SQL (to build 100k quickly)."""
    step = sequence.step_ids[:1]
    env.execute_query(
        SQL(
            "INSERT INTO followup_enrollment (sequence_id, partner_id, company_id, "
            "origin_model, origin_id, state, next_step_id, next_date, date_start, "
            "create_uid, write_uid, create_date, write_date) "
            "SELECT %s, pid, %s, 'res.partner', pid, 'active', %s, "
            "now() at time zone 'UTC' + interval '1 day' + mod(pid, 600) * interval '1 minute', "
            "now() at time zone 'UTC', 1, 1, now(), now() FROM unnest(%s::int[]) pid",
            sequence.id,
            sequence.company_id.id,
            step.id,
            partner_ids,
        )
    )
    env.execute_query(SQL("ANALYZE followup_enrollment"))
    cr.commit()


def bench_forecast(partners, size):
    """Forecasts of a sequence with ``size`` enrolled and nobody else to take in (a
    manual sequence whose "Who May Enter" is exactly them): as configured (sampled
    beyond the sample size) and, with UNSAMPLED, every enrollment simulated. The
    enrollments of the earlier forecasts' sequences are finished first, so that the
    last one leaves exactly ``size`` active enrollments."""
    env.execute_query(
        SQL(
            "UPDATE followup_enrollment SET state = 'done', next_date = NULL "
            "WHERE state = 'active'"
        )
    )
    chosen = partners[:size]
    domain = [("name", "=like", "Scale Contact %"), ("id", "<=", chosen[-1].id)]
    sequence = make_sequence(f"Scale forecast {size}", domain)
    enroll_by_sql(sequence, chosen.ids)
    Param = env["ir.config_parameter"].sudo()
    configured = Param.get_param("followup_manager.forecast_sample_size")
    runs = [("configured", None)] + ([("unsampled", size)] if UNSAMPLED else [])
    results = []
    for label, sample_size in runs:
        if sample_size:
            Param.set_param("followup_manager.forecast_sample_size", sample_size)
        cr.commit()
        forecast, elapsed, queries = timed(
            lambda: env["followup.forecast"]._followup_run(sequence, days=30)
        )
        assumptions = forecast.assumptions or ""
        results.append(
            (
                size,
                label,
                elapsed,
                queries,
                forecast.done_count,
                forecast.deferred_count,
                forecast.suppressed_count,
                "Sampled" in assumptions,
            )
        )
        assert forecast.enrolled_count == size and not forecast.matching_count, assumptions
        cr.rollback()
    Param.set_param("followup_manager.forecast_sample_size", configured or False)
    cr.commit()
    return results


def bench_idle():
    runs = []
    for _run in range(5):
        env.invalidate_all()
        start_queries, start = odoo.sql_db.sql_counter, time.perf_counter()
        dispatches = env["followup.dispatcher"]._dispatch_due()
        runs.append((time.perf_counter() - start, odoo.sql_db.sql_counter - start_queries))
        assert not dispatches, len(dispatches)
    cr.rollback()
    active = env.execute_query(
        SQL("SELECT count(*) FROM followup_enrollment WHERE state = 'active'")
    )[0][0]
    return active, runs


def main():
    started = time.perf_counter()
    # Demo follow-ups must not take part.
    quiet["followup.enrollment"].search([("state", "=", "active")]).write(
        {"state": "done", "next_date": False}
    )
    quiet["followup.sequence"].search([]).write({"active": False})
    cr.commit()
    partners = scale_partners()
    print(f"{len(partners)} seeded contacts; {env['res.partner'].search_count([])} in all")
    consents = seed_consents(partners)
    print("E-mail consents seeded:", ", ".join(f"{k} {v}" for k, v in consents.items()))
    _r, lifecycle, lifecycle_q = timed(lambda: env["res.partner"]._cron_followup_lifecycle())
    cr.commit()
    stages = dict(env["res.partner"]._read_group([], ["lifecycle_stage"], ["__count"]))
    print(
        f"\nLifecycle pass over all contacts: {lifecycle:.1f} s, {lifecycle_q} queries "
        f"(stages now: {', '.join(f'{k}: {v}' for k, v in stages.items())})"
    )
    print("\nenroll() vs the bare followup.enrollment create of the same rows")
    print(f"{'N':>7} {'enroll s':>9} {'SQL':>6} {'bare s':>8} {'SQL':>6} {'ratio':>6}")
    for size in ENROLLS:
        n, ours, ours_q, bare, bare_q = bench_enroll(partners, size)
        print(
            f"{n:>7} {ours:>9.2f} {ours_q:>6} {bare:>8.2f} {bare_q:>6} {ours / bare:>6.2f}",
            flush=True,
        )
    print("(target: ratio <= 1.5)")
    sample = env["followup.forecast"]._followup_sample_limit()
    print(f"\nForecast of a sequence (30 days, 2 steps; sample size {sample})")
    print(
        f"{'enrolled':>9} {'run':>11} {'s':>7} {'SQL':>5} {'done':>7} {'deferred':>8} "
        f"{'suppressed':>10} sampled"
    )
    for size in FORECASTS:
        for n, label, elapsed, queries, done, deferred, suppressed, sampled in bench_forecast(
            partners, size
        ):
            print(
                f"{n:>9} {label:>11} {elapsed:>7.2f} {queries:>5} {done:>7} {deferred:>8} "
                f"{suppressed:>10} {'yes' if sampled else 'no'}",
                flush=True,
            )
    print("(target: 100,000 enrolled under 10 s)")
    active, runs = bench_idle()
    times = sorted(elapsed for elapsed, _q in runs)
    print(
        f"\nDispatch with nothing due over {active} active enrollments: median "
        f"{statistics.median(times) * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms, "
        f"{runs[-1][1]} queries"
    )
    checked = partners[:CHECKS]
    # The answer's codes (no language in the context), then with its sentences.
    codes = checked.with_context(lang=None)
    _r, check, check_q = timed(lambda: codes.followup_check("email"))
    print(
        f"\nfollowup_check('email') of {len(checked)} contacts: {check:.2f} s, {check_q} "
        "queries (codes)"
    )
    worded = checked.with_context(lang="en_US")
    _r, check, check_q = timed(lambda: worded.followup_check("email"))
    print(f"  with the sentences (lang en_US): {check:.2f} s, {check_q} queries")
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    cr.rollback()


main()
