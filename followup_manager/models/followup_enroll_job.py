"""Mass enrollments in the background: a selection too large for one request (more than
``followup_manager.enroll_background_threshold`` targets, default 5,000) is queued as a
job and enrolled by a cron, batch after batch.

Each cron call enrolls one batch and moves the job's position past it in the same
transaction, which the cron runner commits (``ir.cron._run_job``): a batch is all or
nothing, and an interrupted run starts again at the first batch not committed. Nothing is
enrolled twice: the batch's enrollments and the position go together, and
``followup.sequence._followup_enroll`` skips whoever is already active anyway (the
database's unique index refuses a second one).

A job is the request of one user and runs with that user's rights: whoever creates one
(through the wizard or directly over RPC) is its user, and may only queue documents they
can read. A batch that raises fails its job alone (rolled back to a savepoint, the job
marked failed and its user told why); the cron goes on with the next job.
"""

import logging
from collections import defaultdict

from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .followup_arguments import check_id, check_text
from .tools import int_param

_logger = logging.getLogger(__name__)


class FollowupEnrollJob(models.Model):
    _name = "followup.enroll.job"
    _description = "Follow-up Mass Enrollment"
    _order = "id desc"
    _check_company_auto = True

    sequence_id = fields.Many2one(
        "followup.sequence",
        string="Follow-up Sequence",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="sequence_id.company_id", store=True, precompute=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        help="The enrollments are made with this user's rights, as from the wizard.",
    )
    allowed_company_ids = fields.Many2many(
        "res.company",
        string="Companies of the Request",
        readonly=True,
        help="The companies selected when the enrollment was asked for.",
    )
    targets = fields.Json(
        readonly=True, help="[partner id, document model, document id] to enroll, in order."
    )
    total_count = fields.Integer(string="To Enroll", readonly=True)
    position = fields.Integer(string="Handled", readonly=True, default=0)
    enrolled_count = fields.Integer(string="Enrolled", readonly=True, default=0)
    state = fields.Selection(
        [("queued", "In progress"), ("done", "Done"), ("failed", "Failed")],
        required=True,
        default="queued",
        index=True,
        readonly=True,
    )
    progress = fields.Float(compute="_compute_progress", help="Handled, in percent.")
    error = fields.Text(readonly=True, help="Why the job failed.")

    @api.depends("position", "total_count")
    def _compute_progress(self):
        for job in self:
            job.progress = 100.0 * job.position / job.total_count if job.total_count else 100.0

    # ------------------------------------------------------------------ settings

    @api.model
    def _followup_threshold(self):
        """Targets beyond which the enroll wizard queues a job (system parameter
        ``followup_manager.enroll_background_threshold``, default 5000)."""
        return int_param(self.env, "followup_manager.enroll_background_threshold", 5000, 1)

    @api.model
    def _followup_batch_size(self):
        """Targets enrolled per cron call (system parameter
        ``followup_manager.enroll_batch_size``, default 2000)."""
        return int_param(self.env, "followup_manager.enroll_batch_size", 2000, minimum=1)

    # ------------------------------------------------------------------ creation

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            vals_list = [self._followup_request_vals(vals) for vals in vals_list]
        return super().create(vals_list)

    @api.model
    def _followup_request_vals(self, vals):
        """``vals`` of a job a user creates (through the wizard or directly over RPC),
        made safe: the job is the caller's own (it runs with their rights, so naming
        another user is refused), for the caller's current companies, starting at its
        first target; the sequence's checks pass and the caller can read every document
        to follow up. Override to check more."""
        env = self.env
        user_id = vals.get("user_id")
        if user_id and user_id != env.uid:
            raise AccessError(
                env._(
                    "A mass enrollment runs with the rights of the person who asks for it: "
                    "you cannot queue one in the name of another user."
                )
            )
        sequence = env["followup.sequence"].browse(
            check_id(env, "sequence_id", vals.get("sequence_id"))
        )
        sequence.check_access("read")
        targets = self._followup_check_targets(vals.get("targets"))
        env["followup.enrollment"].check_access("create")
        sequence._followup_check_enrollable(targets)
        self._followup_check_readable(targets)
        return {
            **vals,
            "user_id": env.uid,
            "allowed_company_ids": [Command.set(env.companies.ids)],
            "targets": targets,
            "total_count": len(targets),
            "position": 0,
            "enrolled_count": 0,
            "state": "queued",
            "error": False,
        }

    @api.model
    def _followup_check_targets(self, targets):
        """``targets`` as [[partner id, model, document id]], without duplicates; a
        ValidationError names what is malformed."""
        if not isinstance(targets, list | tuple):
            raise ValidationError(
                self.env._("Invalid value for targets: a list of [contact, model, id].")
            )
        checked = []
        for target in targets:
            if not isinstance(target, list | tuple) or len(target) != 3:
                raise ValidationError(
                    self.env._(
                        "Invalid value for targets: %(value)s. Expected [contact, model, id].",
                        value=repr(target)[:80],
                    )
                )
            partner_id, model, origin_id = target
            checked.append(
                (
                    check_id(self.env, "targets", partner_id),
                    check_text(self.env, "targets", model, optional=False, max_length=128),
                    check_id(self.env, "targets", origin_id),
                )
            )
        return [list(target) for target in dict.fromkeys(checked)]

    @api.model
    def _followup_check_readable(self, targets):
        """Raise unless the current user can read every document of ``targets`` (their
        models already checked against the sequence): following a document up posts on
        it and mails its content, as ``followup.sequence.enroll`` checks."""
        if self._followup_readable(targets) != {tuple(target) for target in targets}:
            raise AccessError(
                self.env._(
                    "Some documents to follow up do not exist or you cannot read them: a "
                    "mass enrollment only follows up documents you can read."
                )
            )

    @api.model
    def _followup_readable(self, targets):
        """The targets (as tuples) whose document exists and the current user can read:
        one search per model."""
        by_model = defaultdict(set)
        for _pid, model, origin_id in targets:
            by_model[model].add(origin_id)
        readable = {
            model: set(
                self.env[model].with_context(active_test=False)._search([("id", "in", list(ids))])
            )
            for model, ids in by_model.items()
        }
        return {tuple(target) for target in targets if target[2] in readable[target[1]]}

    # ------------------------------------------------------------------ queueing

    @api.model
    def _followup_queue(self, sequence, targets):
        """Queue the enrollment of ``targets`` [(partner id, model, id)] in ``sequence``
        and wake the cron. The sequence's own checks run now, in the request."""
        self.env["followup.enrollment"].check_access("create")
        sequence._followup_check_enrollable(targets)
        targets = [list(target) for target in dict.fromkeys(map(tuple, targets))]
        job = self.create(
            {
                "sequence_id": sequence.id,
                "allowed_company_ids": [(6, 0, self.env.companies.ids)],
                "targets": targets,
                "total_count": len(targets),
            }
        )
        # sudo: only schedules the job's cron; the caller gets no access to it.
        self.env.ref("followup_manager.ir_cron_followup_enroll").sudo()._trigger()
        return job

    # ------------------------------------------------------------------ running

    @api.model
    def _cron_enroll(self):
        """Cron entry point (followup_manager.ir_cron_followup_enroll): one batch of the
        oldest queued job per call; the runner commits it and calls again while
        ``_notify_progress`` says work remains. A job whose batch raises is marked
        failed (its batch rolled back) and the next job's batch runs instead."""
        done = 0
        for job in self.search([("state", "=", "queued")], order="id"):
            try:
                with self.env.cr.savepoint():
                    done = job._followup_run_batch()
                break
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:
                # One failing job must not block the ones queued after it.
                _logger.warning("Follow-up mass enrollment %s failed", job.id, exc_info=True)
                job._followup_fail(error)
        queued = self.search_fetch([("state", "=", "queued")], ["position", "total_count"])
        remaining = sum(j.total_count - j.position for j in queued)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return True

    def _followup_run_batch(self):
        """Enroll the next batch of this job as the user who asked; return how many
        targets were handled."""
        self.ensure_one()
        handled = [tuple(target) for target in self.targets[self.position :]]
        handled = handled[: self._followup_batch_size()]
        sequence = self.sequence_id.with_user(self.user_id).with_context(
            allowed_company_ids=self.allowed_company_ids.ids or self.company_id.ids,
            # One note at the end of the job, not one per batch.
            followup_enroll_job=self.id,
            # Enrolled by hand: the user who asked owns what has no salesperson.
            followup_hand_enrollment=True,
        )
        # Only the documents that still exist and the user can still read (one deleted
        # meanwhile, or out of the user's reach since, is skipped like an enrolled one).
        readable = self.with_env(sequence.env)._followup_readable(handled)
        batch = [target for target in handled if target in readable]
        enrolled = sequence._followup_enroll(batch) if batch and sequence.active else []
        self.write(
            {
                "position": self.position + len(handled),
                "enrolled_count": self.enrolled_count + len(enrolled),
            }
        )
        if not handled or self.position >= self.total_count or not sequence.active:
            self._followup_finish()
        return len(handled)

    def _followup_fail(self, error):
        """The job raised (its batch rolled back): mark it failed with the reason, say
        so on the sequence and to the user who asked; the cron goes on with the next."""
        self.ensure_one()
        if isinstance(error, UserError) and error.args:
            reason = str(error.args[0])
        else:
            reason = f"{type(error).__name__}: {error}"
        self.write({"state": "failed", "targets": [], "error": reason})
        text = self.env._(
            "The enrollment in the background asked by %(user)s stopped after %(enrolled)s "
            "of %(total)s enrolled: %(error)s",
            user=self.user_id.name,
            enrolled=self.enrolled_count,
            total=self.total_count,
            error=reason,
        )
        self.sequence_id._message_log(body=escape(text))
        self.user_id._bus_send(
            "simple_notification",
            {
                "type": "danger",
                "title": self.env._("Enrollment failed: %(name)s", name=self.sequence_id.name),
                "message": text,
                "sticky": True,
            },
        )

    def _followup_finish(self):
        """The job is done: say so on the sequence and to the user who asked."""
        self.ensure_one()
        self.write({"state": "done", "targets": []})
        text = self.env._(
            "%(enrolled)s of %(total)s enrolled in the background (asked by %(user)s); "
            "the others were already followed up by this sequence, or outside its filter.",
            enrolled=self.enrolled_count,
            total=self.total_count,
            user=self.user_id.name,
        )
        # A note without notification, like the enrollment notes.
        self.sequence_id._message_log(body=escape(text))
        self.user_id._bus_send(
            "simple_notification",
            {
                "type": "success",
                "title": self.env._("Enrollment done: %(name)s", name=self.sequence_id.name),
                "message": text,
                "sticky": True,
            },
        )
