"""Benchmark of the dispatch engine. Run by bin/benchmark through ``odoo-bin shell``
(``env`` is given, superuser, like the dispatch cron's user) on a throw-away database.

The data is committed and analyzed first, as in production: N partners, each with a
salesperson (one of 20 users, none of them the user running the dispatch), enrolled in a
service sequence whose first step (a phone call activity) is due. The baselines run in a
savepoint that is rolled back; the dispatch runs as the cron does (a commit per batch),
then its output is deleted, so that every measurement starts from the same state.

Printed for each N (FM_BENCH_SIZES):
- ours: the dispatch (claim, facts, plan, log, activities, enrollments moved on),
  steps per second and SQL queries per step;
- (a) ours / a bare ``mail.activity.create(vals_list)`` of the same N activities, same
  records and assignees, with Odoo's quick-update context (the floor inside Odoo); best
  of FM_BENCH_ACTIVITY_REPEATS alternate runs each (the dispatch committed, its output
  deleted and the partners enrolled again between runs);
- (b) a loop of ``activity_schedule`` per record / ours; the loop is timed on a sample
  (FM_BENCH_LOOP_SAMPLE records) and extrapolated per record to N.
Then, for FM_BENCH_EMAILS e-mail steps (queued in mail.mail, not sent): steps per second,
SQL per step, and (c) ours / Odoo's own ``mail.template.send_mail_batch`` of the same
template to the same partners (best of FM_BENCH_EMAIL_REPEATS alternate runs); then the
time of a run with nothing due over FM_BENCH_EMPTY enrolled partners.
"""

import os
import statistics
import time
from datetime import datetime, timedelta

import odoo
from odoo import fields
from odoo.tools import SQL

from odoo.addons.followup_manager.policy import calendar

SIZES = [int(n) for n in os.environ.get("FM_BENCH_SIZES", "1000,5000,20000").split(",") if n]
EMAILS = int(os.environ.get("FM_BENCH_EMAILS", "5000") or 0)
EMPTY = int(os.environ.get("FM_BENCH_EMPTY", "100000") or 0)
LOOP_SAMPLE = int(os.environ.get("FM_BENCH_LOOP_SAMPLE", "300"))
EMAIL_REPEATS = int(os.environ.get("FM_BENCH_EMAIL_REPEATS", "3"))
ACTIVITY_REPEATS = int(os.environ.get("FM_BENCH_ACTIVITY_REPEATS", "3"))
SALESPEOPLE = 20
ROME = "Europe/Rome"

cr = env.cr  # noqa: F821 - given by odoo-bin shell
# Measurements run in the shell's plain environment (no special context): each way of
# creating activities sets the context it is entitled to. Only the set-up is quiet.
env = env  # noqa: F821, PLW0127
quiet = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))


def queries():
    return odoo.sql_db.sql_counter


def next_monday_10_rome():
    """A moment inside the send window (Monday 10:00 in Rome) at or after now: phone
    steps are allowed then, so the benchmark measures work, not deferrals."""
    local_now = calendar.to_local(fields.Datetime.now(), ROME)
    day = local_now.date() + timedelta(days=(7 - local_now.weekday()) % 7 or 7)
    return calendar.to_utc(datetime.combine(day, datetime.min.time()).replace(hour=10), ROME)


class Savepoint:
    """Run a block and roll it back, with an empty ORM cache before it."""

    def __enter__(self):
        env.flush_all()
        self.savepoint = cr.savepoint()
        self.savepoint.__enter__()
        return self

    def __exit__(self, *exc):
        self.savepoint.close(rollback=True)
        # What the rolled-back block asked to do after the commit (e.g. send the
        # assignment e-mails of activity_schedule) must not run in the next one.
        cr.postcommit.clear()
        env.invalidate_all()
        return False


def timed(function):
    env.flush_all()
    env.invalidate_all()
    start_queries, start = queries(), time.perf_counter()
    result = function()
    env.flush_all()
    return result, time.perf_counter() - start, queries() - start_queries


