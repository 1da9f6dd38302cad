"""The dispatch engine: takes the due steps of follow-up enrollments and carries them out.

One batch at a time, a short pipeline of stages over the whole batch, each returning new
immutable outcomes (``followup_outcome.StepOutcome``):

1. **claim** the due enrollments with one ``SELECT ... FOR UPDATE SKIP LOCKED`` (a second
   worker, on this server or another, skips the rows this one holds), oldest due first
   (``policy.planner.claim_order``);
2. **prepare** and **decide** (``followup_dispatcher_decide.py``): read the batch in a fixed
   number of queries, gather the partners' facts and policies, and decide the whole batch
   with ``policy.planner.plan`` (service before marketing, then the oldest due; the
   contact cap shared by the batch);
3. **log** every decision in ONE ``followup.dispatch.create`` *before* any side effect
   (the sentences are the log model's, ``followup_dispatch_sentence.py``);
4. **perform** the allowed steps in batch, one channel adapter per action
   (``followup.channel.<action>``: activity, email, server_action, and those of other
   add-ons), the only code that touches ``mail`` and the other apps;
5. **finish** the log (links to what was produced, failures);
6. **move on**: the one stepping rule (``policy.stepping``) applied by the enrollment:
   next step, next try, done, or stopped.

Everything of a batch happens in one transaction: a crash anywhere rolls back the claim,
the log and the side effects together, so nothing is lost and nothing is done twice. The
cron handles one batch per call, which Odoo's cron runner commits (never in tests). The
row that performs a step carries a unique key (see
``followup.dispatch._followup_idempotency_key``): even a second worker that somehow got the
same step could not insert its row, and its transaction would roll back before anything
left the database (mails and text messages only leave through their
queues, after the commit).

The model is this file and two mixins it inherits: ``followup.dispatcher.decide``
(followup_dispatcher_decide.py: the gathering, the steps' conditions and the deciding of
a batch) and ``followup.dispatcher.limits`` (followup_dispatcher_limits.py: the daily
limits of the people who carry steps out).
"""

import logging
import threading
from collections import defaultdict
from contextlib import nullcontext

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL, mute_logger

from ..policy import stepping
from ..policy.vocabulary import DONE, FAILED
from .tools import int_param

_logger = logging.getLogger(__name__)


