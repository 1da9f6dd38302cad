"""The dispatch engine: takes the due steps of follow-up enrollments and carries them out.

One batch at a time:

1. **claim** the due enrollments with one ``SELECT ... FOR UPDATE SKIP LOCKED`` (a second
   worker, on this server or another, skips the rows this one holds);
2. **prefetch** everything the decisions need in a fixed number of queries (steps,
   sequences, partners' facts, companies' settings, the followed-up documents);
3. **decide** the whole batch with ``policy.planner.plan`` (service before marketing, then
   the oldest due; the contact cap shared by the batch);
4. **log** every decision in ONE ``followup.dispatch.create`` *before* any side effect;
5. carry out the allowed steps **in batch**: activities (one ``mail.activity.create``),
   e-mails and text messages put in Odoo's queues (a few creates per template), server
   actions (one savepoint each: they are the user's own code);
6. **advance** the enrollments: next step, deferred date, done, or stopped.

Everything of a batch happens in one transaction: a crash anywhere rolls back the claim,
the log and the side effects together, so nothing is lost and nothing is done twice. The
cron commits after each batch (never in tests). The row that performs a step carries a
unique key (see ``followup.dispatch._followup_idempotency_key``): even a second worker that
somehow got the same step could not insert its row, and its transaction would roll back
before anything left the database (mails and text messages only leave through their
queues, after the commit).
"""

import logging
import threading
import time
from collections import defaultdict

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.sms.tools.sms_tools import sms_content_to_rendered_html

from ..policy import calendar, planner
from ..policy import decision as policy_decision
from .tools import int_param

_logger = logging.getLogger(__name__)

# Outcomes (followup.dispatch.state) of the decisions of the policy.
DONE, DEFERRED, SUPPRESSED, FAILED = "done", "deferred", "suppressed", "failed"


class _StepOutcome:
    """What happened to one claimed enrollment in this batch (plain object, no ORM)."""

    __slots__ = (
        "decision",
        "done_before",
        "enrollment",
        "error",
        "links",
        "next_try",
        "note",
        "origin",
        "partner",
        "reason",
        "request",
        "state",
        "step",
        "stop_reason",
        "user",
    )

    def __init__(self, enrollment, step, partner, origin):
        self.enrollment = enrollment
        self.step = step
        self.partner = partner
        self.origin = origin
        self.request = None
        self.decision = None
        self.state = None
        self.reason = False
        self.note = False
        self.next_try = False
        self.user = None
        self.error = None
        self.links = {}
        self.stop_reason = False
        self.done_before = False


