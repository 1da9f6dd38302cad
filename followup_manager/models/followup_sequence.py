from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..policy import vocabulary
from .followup_delivery import UNDELIVERED
from .tools import check_integer_vals, eval_domain

# The lifecycle stages a stage_reached sequence can start on (not "visitor": every
# contact starts there, nothing is reached).
TRIGGER_STAGES = [
    ("prospect", "Prospect"),
    ("customer", "Customer"),
    ("loyal", "Loyal"),
    ("inactive", "Inactive"),
]


class FollowupSequence(models.Model):
    """A follow-up sequence: its steps, who may enter it, its state. What starts and
    stops it is followup.sequence.triggers, enrolling people followup.sequence.enrollment,
    how it performs followup.sequence.performance."""

    _name = "followup.sequence"
    _description = "Follow-up Sequence"
    _inherit = [
        "mail.thread",
        "followup.sequence.triggers",
        "followup.sequence.enrollment",
        "followup.sequence.performance",
    ]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    purpose = fields.Selection(
        vocabulary.selection(vocabulary.PURPOSE_LABELS),
        required=True,
        default="marketing",
        tracking=True,
        help="Marketing: contacts need the person's consent (or a valid soft opt-in for "
        "e-mail). Service: after-sale care or complaint handling, based on the contract; "
        "objections and channel preferences are still honoured.",
    )
    trigger = fields.Selection(
        [
            ("manual", "Manual"),
            ("partner_inactive", "Customer became inactive"),
            ("question_received", "Question received"),
            ("stage_reached", "Lifecycle stage reached"),
        ],
        required=True,
        default="manual",
        tracking=True,
        help="What enrolls partners automatically. Any sequence can also be started by "
        "hand from a partner or a followed-up document.",
    )
    trigger_stage = fields.Selection(
        TRIGGER_STAGES,
        string="Stage",
        tracking=True,
        help="The lifecycle stage whose reaching starts this sequence (trigger "
        "“Lifecycle stage reached”). “Inactive” is the same moment as the trigger "
        "“Customer became inactive”.",
    )
    origin_model = fields.Char(
        string="Followed-up Model",
        compute="_compute_origin_model",
        store=True,
        precompute=True,
        help="Model of the document this sequence follows up; its templates must be on "
        "this model or on Contact.",
    )
    partner_domain = fields.Char(
        string="Who May Enter",
        default="[]",
        help="Only partners matching this filter are enrolled.",
    )
    stop_on_reply = fields.Boolean(
        compute="_compute_stop_on_reply",
        store=True,
        precompute=True,
        readonly=False,
        help="Stop following a partner up as soon as they reply on the followed-up document. "
        "A question sequence never stops on the person's own messages (they are the "
        "question): it stops when an employee answers.",
    )
    step_ids = fields.One2many("followup.step", "sequence_id", string="Steps", copy=True)
    followup_error = fields.Text(
        string="Last Enrollment Error",
        readonly=True,
        copy=False,
        help="Why the last automatic enrollment (a document's event, an inactive "
        "customer) was skipped. Cleared when the sequence is "
        "edited or enrolls again.",
    )
    step_count = fields.Integer(compute="_compute_step_count")
    enrollment_ids = fields.One2many("followup.enrollment", "sequence_id")
    enrollment_active_count = fields.Integer(
        string="Active Enrollments", compute="_compute_enrollment_counts"
    )
    enrollment_done_count = fields.Integer(
        string="Finished Enrollments", compute="_compute_enrollment_counts"
    )
    enrollment_stopped_count = fields.Integer(
        string="Stopped Enrollments", compute="_compute_enrollment_counts"
    )

    # Pausing a whole sequence (a product recall, the holidays): its running enrollments
    # are paused in place, new ones enter paused; resuming it resumes the enrollments it
    # paused (the ones a user paused one by one stay paused).
    paused = fields.Boolean(
        tracking=True,
        copy=False,
        help="Nothing of this sequence is carried out while it is paused; its follow-ups "
        "keep their place and go on when it is resumed.",
    )
    enrollment_paused_count = fields.Integer(
        string="Paused Enrollments", compute="_compute_enrollment_paused_count"
    )

    # How many of a sequence's e-mails and text messages did not reach the person.
    undelivered_count = fields.Integer(
        string="Not Delivered",
        compute="_compute_undelivered_count",
        help="E-mails and text messages of this sequence that Odoo could not send or "
        "that bounced.",
    )

    # Mass enrollments in the background (followup.enroll.job).
    enroll_job_ids = fields.One2many("followup.enroll.job", "sequence_id", readonly=True)
    enroll_job_pending = fields.Integer(
        string="Enrolling in the Background",
        compute="_compute_enroll_job_progress",
        help="Targets of mass enrollments still waiting to be enrolled.",
    )
    enroll_job_progress = fields.Float(
        string="Background Enrollment Progress", compute="_compute_enroll_job_progress"
    )

    @api.depends("trigger", "document_model")
    def _compute_origin_model(self):
        for sequence in self:
            sequence.origin_model = sequence._followup_trigger_model()

    @api.depends("trigger")
    def _compute_stop_on_reply(self):
        # Another message of the person who asked is no answer; an employee's is.
        for sequence in self:
            sequence.stop_on_reply = sequence.trigger != "question_received"

    @api.depends("step_ids")
    def _compute_step_count(self):
        for sequence in self:
            sequence.step_count = len(sequence.step_ids)

    def _compute_enrollment_counts(self):
        counts = defaultdict(int)
        if self.ids:
            groups = self.env["followup.enrollment"]._read_group(
                [("sequence_id", "in", self.ids)], ["sequence_id", "state"], ["__count"]
            )
            for sequence, state, count in groups:
                counts[sequence.id, state] = count
        for sequence in self:
            sequence.enrollment_active_count = counts[sequence.id, "active"]
            sequence.enrollment_done_count = counts[sequence.id, "done"]
            sequence.enrollment_stopped_count = counts[sequence.id, "stopped"]

    def _compute_enrollment_paused_count(self):
        counts = {}
        if self.ids:
            counts = dict(
                self.env["followup.enrollment"]._read_group(
                    [("sequence_id", "in", self.ids), ("state", "=", vocabulary.PAUSED)],
                    ["sequence_id"],
                    ["__count"],
                )
            )
        for sequence in self:
            sequence.enrollment_paused_count = counts.get(sequence, 0)

    def _compute_undelivered_count(self):
        counts = dict(
            self.env["followup.dispatch"]._read_group(
                [("sequence_id", "in", self.ids), ("delivery_state", "in", UNDELIVERED)],
                ["sequence_id"],
                ["__count"],
            )
        )
        for sequence in self:
            sequence.undelivered_count = counts.get(sequence, 0)

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

    # ------------------------------------------------------------------ constraints

    @api.constrains("active", "step_ids")
    def _check_steps_when_active(self):
        for sequence in self:
            if sequence.active and not sequence.step_ids:
                raise ValidationError(
                    self.env._(
                        "The sequence “%(name)s” has no steps: add at least one step "
                        "before activating it.",
                        name=sequence.name,
                    )
                )

    @api.constrains("trigger", "trigger_stage")
    def _check_trigger_stage(self):
        for sequence in self:
            if sequence.trigger == "stage_reached" and not sequence.trigger_stage:
                raise ValidationError(
                    self.env._(
                        "The sequence “%(name)s” starts when a lifecycle stage is reached: "
                        "choose the stage.",
                        name=sequence.name,
                    )
                )

    @api.constrains("purpose")
    def _check_purpose_of_urgent_steps(self):
        # A sequence turned to marketing cannot keep steps that pass the cap.
        self.step_ids._check_urgent()

    @api.constrains("trigger", "document_model")
    def _check_trigger_templates(self):
        # Changing the trigger changes the followed-up model: the steps' templates
        # must still fit.
        self.step_ids._check_action_target_model()

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        """Run the filter once, as enrolling will: a filter that is valid Python but
        that the database rejects (``[('id', '=', 'abc')]``) is refused here, where the
        person who wrote it can fix it, not when a salesperson confirms an order.

        It runs with the rights of the person who saves it: automatic enrollments run
        it as superuser, so a filter on a field its author cannot read (a manager
        without accounting filtering on ``credit_limit``) would tell them, contact by
        contact, what they may not see."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        for sequence in self:
            try:
                with self.env.cr.savepoint():
                    Partner.search_count(sequence._followup_partner_domain(), limit=1)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except AccessError as error:
                raise ValidationError(
                    self.env._(
                        "The filter “Who May Enter” of the sequence “%(name)s” reads data "
                        "you cannot read (%(error)s): a filter may only use what its "
                        "author can see.",
                        name=sequence.name,
                        error=self._followup_error_sentence(error),
                    )
                ) from error
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The filter “Who May Enter” of the sequence “%(name)s” is not a "
                        "valid filter on contacts: %(error)s",
                        name=sequence.name,
                        error=self._followup_error_sentence(error),
                    )
                ) from error

    # ------------------------------------------------------------------ helpers

    def _followup_partner_domain(self):
        """The sequence's partner filter as a domain list; override to add conditions."""
        self.ensure_one()
        return eval_domain(self, self.partner_domain, uid=self.env.uid, user=self.env.user)

    # ------------------------------------------------------------------ ORM

    # Editing any of these may fix what made an automatic enrollment fail.
    _FOLLOWUP_CONFIG_FIELDS = (
        "active",
        "company_id",
        "partner_domain",
        "step_ids",
        "trigger",
        "trigger_stage",
    )

    @api.model
    def default_get(self, fields_list):
        """In the sequences' screens (context key ``followup_choose_purpose``), a new
        sequence starts without a purpose: marketing or service is the manager's choice,
        not a silent default. Creating over RPC keeps the field's default."""
        defaults = super().default_get(fields_list)
        if self.env.context.get("followup_choose_purpose") and not self.env.context.get(
            "default_purpose"
        ):
            defaults.pop("purpose", None)
        return defaults

    @api.model_create_multi
    def create(self, vals_list):
        check_integer_vals(self, vals_list, ("sequence",))
        return super().create(vals_list)

    def write(self, vals):
        check_integer_vals(self, [vals], ("sequence",))
        if "followup_error" not in vals and vals.keys() & set(self._FOLLOWUP_CONFIG_FIELDS):
            vals = dict(vals, followup_error=False)
        # The sequences whose pause changes, read before the write.
        pause_changed = (
            self.filtered(lambda sequence: sequence.paused != bool(vals["paused"]))
            if "paused" in vals
            else self.browse()
        )
        res = super().write(vals)
        if "active" in vals and not vals["active"]:
            self.env["followup.enrollment"].search(
                [("sequence_id", "in", self.ids), ("state", "in", list(vocabulary.RUNNING_STATES))]
            )._stop("sequence_archived")
        if pause_changed:
            pause_changed._followup_paused_written(vals["paused"])
        return res

    def _followup_paused_written(self, paused):
        """These sequences were just paused (``paused``) or resumed: their running
        follow-ups are paused in place, or the follow-ups they paused are resumed."""
        Enrollment = self.env["followup.enrollment"]
        if paused:
            Enrollment.search(
                [("sequence_id", "in", self.ids), ("state", "=", vocabulary.ACTIVE)]
            )._followup_pause(by_sequence=True)
        else:
            Enrollment.search(
                [
                    ("sequence_id", "in", self.ids),
                    ("state", "=", vocabulary.PAUSED),
                    ("paused_by_sequence", "=", True),
                ]
            )._followup_resume()

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "name" in default:
            return vals_list
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=sequence.name))
            for sequence, vals in zip(self, vals_list, strict=True)
        ]

    # ------------------------------------------------------------------ actions

    def action_view_enrollments(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_enrollment_action"
        )
        action["domain"] = [("sequence_id", "=", self.id)]
        action["context"] = {"default_sequence_id": self.id, "search_default_filter_active": 1}
        return action

    def action_pause(self):
        """Pause these sequences and their running follow-ups. Returns True."""
        self.write({"paused": True})
        return True

    def action_resume(self):
        """Resume these sequences and the follow-ups they paused. Returns True."""
        self.write({"paused": False})
        return True
