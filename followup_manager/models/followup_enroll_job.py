"""Mass enrollments in the background: a selection too large for one request (more than
``followup_manager.enroll_background_threshold`` targets, default 5,000) is queued as a
job and enrolled by a cron, batch after batch.

Each cron call enrolls one batch and moves the job's position past it in the same
transaction, which the cron runner commits (``ir.cron._run_job``): a batch is all or
nothing, and an interrupted run starts again at the first batch not committed. Nothing is
enrolled twice: the batch's enrollments and the position go together, and
``followup.sequence._followup_enroll`` skips whoever is already active anyway (the
database's unique index refuses a second one).
"""

from markupsafe import escape

from odoo import api, fields, models

from .tools import int_param


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
        [("queued", "In progress"), ("done", "Done")],
        required=True,
        default="queued",
        index=True,
        readonly=True,
    )
    progress = fields.Float(compute="_compute_progress", help="Handled, in percent.")

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
        ``_notify_progress`` says work remains."""
        job = self.search([("state", "=", "queued")], order="id", limit=1)
        done = job._followup_run_batch() if job else 0
        queued = self.search_fetch([("state", "=", "queued")], ["position", "total_count"])
        remaining = sum(j.total_count - j.position for j in queued)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return True

    def _followup_run_batch(self):
        """Enroll the next batch of this job as the user who asked; return how many
        targets were handled."""
        self.ensure_one()
        batch = [tuple(target) for target in self.targets[self.position :]]
        batch = batch[: self._followup_batch_size()]
        sequence = self.sequence_id.with_user(self.user_id).with_context(
            allowed_company_ids=self.allowed_company_ids.ids or self.company_id.ids,
            # One note at the end of the job, not one per batch.
            followup_enroll_job=self.id,
            # Enrolled by hand: the user who asked owns what has no salesperson.
            followup_hand_enrollment=True,
        )
        enrolled = sequence._followup_enroll(batch) if batch and sequence.active else []
        self.write(
            {
                "position": self.position + len(batch),
                "enrolled_count": self.enrolled_count + len(enrolled),
            }
        )
        if not batch or self.position >= self.total_count or not sequence.active:
            self._followup_finish()
        return len(batch)

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


class FollowupSequence(models.Model):
    _inherit = "followup.sequence"

    enroll_job_ids = fields.One2many("followup.enroll.job", "sequence_id", readonly=True)
    enroll_job_pending = fields.Integer(
        string="Enrolling in the Background",
        compute="_compute_enroll_job_progress",
        help="Targets of mass enrollments still waiting to be enrolled.",
    )
    enroll_job_progress = fields.Float(
        string="Background Enrollment Progress", compute="_compute_enroll_job_progress"
    )

    @api.depends("enroll_job_ids.state", "enroll_job_ids.position")
    def _compute_enroll_job_progress(self):
        jobs = self.env["followup.enroll.job"].search_fetch(
            [("sequence_id", "in", self.ids), ("state", "=", "queued")],
            ["sequence_id", "position", "total_count"],
        )
        for sequence in self:
            mine = jobs.filtered(lambda job, s=sequence: job.sequence_id == s)
            total = sum(mine.mapped("total_count"))
            handled = sum(mine.mapped("position"))
            sequence.enroll_job_pending = total - handled
            sequence.enroll_job_progress = 100.0 * handled / total if total else 0.0