def setup(max_partners):
    print(f"Setting up {max_partners} partners and {SALESPEOPLE} salespeople...", flush=True)
    # Demo follow-ups must not take part.
    quiet["followup.enrollment"].search([("state", "=", "active")]).write(
        {"state": "done", "next_date": False}
    )
    quiet["followup.sequence"].search([]).write({"active": False})
    group = env.ref("sales_team.group_sale_salesman")
    users = (
        quiet["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"Bench Salesperson {index}",
                    "login": f"bench_sales_{index}",
                    "email": f"bench_sales_{index}@example.com",
                    "groups_id": [(6, 0, group.ids)],
                    "tz": ROME,
                }
                for index in range(SALESPEOPLE)
            ]
        )
    )
    italy = env.ref("base.it")
    partners = env["res.partner"]
    for start in range(0, max_partners, 2000):
        partners |= quiet["res.partner"].create(
            [
                {
                    "name": f"Bench Customer {index}",
                    "email": f"bench.customer.{index}@example.com",
                    "phone": f"+39 06 4991 {index % 10000:04d}",
                    "country_id": italy.id,
                    "tz": ROME,
                    "user_id": users[index % SALESPEOPLE].id,
                }
                for index in range(start, min(start + 2000, max_partners))
            ]
        )
    call = env.ref("mail.mail_activity_data_call")
    activity_sequence = quiet["followup.sequence"].create(
        {
            "name": "Bench: call",
            "purpose": "service",
            "step_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Call",
                        "delay": 0,
                        "delay_unit": "hours",
                        "action": "activity",
                        "channel": "phone",
                        "activity_type_id": call.id,
                    },
                )
            ],
        }
    )
    email_sequence = quiet["followup.sequence"].create(
        {
            "name": "Bench: e-mail",
            "purpose": "service",
            "step_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Check-in",
                        "delay": 0,
                        "delay_unit": "hours",
                        "action": "email",
                        "mail_template_id": env.ref(
                            "followup_manager.mail_template_followup_partner_help"
                        ).id,
                    },
                )
            ],
        }
    )
    commit_and_analyze("res_partner", "res_users", "followup_enrollment")
    return users.with_env(env), partners.with_env(env), activity_sequence, email_sequence, call


def enroll(sequence, partners):
    sequence.enroll(partners.ids)
    env.flush_all()


def activity_vals(partners, call, deadline):
    model_id = env["ir.model"]._get_id("res.partner")
    return [
        {
            "res_model_id": model_id,
            "res_id": partner.id,
            "activity_type_id": call.id,
            "summary": "Call",
            "note": False,
            "user_id": partner.user_id.id,
            "date_deadline": deadline,
            "automated": True,
        }
        for partner in partners
    ]


def commit_and_analyze(*tables):
    cr.commit()
    for table in tables:
        env.execute_query(SQL("ANALYZE %s", SQL.identifier(table)))
    cr.commit()


def remove_output(partners):
    """Delete what a dispatch produced for these partners (the cron committed it)."""
    ids = list(partners.ids)
    for query in (
        "DELETE FROM mail_activity WHERE res_model = 'res.partner' AND res_id = ANY(%s)",
        (
            "DELETE FROM mail_mail WHERE mail_message_id IN (SELECT id FROM mail_message "
            "WHERE model = 'res.partner' AND res_id = ANY(%s))"
        ),
        "DELETE FROM mail_message WHERE model = 'res.partner' AND res_id = ANY(%s)",
        "DELETE FROM mail_followers WHERE res_model = 'res.partner' AND res_id = ANY(%s)",
        "DELETE FROM followup_enrollment WHERE partner_id = ANY(%s)",
        # The log keeps its own copy of the partner (and counts it for the contact
        # cap): the next measure would find these people contacted already.
        "DELETE FROM followup_dispatch WHERE partner_id = ANY(%s)",
        "DELETE FROM ir_cron_trigger",
    ):
        env.execute_query(SQL(query, ids) if "%s" in query else SQL(query))
    env.invalidate_all()
    commit_and_analyze(
        "followup_enrollment",
        "followup_dispatch",
        "mail_activity",
        "mail_message",
        "mail_followers",
    )