class FollowupDispatcher(models.AbstractModel):
    _name = "followup.dispatcher"
    _description = "Follow-up Dispatch Engine"

    # ------------------------------------------------------------------ settings

    @api.model
    def _followup_batch_size(self):
        """Enrollments claimed per batch (system parameter
        ``followup_manager.dispatch_batch_size``, default 500)."""
        return int_param(self.env, "followup_manager.dispatch_batch_size", 500, minimum=1)

    @api.model
    def _followup_time_budget(self):
        """Seconds a cron call keeps claiming batches before it hands back to the cron
        runner (which calls again while work remains); override to tune."""
        return 60.0

    @api.model
    def _followup_auto_commit_allowed(self):
        """Commits are for real cron runs only: never inside a test's transaction."""
        testing = getattr(threading.current_thread(), "testing", False)
        return not (testing or self.env.registry.in_test_mode())

    # ------------------------------------------------------------------ entry points

    @api.model
    def _dispatch_due(
        self,
        now=None,
        batch_size=None,
        auto_commit=False,
        max_batches=None,
        enrollment_ids=None,
        time_budget=None,
    ):
        """Dispatch every due step, batch after batch.

        :param now: naive UTC moment to dispatch at (default: the clock, read per batch)
        :param batch_size: enrollments per batch (default: the system parameter)
        :param auto_commit: commit after each batch and report progress to the cron;
            ignored in tests (see ``_followup_auto_commit_allowed``)
        :param max_batches: stop after that many batches (default: until nothing is due,
            or the time budget is spent when committing)
        :param enrollment_ids: only these enrollments (default: all; e.g. a "run now"
            on a selection)
        :param time_budget: seconds after which a committing run stops claiming
            (default ``_followup_time_budget()``; 0: no limit)
        :return: the ``followup.dispatch`` rows written
        """
        batch_size = batch_size or self._followup_batch_size()
        commit = auto_commit and self._followup_auto_commit_allowed()
        started = time.monotonic()
        budget = self._followup_time_budget() if time_budget is None else time_budget
        dispatches = self.env["followup.dispatch"]
        done = batches = 0
        previous = None
        while True:
            moment = now or fields.Datetime.now()
            enrollments = self._followup_claim(
                moment, batch_size, retry=commit, enrollment_ids=enrollment_ids
            )
            if not enrollments:
                break
            # Each batch moves every claimed enrollment on; the same steps claimed
            # again would mean they cannot move (a bug): stop rather than spin.
            claimed = {(e.id, e.next_step_id.id) for e in enrollments}
            if claimed == previous:
                _logger.error("Follow-up dispatch made no progress on %s", enrollments)
                break
            previous = claimed
            dispatches |= self._dispatch_batch(enrollments, moment)
            done += len(enrollments)
            batches += 1
            if commit:
                remaining = self._followup_count_due(moment, enrollment_ids)
                self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
                # The cron's per-batch commit (guarded above: never in tests): a batch
                # is all or nothing, and what is committed is never redone.
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()
            if max_batches and batches >= max_batches:
                break
            if commit and budget and time.monotonic() - started > budget:
                break
        self._followup_schedule_next_run(now or fields.Datetime.now())
        if commit:
            self.env["ir.cron"]._notify_progress(
                done=done,
                remaining=self._followup_count_due(now or fields.Datetime.now(), enrollment_ids),
            )
        return dispatches

    @api.model
    def _followup_claim(self, now, limit, retry=False, enrollment_ids=None):
        """Lock and return up to ``limit`` due enrollments, oldest due first, skipping
        the ones another transaction holds. ONE query.

        Odoo's cursors are REPEATABLE READ: a row another worker committed after this
        transaction's snapshot cannot be locked here (serialization failure). In a cron
        run (``retry``) that only means "someone else did it": start a fresh
        transaction and claim again.
        """
        query = SQL(
            """
            SELECT id
              FROM followup_enrollment
             WHERE state = 'active'
               AND next_date <= %(now)s
               %(only)s
             ORDER BY next_date, id
             LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED
            """,
            now=now,
            limit=limit,
            only=self._followup_only(enrollment_ids),
        )
        self.env["followup.enrollment"].flush_model(["state", "next_date"])
        attempts = 3 if retry else 1
        for attempt in range(attempts):
            try:
                rows = self.env.execute_query(query)
                break
            except psycopg2.errors.SerializationFailure:
                if attempt + 1 == attempts:
                    raise
                # Nothing of this batch was done yet: a new transaction, a new snapshot.
                _logger.info("Follow-up dispatch: claimed rows changed meanwhile; claiming again")
                self.env.cr.rollback()
                self.env.invalidate_all()
        return self.env["followup.enrollment"].browse(row[0] for row in rows)

    @api.model
    def _followup_count_due(self, now, enrollment_ids=None):
        self.env["followup.enrollment"].flush_model(["state", "next_date"])
        rows = self.env.execute_query(
            SQL(
                "SELECT count(*) FROM followup_enrollment "
                "WHERE state = 'active' AND next_date <= %s %s",
                now,
                self._followup_only(enrollment_ids),
            )
        )
        return rows[0][0]

    @api.model
    def _followup_only(self, enrollment_ids):
        if enrollment_ids is None:
            return SQL()
        return SQL("AND id = ANY(%s)", list(enrollment_ids))

    # ------------------------------------------------------------------ wake-up

    @api.model
    def _schedule_wakeup(self, dates):
        """Make the dispatch cron run at the earliest of ``dates`` (naive UTC), unless a
        run is already planned by then. Call it whenever a step gets a due date."""
        dates = [date for date in dates or () if date]
        if not dates:
            return self.env["ir.cron.trigger"]
        at = min(dates)
        cron = self.env.ref("followup_manager.ir_cron_followup_dispatch", raise_if_not_found=False)
        if not cron:
            return self.env["ir.cron.trigger"]
        # sudo: triggers only schedule the job; the caller gets no access to the cron.
        cron = cron.sudo()
        now = fields.Datetime.now()
        planned = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count([("cron_id", "=", cron.id), ("call_at", "<=", max(at, now))], limit=1)
        )
        if planned:
            return self.env["ir.cron.trigger"]
        return cron._trigger(at)

    @api.model
    def _followup_schedule_next_run(self, now):
        """After a run: wake the cron when the next step falls due (one query)."""
        self.env["followup.enrollment"].flush_model(["state", "next_date"])
        rows = self.env.execute_query(
            SQL(
                "SELECT min(next_date) FROM followup_enrollment "
                "WHERE state = 'active' AND next_date > %s",
                now,
            )
        )
        if rows and rows[0][0]:
            self._schedule_wakeup([rows[0][0]])

    # ------------------------------------------------------------------ one batch

    @api.model
    def _dispatch_batch(self, enrollments, now):
        """Decide and carry out the due step of each of ``enrollments`` (claimed, locked)
        at ``now``; return the ``followup.dispatch`` rows written (one per enrollment)."""
        if not enrollments:
            return self.env["followup.dispatch"]
        # Mass side effects off: no tracking messages on enrollments, no followers added
        # by our writes, no "activity assigned to you" e-mail per activity.
        dispatcher = self.with_context(**self._followup_batch_context())
        enrollments = enrollments.with_env(dispatcher.env)
        outcomes = dispatcher._followup_prepare(enrollments, now)
        dispatcher._followup_decide(outcomes, now)
        dispatches = dispatcher._followup_log(outcomes, now)
        dispatcher._followup_perform(outcomes, now)
        dispatcher._followup_finish_log(outcomes, dispatches)
        dispatcher._followup_move_on(outcomes, now)
        return dispatches.with_env(self.env)

    @api.model
    def _followup_batch_context(self):
        """Context of a batch: the side effects that only cost are off. Override to turn
        one back on (e.g. drop ``mail_activity_quick_update`` to mail each assignee)."""
        return {
            "tracking_disable": True,
            "mail_create_nosubscribe": True,
            "mail_create_nolog": True,
            "mail_notrack": True,
            "mail_activity_quick_update": True,
        }

    # --- prefetch

    @api.model
    def _followup_prepare(self, enrollments, now):
        """Read everything of the batch in a fixed number of queries."""
        enrollments.fetch(
            [
                "partner_id",
                "sequence_id",
                "next_step_id",
                "next_date",
                "origin_model",
                "origin_id",
                "company_id",
                "user_id",
            ]
        )
        steps = enrollments.next_step_id
        steps.fetch(
            [
                "sequence_id",
                "sequence",
                "name",
                "action",
                "channel",
                "activity_type_id",
                "activity_summary",
                "note",
                "responsible_type",
                "responsible_id",
                "mail_template_id",
                "sms_template_id",
                "server_action_id",
            ]
        )
        sequences = enrollments.sequence_id
        sequences.fetch(["name", "purpose", "company_id", "step_ids", "create_uid"])
        partners = enrollments.partner_id
        # Our fields and the ones _followup_facts reads, in one query.
        partner_fields = {"name", "email", "lang", "user_id", "company_id", "country_id", "tz"}
        partner_fields.update(getattr(partners, "_FOLLOWUP_FACT_FIELDS", ()))
        partner_fields &= set(partners._fields)
        partners.fetch(partner_fields)
        partners.country_id.fetch(["name", "code"])
        # The documents followed up, one query per model; deleted ones are dropped.
        ids_by_model = defaultdict(set)
        for enrollment in enrollments:
            if enrollment.origin_model and enrollment.origin_id:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        origins = {}
        for model, ids in ids_by_model.items():
            if model not in self.env:
                continue
            records = self.env[model].browse(sorted(ids)).exists()
            fnames = ["display_name"]
            user_field = records._fields.get("user_id")
            if user_field is not None and user_field.comodel_name == "res.users":
                fnames.append("user_id")
            records.fetch(fnames)
            origins.update({(model, record.id): record for record in records})
        outcomes = []
        for enrollment in enrollments:
            origin = origins.get((enrollment.origin_model, enrollment.origin_id))
            outcomes.append(
                _StepOutcome(enrollment, enrollment.next_step_id, enrollment.partner_id, origin)
            )
        # Who is responsible for each step, then their time zones (one query).
        for outcome in outcomes:
            if outcome.step:
                outcome.user = self._followup_responsible(outcome)
        users = self.env["res.users"].union(*(o.user for o in outcomes if o.user))
        users.fetch(["tz", "partner_id", "active"])
        users.partner_id.fetch(["name", "email"])
        return outcomes

    @api.model
    def _followup_responsible(self, outcome):
        """The user who owns the step: gets the activity, signs the e-mail. Override to
        add a rule. Falls back to the partner's salesperson, then to the sequence's
        creator, when the chosen one is missing or archived."""
        step, origin, partner = outcome.step, outcome.origin, outcome.partner
        candidates = []
        if step.responsible_type == "fixed_user":
            candidates.append(step.responsible_id)
        elif step.responsible_type == "origin_salesperson" and origin is not None:
            field = origin._fields.get("user_id")
            if field is not None and field.comodel_name == "res.users":
                candidates.append(origin.user_id)
        candidates += [partner.user_id, step.sequence_id.create_uid]
        for user in candidates:
            if user and user.active:
                return user
        return self.env.user

    # --- decisions

    @api.model
    def _followup_company(self, outcome):
        """The company whose contact policy applies to a step: the company that follows
        the person up (the enrollment's, i.e. its sequence's), never the cron's own
        env.company, which is only the superuser's company."""
        return outcome.enrollment.company_id or outcome.partner.company_id or self.env.company

    @api.model
    def _followup_partners_by_company(self, outcomes):
        """{company: partner ids} of the batch, each partner under the company of each
        of its enrollments (a person followed up by two companies is in both)."""
        partners_by_company = defaultdict(list)
        for outcome in outcomes:
            partner_ids = partners_by_company[self._followup_company(outcome)]
            if outcome.partner.id not in partner_ids:
                partner_ids.append(outcome.partner.id)
        return partners_by_company

    @api.model
    def _followup_settings(self, outcomes):
        """The policy of each request, as ``policy.planner.plan`` takes it (a function
        request -> Settings): the policy of the company that follows the person up,
        narrowed by the person's own frequency (see ``res.partner._followup_settings``).
        One call per company. The planner counts the person's contacts of every company
        against it: one person, one cap count."""
        partners_by_company = self._followup_partners_by_company(outcomes)
        self.env["res.company"].union(*partners_by_company).fetch(
            self.env["res.company"]._followup_settings_fields()
        )
        by_company = {
            company.id: self.env["res.partner"].browse(partner_ids)._followup_settings(company)
            for company, partner_ids in partners_by_company.items()
        }

        def settings_of(request):
            outcome = request.key
            return by_company[self._followup_company(outcome).id].get(outcome.partner.id)

        return settings_of

    @api.model
    def _followup_decide(self, outcomes, now, facts=None):
        """Plan the batch: one call of the pure planner for every step that may run.

        :param facts: {partner id: PartnerFacts} to decide with instead of reading them
            (the forecast passes the facts it carries through simulated time)
        """
        to_plan = []
        for outcome in outcomes:
            if not outcome.step:
                # Nothing left to do (the last step was removed): the enrollment ends.
                outcome.state = None
                continue
            if outcome.origin is None:
                outcome.state = SUPPRESSED
                outcome.reason = policy_decision.STOPPED
                outcome.stop_reason = "origin_cancelled"
                continue
            outcome.request = policy_decision.Request(
                partner_id=outcome.partner.id,
                channel=outcome.step.channel or policy_decision.INTERNAL,
                purpose=outcome.step.sequence_id.purpose or "service",
                due=outcome.enrollment.next_date or now,
                key=outcome,
            )
            to_plan.append(outcome)
        to_plan = self._followup_skip_done_before(to_plan)
        if not to_plan:
            return
        if facts is None:
            # Facts read in the company that follows each person up (time zone
            # fallback, soft opt-in lifetime): one call per company, not per partner.
            facts = {}
            Partner = self.env["res.partner"]
            for company, partner_ids in self._followup_partners_by_company(to_plan).items():
                partners = Partner.browse([pid for pid in partner_ids if pid not in facts])
                facts.update(partners.with_company(company)._followup_facts(now=now))
        settings = self._followup_settings(to_plan)
        results = planner.plan([o.request for o in to_plan], facts, settings, now)
        for request, result in results:
            outcome = request.key
            outcome.decision = result
            if result.allowed:
                outcome.state = DONE
            elif result.deferred:
                outcome.state = DEFERRED
                outcome.reason = result.reason
                outcome.next_try = result.next_allowed
            elif result.reason == policy_decision.ERROR:
                # Facts missing for a partner: a bug, not the person's choice.
                outcome.state = FAILED
                outcome.reason = policy_decision.ERROR
                outcome.error = result.details.get("error") or "error"
            else:
                outcome.state = SUPPRESSED
                outcome.reason = result.reason
                if result.reason == policy_decision.STOPPED:
                    outcome.stop_reason = "partner_archived"

    @api.model
    def _followup_skip_done_before(self, outcomes):
        """Steps already carried out for their enrollment (someone moved it back to an
        earlier step) are skipped, never done twice: the unique key would refuse them
        anyway, and the whole batch with them. One query."""
        Dispatch = self.env["followup.dispatch"]
        keys = {Dispatch._followup_idempotency_key(o.enrollment, o.step): o for o in outcomes}
        if not keys:
            return outcomes
        Dispatch.flush_model(["idempotency_key"])
        rows = self.env.execute_query(
            SQL(
                "SELECT idempotency_key, create_date FROM followup_dispatch "
                "WHERE idempotency_key = ANY(%s)",
                list(keys),
            )
        )
        for key, create_date in rows:
            outcome = keys[key]
            outcome.state = SUPPRESSED
            outcome.reason = policy_decision.ERROR
            outcome.done_before = create_date
        return [o for o in outcomes if not o.done_before]

    # --- the log

    @api.model
    def _followup_log(self, outcomes, now):
        """Write one followup.dispatch row per outcome, in ONE create, before any side
        effect. Rows that perform a step (done, failed) carry its unique key."""
        Dispatch = self.env["followup.dispatch"]
        labels = self._followup_labels()
        vals_list = []
        logged = []
        for outcome in outcomes:
            if outcome.state is None:
                continue
            outcome.note = self._followup_note(outcome, labels)
            vals = {
                "enrollment_id": outcome.enrollment.id,
                "step_id": outcome.step.id,
                "user_id": outcome.user.id if outcome.user else False,
                "purpose": outcome.step.sequence_id.purpose,
                "channel": outcome.step.channel,
                "state": outcome.state,
                "reason": outcome.reason or False,
                "note": outcome.note,
                "next_try": outcome.next_try or False,
            }
            if outcome.state in (DONE, FAILED):
                vals["idempotency_key"] = Dispatch._followup_idempotency_key(
                    outcome.enrollment, outcome.step
                )
            vals_list.append(vals)
            logged.append(outcome)
        dispatches = Dispatch.create(vals_list)
        for outcome, dispatch in zip(logged, dispatches, strict=True):
            outcome.links["dispatch"] = dispatch
        return dispatches

    @api.model
    def _followup_finish_log(self, outcomes, dispatches):
        """Write back what the side effects produced (links) and what failed. The ORM
        flushes these per-row writes as one UPDATE per set of columns."""
        for outcome in outcomes:
            dispatch = outcome.links.get("dispatch")
            if not dispatch:
                continue
            vals = {}
            if outcome.state == DONE and outcome.error is not None:
                # The side effect raised (and was rolled back): this step failed.
                outcome.state = FAILED
                outcome.reason = policy_decision.ERROR
                vals.update(
                    state=FAILED,
                    reason=policy_decision.ERROR,
                    note=self._followup_failure_note(outcome),
                )
            elif outcome.state == DONE:
                for fname in ("activity_id", "mail_id", "message_id"):
                    if outcome.links.get(fname):
                        vals[fname] = outcome.links[fname]
            if vals:
                dispatch.write(vals)

    # --- after the step

    @api.model
    def _followup_move_on(self, outcomes, now):
        """Advance each enrollment. Done, failed and suppressed steps are behind us: the
        next step is scheduled from now (or the enrollment is done). Deferred steps wait
        for their next try. An archived partner or a deleted document stops it."""
        Enrollment = self.env["followup.enrollment"]
        advance = Enrollment
        deferred = defaultdict(lambda: Enrollment)
        stopped = defaultdict(lambda: Enrollment)
        finished = Enrollment
        for outcome in outcomes:
            enrollment = outcome.enrollment
            if outcome.state is None:
                finished |= enrollment
            elif outcome.stop_reason:
                stopped[outcome.stop_reason] |= enrollment
            elif outcome.state == DEFERRED:
                deferred[outcome.next_try] |= enrollment
            else:
                advance |= enrollment
        if advance:
            advance._followup_advance(now=now)
        for next_try, records in deferred.items():
            records.write({"next_date": next_try})
        for reason, records in stopped.items():
            records._stop(reason)
        if finished:
            finished.write(
                {"state": "done", "next_step_id": False, "next_date": False, "date_stop": now}
            )

    # ------------------------------------------------------------------ side effects

    @api.model
    def _followup_perform(self, outcomes, now):
        """Carry out the allowed steps, grouped by kind of action."""
        by_action = defaultdict(list)
        for outcome in outcomes:
            if outcome.state == DONE:
                by_action[outcome.step.action].append(outcome)
        performers = {
            "activity": self._followup_perform_activities,
            "email": self._followup_perform_emails,
            "sms": self._followup_perform_sms,
            "server_action": self._followup_perform_server_actions,
        }
        for action, group in by_action.items():
            performer = performers.get(action)
            if performer is None:
                for outcome in group:
                    outcome.error = self.env._("unknown action %(action)s", action=action)
                continue
            performer(group, now)

    @api.model
    def _followup_isolate(self, group, batch_fn, single_fn):
        """Run ``batch_fn(group)`` in a savepoint; if it raises, run ``single_fn(outcome)``
        for each outcome in its own savepoint, so that only the faulty steps fail."""
        try:
            with self.env.cr.savepoint():
                batch_fn(group)
            return
        except Exception:  # noqa: BLE001 - any error of a template or action
            _logger.info("Follow-up batch of %s steps failed; retrying one by one", len(group))
        for outcome in group:
            try:
                with self.env.cr.savepoint():
                    single_fn(outcome)
            except Exception as error:  # noqa: BLE001
                outcome.error = self._followup_error_text(error)
                for fname in ("activity_id", "mail_id", "message_id"):
                    outcome.links.pop(fname, None)
                _logger.warning(
                    "Follow-up step %s of enrollment %s failed: %s",
                    outcome.step.id,
                    outcome.enrollment.id,
                    outcome.error,
                )

    @api.model
    def _followup_error_text(self, error):
        text = str(error) or error.__class__.__name__
        return text.strip()[:1000]

    # --- activities

    @api.model
    def _followup_activity_vals(self, outcome, now):
        origin, step, user = outcome.origin, outcome.step, outcome.user
        tz_name, _source = calendar.resolve_tz(user.tz, None, None, self.env.user.tz)
        return {
            "res_model_id": self.env["ir.model"]._get_id(origin._name),
            "res_id": origin.id,
            "activity_type_id": step.activity_type_id.id,
            "summary": step.activity_summary or step.name,
            "note": step.note or False,
            "user_id": user.id,
            # "Today" for the assignee, wherever they are.
            "date_deadline": calendar.to_local(now, tz_name).date(),
            "automated": True,
        }

    @api.model
    def _followup_perform_activities(self, group, now):
        Activity = self.env["mail.activity"]

        def create_all(outcomes):
            activities = Activity.create([self._followup_activity_vals(o, now) for o in outcomes])
            for outcome, activity in zip(outcomes, activities, strict=True):
                outcome.links["activity_id"] = activity.id

        self._followup_isolate(group, create_all, lambda outcome: create_all([outcome]))

    # --- e-mails

    @api.model
    def _followup_render_target(self, outcome, model):
        """The record a template made for ``model`` is rendered on: the followed-up
        document, or the partner for templates written for contacts."""
        if model == outcome.origin._name:
            return outcome.origin
        if model == "res.partner":
            return outcome.partner
        raise ValueError(
            self.env._(
                "the template is made for %(model)s records, but this enrollment follows "
                "up a %(origin)s",
                model=model,
                origin=outcome.origin._name,
            )
        )

    @api.model
    def _followup_thread_roots(self, outcomes):
        """{(model, res_id): first message} of the followed-up documents, so that our
        e-mails continue their conversation (one query per model)."""
        self.env["mail.message"].flush_model(["model", "res_id", "message_type"])
        ids_by_model = defaultdict(set)
        for outcome in outcomes:
            ids_by_model[outcome.origin._name].add(outcome.origin.id)
        roots = {}
        for model, ids in ids_by_model.items():
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT DISTINCT ON (res_id) res_id, id, message_id
                      FROM mail_message
                     WHERE model = %s AND res_id = ANY(%s)
                       AND message_type != 'user_notification'
                     ORDER BY res_id, id
                    """,
                    model,
                    list(ids),
                )
            )
            roots.update({(model, res_id): (mid, message_id) for res_id, mid, message_id in rows})
        return roots

    @api.model
    def _followup_mail_subject(self, outcome, rendered_subject):
        """Subject of a follow-up e-mail: the template's, else "Re: <document>" so that
        it reads as the continuation of the conversation. Override to change."""
        if rendered_subject:
            return rendered_subject
        return self.env._("Re: %(document)s", document=outcome.origin.display_name)

    @api.model
    def _followup_render_mails(self, template, outcomes):
        """Render ``template`` for the outcomes (one rendering per language)."""
        targets = {o: self._followup_render_target(o, template.model) for o in outcomes}
        res_ids = list({record.id for record in targets.values()})
        rendered = template._generate_template(
            res_ids, ["subject", "body_html", "email_from", "reply_to"]
        )
        return {o: rendered[targets[o].id] for o in outcomes}

    @api.model
    def _followup_perform_emails(self, group, now):
        """Queue one e-mail per step through Odoo's outgoing queue (mail.mail), posted on
        the followed-up document, to the partner only, with the unsubscribe headers
        and the preference link. Nothing is sent here: the mail queue cron sends after
        the commit, and fails a mail rather than sending it twice."""
        by_template = defaultdict(list)
        for outcome in group:
            by_template[outcome.step.mail_template_id].append(outcome)
        rendered = {}
        for template, outcomes in by_template.items():

            def render_all(batch, template=template):
                rendered.update(self._followup_render_mails(template, batch))

            self._followup_isolate(outcomes, render_all, lambda o, r=render_all: r([o]))
        ready = [o for o in group if o.error is None and o in rendered]
        if not ready:
            return

        def queue_all(outcomes):
            self._followup_queue_mails(outcomes, rendered)

        self._followup_isolate(ready, queue_all, lambda outcome: queue_all([outcome]))

    @api.model
    def _followup_queue_mails(self, outcomes, rendered):
        roots = self._followup_thread_roots(outcomes)
        reply_tos = {}
        by_model = defaultdict(list)
        for outcome in outcomes:
            by_model[outcome.origin._name].append(outcome.origin.id)
        for model, ids in by_model.items():
            # Replies go to the document's alias when it has one (one call per model).
            reply_tos[model] = self.env[model].browse(ids)._notify_get_reply_to(default=False)
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        company_from = self.env.company.email_formatted
        message_vals, mail_vals = [], []
        for outcome in outcomes:
            values = rendered[outcome]
            partner, origin, template = (
                outcome.partner,
                outcome.origin,
                outcome.step.mail_template_id,
            )
            author = outcome.user.partner_id
            # The company that follows the person up (the cron's env.company is only
            # the superuser's own company).
            company = outcome.enrollment.company_id
            email_from = (
                values.get("email_from")
                or author.email_formatted
                or company.email_formatted
                or company_from
            )
            reply_to = (
                values.get("reply_to") or reply_tos[origin._name].get(origin.id) or email_from
            )
            body = values.get("body_html") or ""
            root = roots.get((origin._name, origin.id))
            message_vals.append(
                {
                    "model": origin._name,
                    "res_id": origin.id,
                    "message_type": "comment",
                    "subtype_id": comment,
                    "is_internal": False,
                    "subject": self._followup_mail_subject(outcome, values.get("subject")),
                    "body": body,
                    "author_id": author.id,
                    "email_from": email_from,
                    "reply_to": reply_to,
                    "partner_ids": [(4, partner.id)],
                    "parent_id": root[0] if root else False,
                    "record_name": origin.display_name,
                }
            )
            mail_vals.append(
                {
                    "body_html": Markup("%s%s")
                    % (Markup(body), partner.with_company(company)._followup_mail_footer()),
                    "headers": repr(partner._followup_mail_headers()),
                    "recipient_ids": [(4, partner.id)],
                    "auto_delete": template.auto_delete,
                    "is_notification": True,
                    "mail_server_id": template.mail_server_id.id,
                    "references": root[1] if root and root[1] else False,
                    "state": "outgoing",
                }
            )
        # sudo: mail.message and mail.mail are technical; the partners, documents and
        # templates were checked when the steps were configured and enrolled.
        messages = self.env["mail.message"].sudo().create(message_vals)
        for vals, message in zip(mail_vals, messages, strict=True):
            vals["mail_message_id"] = message.id
        mails = self.env["mail.mail"].sudo().create(mail_vals)
        # Notifications give the chatter its delivery status (sent, bounced...).
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": message.author_id.id,
                    "mail_message_id": message.id,
                    "mail_mail_id": mail.id,
                    "res_partner_id": outcome.partner.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                    "is_read": True,
                }
                for outcome, message, mail in zip(outcomes, messages, mails, strict=True)
            ]
        )
        for outcome, message, mail in zip(outcomes, messages, mails, strict=True):
            outcome.links["message_id"] = message.id
            outcome.links["mail_id"] = mail.id

    # --- text messages

    @api.model
    def _followup_sms_number(self, partner):
        number = partner._fields.get("followup_sms_number") and partner.followup_sms_number
        return number or partner.mobile or partner.phone or False

    @api.model
    def _followup_perform_sms(self, group, now):
        """Queue one text message per step in Odoo's SMS queue (sms.sms), logged on the
        followed-up document with its delivery notification, to the partner's number
        for text messages. The SMS queue cron sends them after the commit."""
        by_template = defaultdict(list)
        for outcome in group:
            by_template[outcome.step.sms_template_id].append(outcome)
        bodies = {}
        for template, outcomes in by_template.items():

            def render_all(batch, template=template):
                targets = {o: self._followup_render_target(o, template.model) for o in batch}
                texts = template._render_field(
                    "body", list({r.id for r in targets.values()}), compute_lang=True
                )
                bodies.update({o: texts[targets[o].id] for o in batch})

            self._followup_isolate(outcomes, render_all, lambda o, r=render_all: r([o]))
        ready = [o for o in group if o.error is None and o in bodies]
        if ready:
            self._followup_isolate(
                ready,
                lambda outcomes: self._followup_queue_sms(outcomes, bodies),
                lambda outcome: self._followup_queue_sms([outcome], bodies),
            )

    @api.model
    def _followup_queue_sms(self, outcomes, bodies):
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        # sudo: mail.message, sms.sms and mail.notification are technical (see
        # _followup_queue_mails); the cron runs as superuser anyway.
        messages = (
            self.env["mail.message"]
            .sudo()
            .create(
                [
                    {
                        "model": o.origin._name,
                        "res_id": o.origin.id,
                        "message_type": "sms",
                        "subtype_id": note,
                        "body": sms_content_to_rendered_html(bodies[o]),
                        "author_id": o.user.partner_id.id,
                        "partner_ids": [(4, o.partner.id)],
                        "record_name": o.origin.display_name,
                    }
                    for o in outcomes
                ]
            )
        )
        # sudo: sms.sms is technical (see _followup_queue_mails).
        sms_all = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {
                        "body": bodies[o],
                        "partner_id": o.partner.id,
                        "number": self._followup_sms_number(o.partner),
                        "mail_message_id": message.id,
                        "state": "outgoing",
                    }
                    for o, message in zip(outcomes, messages, strict=True)
                ]
            )
        )
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": message.author_id.id,
                    "mail_message_id": message.id,
                    "res_partner_id": sms.partner_id.id,
                    "sms_number": sms.number,
                    "notification_type": "sms",
                    "sms_id_int": sms.id,
                    "sms_tracker_ids": [(0, 0, {"sms_uuid": sms.uuid})],
                    "is_read": True,
                    "notification_status": "ready",
                }
                for message, sms in zip(messages, sms_all, strict=True)
            ]
        )
        for outcome, message in zip(outcomes, messages, strict=True):
            outcome.links["message_id"] = message.id

    # --- server actions

    @api.model
    def _followup_perform_server_actions(self, group, now):
        """Run each step's server action on its document (``active_model``,
        ``active_id``), one savepoint each: it is the user's code, it may fail alone."""
        for outcome in group:
            action = outcome.step.server_action_id
            try:
                target = self._followup_render_target(outcome, action.model_name)
                with self.env.cr.savepoint():
                    action.with_context(
                        active_model=target._name,
                        active_id=target.id,
                        active_ids=target.ids,
                        followup_enrollment_id=outcome.enrollment.id,
                        followup_partner_id=outcome.partner.id,
                        followup_step_id=outcome.step.id,
                    ).run()
            except Exception as error:  # noqa: BLE001 - the action's own error
                outcome.error = self._followup_error_text(error)
                _logger.warning(
                    "Follow-up server action %s failed on enrollment %s: %s",
                    action.id,
                    outcome.enrollment.id,
                    outcome.error,
                )

    # ------------------------------------------------------------------ sentences

    @api.model
    def _followup_labels(self):
        Step = self.env["followup.step"]
        return {
            "channel": dict(Step._fields["channel"]._description_selection(self.env)),
        }

    @api.model
    def _followup_when(self, details, next_try):
        """ "2026-11-30 09:00 (Europe/Rome)": the next try in the partner's time."""
        local = details.get("local_time")
        tz = details.get("tz")
        if local and tz:
            return self.env._("%(time)s (%(tz)s)", time=local, tz=tz)
        return self.env._("%(time)s (UTC)", time=fields.Datetime.to_string(next_try))

    @api.model
    def _followup_note(self, outcome, labels=None):
        """The sentence a person reads in the log for this outcome."""
        partner = outcome.partner.display_name
        step = outcome.step
        labels = labels or self._followup_labels()
        channel = labels["channel"].get(step.channel, step.channel or "")
        if outcome.state == DONE:
            return self._followup_done_note(outcome)
        if outcome.state == FAILED:
            return self._followup_failure_note(outcome)
        if outcome.reason == policy_decision.STOPPED and outcome.stop_reason == "origin_cancelled":
            return self.env._(
                "Stopped: the document followed up (%(model)s #%(id)s) no longer exists.",
                model=outcome.enrollment.origin_model,
                id=outcome.enrollment.origin_id,
            )
        if outcome.done_before:
            return self.env._(
                "Skipped: step “%(step)s” was already carried out for %(partner)s on "
                "%(date)s (UTC); a step is never carried out twice.",
                step=step.name,
                partner=partner,
                date=fields.Datetime.to_string(outcome.done_before)[:16],
            )
        details = dict(outcome.decision.details) if outcome.decision else {}
        reason = outcome.reason
        if outcome.state == DEFERRED:
            when = self._followup_when(details, outcome.next_try)
            if reason == policy_decision.CAP:
                contacts = details.get("contacts") or 0
                times = (
                    self.env._("once")
                    if contacts == 1
                    else self.env._("%(count)s times", count=contacts)
                )
                return self.env._(
                    "Deferred: %(partner)s was already contacted %(times)s in the last "
                    "%(days)s days; next try on %(when)s.",
                    partner=partner,
                    times=times,
                    days=details.get("days"),
                    when=when,
                )
            if reason == policy_decision.WEEKEND:
                country = outcome.partner.country_id.name or details.get("country") or ""
                if country:
                    return self.env._(
                        "Deferred: it is the weekend in %(country)s for %(partner)s; next "
                        "try on %(when)s.",
                        country=country,
                        partner=partner,
                        when=when,
                    )
                return self.env._(
                    "Deferred: it is the weekend for %(partner)s; next try on %(when)s.",
                    partner=partner,
                    when=when,
                )
            if reason == policy_decision.PREFERRED_HOURS:
                return self.env._(
                    "Deferred: %(partner)s prefers to be contacted between %(start)s and "
                    "%(end)s; next try on %(when)s.",
                    partner=partner,
                    start=details.get("preferred_start"),
                    end=details.get("preferred_end"),
                    when=when,
                )
            return self.env._(
                "Deferred: it is %(now)s for %(partner)s (%(tz)s), outside the sending hours "
                "%(start)s-%(end)s; next try on %(when)s.",
                now=(details.get("now_local") or "")[-5:],
                partner=partner,
                tz=details.get("tz") or "UTC",
                start=details.get("window_start"),
                end=details.get("window_end"),
                when=when,
            )
        # Suppressed: the person or the data says no; the step is skipped.
        sentences = {
            policy_decision.NO_CONSENT: self.env._(
                "Suppressed: %(partner)s has not agreed to receive marketing by %(channel)s; "
                "this step is skipped.",
                partner=partner,
                channel=channel,
            ),
            policy_decision.WITHDRAWN: self.env._(
                "Suppressed: %(partner)s withdrew their consent for %(channel)s; this step "
                "is skipped.",
                partner=partner,
                channel=channel,
            ),
            policy_decision.CHANNEL_REFUSED: self.env._(
                "Suppressed: %(partner)s asked not to be contacted by %(channel)s; this step "
                "is skipped.",
                partner=partner,
                channel=channel,
            ),
            policy_decision.BLACKLISTED: self.env._(
                "Suppressed: the %(channel)s address of %(partner)s is on the opt-out list; "
                "this step is skipped.",
                partner=partner,
                channel=channel,
            ),
            policy_decision.INVALID_ADDRESS: self.env._(
                "Suppressed: %(partner)s has no valid address for %(channel)s; this step is "
                "skipped.",
                partner=partner,
                channel=channel,
            ),
            policy_decision.STOPPED: self.env._(
                "Stopped: %(partner)s is archived; the follow-up ends here.",
                partner=partner,
            ),
        }
        return sentences.get(
            reason,
            self.env._("Suppressed (%(reason)s): this step is skipped.", reason=reason or ""),
        )

    @api.model
    def _followup_done_note(self, outcome):
        step, partner, origin = outcome.step, outcome.partner, outcome.origin
        if step.action == "activity":
            return self.env._(
                "Done: activity “%(summary)s” scheduled for %(user)s on %(document)s.",
                summary=step.activity_summary or step.name,
                user=outcome.user.partner_id.name or outcome.user.display_name,
                document=origin.display_name,
            )
        if step.action == "email":
            return self.env._(
                "Done: e-mail “%(template)s” queued for %(partner)s <%(email)s> on %(document)s.",
                template=step.mail_template_id.display_name,
                partner=partner.display_name,
                email=partner.email or "",
                document=origin.display_name,
            )
        if step.action == "sms":
            return self.env._(
                "Done: text message “%(template)s” queued for %(partner)s (%(number)s).",
                template=step.sms_template_id.display_name,
                partner=partner.display_name,
                number=self._followup_sms_number(partner) or "",
            )
        return self.env._(
            "Done: server action “%(action)s” run on %(document)s.",
            action=step.server_action_id.display_name,
            document=origin.display_name,
        )

    @api.model
    def _followup_failure_note(self, outcome):
        step = outcome.step
        what = {
            "email": step.mail_template_id.display_name,
            "sms": step.sms_template_id.display_name,
            "server_action": step.server_action_id.display_name,
            "activity": step.activity_type_id.display_name,
        }.get(step.action) or step.name
        if outcome.error == "missing_facts" or outcome.error == "missing_settings":
            return self.env._(
                "Failed: the contact data of %(partner)s could not be read; this step is skipped.",
                partner=outcome.partner.display_name,
            )
        return self.env._(
            "Failed: step “%(step)s” (%(what)s) raised an error and is skipped: %(error)s",
            step=step.name,
            what=what,
            error=outcome.error or "",
        )