class FollowupDispatcher(models.AbstractModel):
    _name = "followup.dispatcher"
    _inherit = ["followup.dispatcher.decide", "followup.dispatcher.limits"]
    _description = "Follow-up Dispatch Engine"

    # ------------------------------------------------------------------ settings

    @api.model
    def _followup_batch_size(self):
        """Enrollments claimed per batch (system parameter
        ``followup_manager.dispatch_batch_size``, default 500)."""
        return int_param(self.env, "followup_manager.dispatch_batch_size", 500, minimum=1)

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
        retry=False,
    ):
        """Dispatch every due step, batch after batch.

        :param now: naive UTC moment to dispatch at (default: the clock, read per batch)
        :param batch_size: enrollments per batch (default: the system parameter)
        :param auto_commit: commit after each batch, for a caller that is no cron job
            (the cron goes through ``_dispatch_cron_batch``); ignored in tests (see
            ``_followup_auto_commit_allowed``)
        :param max_batches: stop after that many batches (default: until nothing is due)
        :param enrollment_ids: only these enrollments (default: all; e.g. a "run now"
            on a selection)
        :param retry: claim again in a new transaction when another worker changed the
            claimed rows (see ``_followup_claim``); implied by committing
        :return: the ``followup.dispatch`` rows written
        """
        batch_size = batch_size or self._followup_batch_size()
        commit = auto_commit and self._followup_auto_commit_allowed()
        dispatches = self.env["followup.dispatch"]
        batches = 0
        previous = None
        while True:
            moment = now or fields.Datetime.now()
            enrollments = self._followup_claim(
                moment, batch_size, retry=retry or commit, enrollment_ids=enrollment_ids
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
            batches += 1
            if commit:
                # A batch is all or nothing, and what is committed is never redone.
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()
            if max_batches and batches >= max_batches:
                break
        self._followup_schedule_next_run(now or fields.Datetime.now())
        return dispatches

    @api.model
    def _dispatch_cron_batch(self):
        """One batch of the dispatch cron, as the mass enrollment's cron does it
        (``followup.enroll.job._cron_enroll``): Odoo's cron runner commits the batch
        (or rolls it back if it raises) and calls again while ``_notify_progress``
        says steps remain, then reschedules the job at once. The commit is thus the
        runner's, in a real cron run only.

        :return: the ``followup.dispatch`` rows written
        """
        now = fields.Datetime.now()
        # retry: the claim may start a new transaction, nothing of the batch being done yet.
        dispatches = self._dispatch_due(now=now, max_batches=1, retry=True)
        self.env["ir.cron"]._notify_progress(
            done=len(dispatches.enrollment_id), remaining=self._followup_count_due(now)
        )
        return dispatches

    @api.model
    def _followup_claim(self, now, limit, retry=False, enrollment_ids=None):
        """Lock and return up to ``limit`` due enrollments, oldest due first, skipping
        the ones another transaction holds. ONE query.

        Its ``WHERE`` and ``ORDER BY`` are the SQL mirror of ``policy.stepping.is_due``
        and ``policy.planner.claim_order``, which the forecast uses (a test checks
        they agree).

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
            # A serialization failure is expected when another worker claimed first:
            # the database layer need not log it as an error unless it is the last try.
            quiet = mute_logger("odoo.sql_db") if attempt + 1 < attempts else nullcontext()
            try:
                with quiet:
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
        outcomes = dispatcher._followup_decide(outcomes, now)
        outcomes, dispatches = dispatcher._followup_log(outcomes, now)
        outcomes = dispatcher._followup_perform(outcomes, now)
        outcomes = dispatcher._followup_finish_log(outcomes)
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

    # --- the log

    @api.model
    def _followup_log(self, outcomes, now):
        """Write one followup.dispatch row per decided outcome, in ONE create, before any
        side effect. Rows that perform a step (done, failed) carry its unique key.
        Returns (the outcomes with their row, the rows)."""
        Dispatch = self.env["followup.dispatch"]
        logged = [outcome for outcome in outcomes if outcome.log_state]
        dispatches = Dispatch.create([Dispatch._followup_log_vals(o) for o in logged])
        rows = {o.key: row for o, row in zip(logged, dispatches, strict=True)}
        outcomes = [o.replace(dispatch=rows[o.key]) if o.key in rows else o for o in outcomes]
        return outcomes, dispatches

    @api.model
    def _followup_finish_log(self, outcomes):
        """Write back what the side effects produced (links) and what failed. The ORM
        flushes these per-row writes as one UPDATE per set of columns."""
        Dispatch = self.env["followup.dispatch"]
        for outcome in outcomes:
            dispatch = outcome.dispatch
            if not dispatch:
                continue
            if outcome.state == FAILED and dispatch.state == DONE:
                # The side effect raised (and was rolled back): this step failed.
                dispatch.write(
                    {
                        "state": FAILED,
                        "reason": outcome.log_reason,
                        **Dispatch._followup_note_vals(outcome),
                    }
                )
            elif outcome.state == DONE and outcome.links:
                dispatch.write(dict(outcome.links))
        return outcomes

    # --- side effects

    @api.model
    def _followup_channel(self, action):
        """The adapter that carries out steps of ``action``: the model
        ``followup.channel.<action>``. To add an action, add such a model (see
        ``followup.channel``) and the value to ``followup.step.action``."""
        name = f"followup.channel.{action}"
        return self.env.get(name)

    @api.model
    def _followup_perform(self, outcomes, now):
        """Carry out the allowed steps, one adapter call per kind of action (for a step
        that lets the person's preferred channel decide, the action of the channel
        chosen); return the outcomes, the failed ones turned to ``failed``."""
        by_action = defaultdict(list)
        for outcome in outcomes:
            if outcome.state == DONE:
                by_action[outcome.action].append(outcome)
        performed = {}
        for action, group in by_action.items():
            channel = self._followup_channel(action)
            if channel is None:
                error = self.env._("unknown action %(action)s", action=action)
                results = [outcome.fail(error) for outcome in group]
            else:
                results = channel._perform(group, now)
            performed.update((outcome.key, outcome) for outcome in results)
        for outcome in performed.values():
            if outcome.state == FAILED:
                _logger.warning(
                    "Follow-up step %s (%s) of enrollment %s failed: %s",
                    outcome.step.id,
                    outcome.action,
                    outcome.enrollment.id,
                    outcome.error,
                )
        return [performed.get(outcome.key, outcome) for outcome in outcomes]

    # --- after the step

    @api.model
    def _followup_move_on(self, outcomes, now):
        """Move each enrollment on by the one stepping rule (``policy.stepping``): done,
        failed and suppressed steps are behind us (next step scheduled from now, or the
        enrollment is done); deferred steps wait for their next try; an archived
        partner or a deleted document stops it."""
        Enrollment = self.env["followup.enrollment"]
        moves = Enrollment._followup_next_moves(
            [(o.partner, o.step, o.progress, o.next_try, o.stop_reason) for o in outcomes],
            now,
        )
        enrollments = [outcome.enrollment for outcome in outcomes]
        Enrollment._followup_apply_moves(list(zip(enrollments, moves, strict=True)), now)
        # A held next step remembers the activity it waits for (one UPDATE for all).
        for outcome, move in zip(outcomes, moves, strict=True):
            if move.kind == stepping.HOLD:
                outcome.enrollment.waiting_activity_id = dict(outcome.links)["activity_id"]