def bench_activities(size, partners, sequence, call, now):
    """The dispatch of N due activity steps as the cron runs it (committed per batch)
    against the bare create of the same N activities (rolled back), ACTIVITY_REPEATS
    times alternately: the best time of each counts, as for the e-mails (the machine's
    other load only ever adds time). Between two runs the dispatch's output is deleted
    and the same partners enrolled again."""
    partners = partners[:size]
    deadline = calendar.to_local(now, ROME).date()
    partners.fetch(["user_id"])
    vals = activity_vals(partners, call, deadline)

    sample = partners[:LOOP_SAMPLE]
    with Savepoint():

        def loop():
            for partner in sample:
                partner.activity_schedule(
                    activity_type_id=call.id,
                    summary="Call",
                    user_id=partner.user_id.id,
                    date_deadline=deadline,
                )

        _result, loop_time, _q = timed(loop)
    loop_per_record = loop_time / len(sample)

    bare_runs, named_runs, ours_runs = [], [], []
    for _run in range(ACTIVITY_REPEATS):
        enroll(sequence, partners)
        commit_and_analyze("followup_enrollment", "mail_message")
        with Savepoint():
            _result, bare, _q = timed(
                lambda: (
                    env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals)
                )
            )
        bare_runs.append(bare)
        # The same create with the partners' names read first, in one batch: Odoo's
        # create computes each activity's res_name on its own record, one query per
        # partner when they are not in memory (the dispatch has read them already).
        with Savepoint():
            _result, named, _q = timed(
                lambda: (
                    env["res.partner"].browse(partners.ids).mapped("display_name"),
                    env["mail.activity"]
                    .with_context(mail_activity_quick_update=True)
                    .create(vals),
                )
            )
        named_runs.append(named)
        dispatches, ours, ours_queries = timed(
            lambda: env["followup.dispatcher"]._dispatch_due(now=now, auto_commit=True)
        )
        cr.commit()
        ours_runs.append((ours, ours_queries))
        states = {
            state: n
            for state, n in env["followup.dispatch"]._read_group(
                [("id", "in", dispatches.ids)], ["state"], ["__count"]
            )
        }
        assert states == {"done": size}, states
        assert len(dispatches.activity_id) == size
        remove_output(partners)
    ours, ours_queries = min(ours_runs)
    bare = min(bare_runs)
    return {
        "size": size,
        "ours": ours,
        "bare": bare,
        "runs": list(zip([run[0] for run in ours_runs], bare_runs, strict=True)),
        "loop_per_record": loop_per_record,
        "steps_per_s": size / ours,
        "queries_per_step": ours_queries / size,
        "ratio_a": ours / bare,
        "named": min(named_runs),
        "ratio_named": ours / min(named_runs),
        "ratio_b": loop_per_record * size / ours,
    }


def bench_emails(size, partners, sequence, now):
    """The dispatch of N due e-mail steps and, in the same run on the same partners and
    template, Odoo's own ``mail.template.send_mail_batch`` queueing the same N e-mails
    (the floor of "render a template and queue it" inside Odoo). Both run
    EMAIL_REPEATS times, alternately and rolled back, and the best time of each counts
    (the machine's other load only ever adds time); then the dispatch runs once more
    as the cron does (committed), and its e-mails are checked."""
    partners = partners[:size]
    template = sequence.step_ids[:1].mail_template_id
    enroll(sequence, partners)
    commit_and_analyze("followup_enrollment", "mail_message")
    # Warm Odoo's caches for the template, outside the measures.
    with Savepoint():
        template.send_mail_batch(partners[:5].ids)
    bare_runs, ours_runs = [], []
    for _run in range(EMAIL_REPEATS):
        with Savepoint():
            mails, bare, bare_queries = timed(lambda: template.send_mail_batch(partners.ids))
            assert len(mails) == size, len(mails)
            bare_runs.append((bare, bare_queries))
        with Savepoint():
            dispatches, ours, ours_queries = timed(
                lambda: env["followup.dispatcher"]._dispatch_due(now=now)
            )
            assert len(dispatches.mail_id) == size, len(dispatches.mail_id)
            ours_runs.append((ours, ours_queries))
    dispatches, cron_time, _cron_queries = timed(
        lambda: env["followup.dispatcher"]._dispatch_due(now=now, auto_commit=True)
    )
    cr.commit()
    queued = env["mail.mail"].search_count(
        [("id", "in", dispatches.mail_id.ids), ("state", "=", "outgoing")]
    )
    assert queued == size, (queued, size)
    remove_output(partners)
    ours, ours_queries = min(ours_runs)
    bare, bare_queries = min(bare_runs)
    return {
        "size": size,
        "ours": ours,
        "ours_all": [run[0] for run in ours_runs],
        "cron": cron_time,
        "steps_per_s": size / ours,
        "queries_per_step": ours_queries / size,
        "bare": bare,
        "bare_all": [run[0] for run in bare_runs],
        "bare_queries_per_step": bare_queries / size,
        "ratio": ours / bare,
    }


def bench_empty(count, sequence, now):
    """count partners enrolled, none due: the cron's most frequent run."""
    with Savepoint():
        template = env["res.partner"].create({"name": "Bench Idle"})
        enrollment = env["followup.enrollment"].browse(sequence.enroll(template.ids))
        enrollment.next_date = now + timedelta(days=30)
        env.flush_all()
        # Seed in SQL: copying rows is what makes 100,000 partners take seconds.
        columns = [
            row[0]
            for row in env.execute_query(
                SQL(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'res_partner' AND column_name != 'id'"
                )
            )
        ]
        cols = SQL(", ").join(SQL.identifier(c) for c in columns)
        floor = env.execute_query(SQL("SELECT max(id) FROM res_partner"))[0][0]
        env.execute_query(
            SQL(
                "INSERT INTO res_partner (%s) SELECT %s FROM res_partner p, "
                "generate_series(1, %s) WHERE p.id = %s",
                cols,
                cols,
                count - 1,
                template.id,
            )
        )
        columns = [
            row[0]
            for row in env.execute_query(
                SQL(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'followup_enrollment' AND column_name != 'id'"
                )
            )
        ]
        replaced = {
            "partner_id": SQL("p.id"),
            "origin_id": SQL("p.id"),
            "origin": SQL("'res.partner,' || p.id"),
            "next_date": SQL("e.next_date + (p.id %% 1000) * interval '1 minute'"),
        }
        target = SQL(", ").join(SQL.identifier(c) for c in columns)
        source = SQL(", ").join(replaced.get(c, SQL("e.%s", SQL.identifier(c))) for c in columns)
        env.execute_query(
            SQL(
                "INSERT INTO followup_enrollment (%s) SELECT %s FROM followup_enrollment e, "
                "res_partner p WHERE e.id = %s AND p.id > %s",
                target,
                source,
                enrollment.id,
                floor,
            )
        )
        env.execute_query(SQL("ANALYZE res_partner"))
        env.execute_query(SQL("ANALYZE followup_enrollment"))
        active = env.execute_query(
            SQL("SELECT count(*) FROM followup_enrollment WHERE state = 'active'")
        )[0][0]
        runs = []
        for _run in range(7):
            env.invalidate_all()
            start_queries, start = queries(), time.perf_counter()
            # As the cron runs it: the clock's time, then the wake-up for the next due.
            dispatches = env["followup.dispatcher"]._dispatch_due()
            runs.append((time.perf_counter() - start, queries() - start_queries))
            assert not dispatches
    return active, runs


def report_emails(r):
    pairs = zip(r["ours_all"], r["bare_all"], strict=True)
    runs = ", ".join(f"{ours:.2f}/{bare:.2f}" for ours, bare in pairs)
    print()
    print(f"E-mail steps, N={r['size']} (queued in mail.mail, state outgoing; not sent)")
    print(
        f"  ours: {r['ours']:.2f} s, {r['steps_per_s']:.0f} steps/s, "
        f"{r['queries_per_step']:.3f} SQL/step (as the cron, committed: {r['cron']:.2f} s)"
    )
    print(
        f"  send_mail_batch, same template and partners: {r['bare']:.2f} s, "
        f"{r['bare_queries_per_step']:.3f} SQL/step"
    )
    print(
        f"  (c) ours / send_mail_batch: {r['ratio']:.2f} (target <= 1.2); best of "
        f"{EMAIL_REPEATS} alternate runs each (ours/send_mail_batch s: {runs})",
        flush=True,
    )


def main():
    started = time.perf_counter()
    now = next_monday_10_rome()
    _users, partners, activity_sequence, email_sequence, call = setup(max(SIZES + [EMAILS]))
    print(
        f"Set up in {time.perf_counter() - started:.0f} s; dispatching at {now} UTC "
        f"(Monday 10:00 in Rome); batch size "
        f"{env['followup.dispatcher']._followup_batch_size()}.",
        flush=True,
    )
    print()
    print(
        "Activity steps (partners with one of 20 salespeople; the dispatch runs as "
        "superuser, like the cron)"
    )
    header = (
        f"{'N':>7} {'ours s':>8} {'steps/s':>8} {'SQL/step':>8} {'bare s':>8} "
        f"{'(a) ours/bare':>14} {'loop ms/rec':>11} {'(b) loop/ours':>14}"
    )
    print(header)
    # Warm-up (Odoo's caches, Python's imports), not reported.
    bench_activities(min(100, max(SIZES)), partners, activity_sequence, call, now)
    results = []
    for size in SIZES:
        r = bench_activities(size, partners, activity_sequence, call, now)
        results.append(r)
        print(
            f"{r['size']:>7} {r['ours']:>8.2f} {r['steps_per_s']:>8.0f} "
            f"{r['queries_per_step']:>8.3f} {r['bare']:>8.2f} {r['ratio_a']:>14.2f} "
            f"{r['loop_per_record'] * 1000:>11.1f} {r['ratio_b']:>14.1f}",
            flush=True,
        )
    print(
        f"(a) target <= 1.0; (b) target >= 10. Best of {ACTIVITY_REPEATS} alternate runs "
        f"each (ours/bare s: "
        + "; ".join(
            f"N={r['size']}: " + ", ".join(f"{o:.2f}/{b:.2f}" for o, b in r["runs"])
            for r in results
        )
        + f"). The loop of activity_schedule is timed on {LOOP_SAMPLE} records and "
        f"extrapolated per record to N."
    )
    for r in results:
        print(
            f"(a') N={r['size']}: ours / the bare create with the partners' names read "
            f"first in one batch ({r['named']:.2f} s, best of {ACTIVITY_REPEATS}): "
            f"{r['ratio_named']:.2f}"
        )
    if EMAILS:
        report_emails(bench_emails(EMAILS, partners, email_sequence, now))
    if EMPTY:
        active, runs = bench_empty(EMPTY, activity_sequence, now)
        times = sorted(elapsed for elapsed, _q in runs)
        print()
        print(
            f"Nothing due, {active} active enrollments over as many partners: "
            f"median {statistics.median(times) * 1000:.1f} ms, first "
            f"{runs[0][0] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms, "
            f"{runs[-1][1]} queries (target < 100 ms)"
        )
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    cr.rollback()


main()
