from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..policy import vocabulary
from .followup_enrollment_guard import TARGET_FIELDS


class FollowupEnrollment(models.Model):
    """A partner followed up by a sequence on a document: where it stands (its next
    step and when it falls due), until it is done or stopped.

    Its concerns are named mixins, each in its own file: ``followup.enrollment.guard``
    (the one door into a sequence: what a user may create and write),
    ``followup.enrollment.stepping`` (when the next step falls due, how the enrollment
    moves on), ``followup.enrollment.steering`` (pause, resume, snooze, waiting for a
    task, stopping) and ``followup.enrollment.chatter`` (the notes on the followed-up
    documents). The ``create`` and ``write`` below are the only ones.
    """

    _name = "followup.enrollment"
    _description = "Follow-up Enrollment"
    _inherit = [
        "mail.thread",
        "followup.enrollment.guard",
        "followup.enrollment.stepping",
        "followup.enrollment.steering",
        "followup.enrollment.chatter",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    sequence_id = fields.Many2one(
        "followup.sequence",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        # A partner of another company cannot enter this company's sequences.
        check_company=True,
    )
    company_id = fields.Many2one(
        related="sequence_id.company_id", store=True, precompute=True, index=True
    )
    purpose = fields.Selection(related="sequence_id.purpose")
    # The followed-up document is stored as (origin_model, origin_id): a stored
    # Reference would check each value's existence one query at a time when
    # thousands are enrolled at once. ``origin`` reads and writes the pair.
    origin_model = fields.Char(string="Followed-up Model", required=True, index=True)
    origin_id = fields.Many2oneReference(
        string="Followed-up Record", model_field="origin_model", required=True, index=True
    )
    origin = fields.Reference(
        selection="_selection_origin",
        string="Followed-up Document",
        compute="_compute_origin",
        inverse="_inverse_origin",
        search="_search_origin",
        help="The document followed up: notes and e-mails are posted on it, and a reply "
        "of the partner there can stop the sequence.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        help="Salesperson of the followed-up document (or of the partner; for a follow-up "
        "enrolled by hand without either, the user who enrolled).",
    )
    state = fields.Selection(
        vocabulary.selection(vocabulary.ENROLLMENT_STATE_LABELS),
        required=True,
        default="active",
        index=True,
        tracking=True,
    )
    next_step_id = fields.Many2one(
        "followup.step", ondelete="set null", tracking=True, check_company=True
    )
    next_date = fields.Datetime(string="Next Step Due", index=True)
    date_start = fields.Datetime(string="Started", required=True, default=fields.Datetime.now)
    date_stop = fields.Datetime(string="Ended")
    stop_reason = fields.Selection(
        vocabulary.selection(vocabulary.STOP_REASON_LABELS), tracking=True
    )
    stop_note = fields.Text()
    dispatch_ids = fields.One2many("followup.dispatch", "enrollment_id", string="Steps Log")
    dispatch_count = fields.Integer(compute="_compute_dispatch_count")

    def init(self):
        # The duplicate guard of enroll(), enforced by the database even against
        # concurrent transactions: one running (active or paused) enrollment per
        # sequence, partner and followed-up document (finished ones may repeat). The
        # index of the first version only covered 'active': a paused enrollment would
        # have let a duplicate in.
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS followup_enrollment_active_unique;
            CREATE UNIQUE INDEX IF NOT EXISTS followup_enrollment_running_unique
                ON followup_enrollment (sequence_id, partner_id, origin_model, origin_id)
             WHERE state IN ('active', 'paused')
            """
        )

    @api.constrains("next_step_id", "sequence_id")
    def _check_next_step_in_sequence(self):
        # The dispatch (a superuser cron) carries out next_step_id: it must be a step
        # of the enrollment's own sequence, never one borrowed from another sequence.
        for enrollment in self:
            step = enrollment.next_step_id
            if step and step.sequence_id != enrollment.sequence_id:
                raise ValidationError(
                    self.env._(
                        "The next step “%(step)s” belongs to another sequence than "
                        "“%(sequence)s”.",
                        step=step.name,
                        sequence=enrollment.sequence_id.name,
                    )
                )

    # ------------------------------------------------------------------ ORM

    @api.model_create_multi
    def create(self, vals_list):
        # The door of followup.enrollment.guard: what a user creating enrollments
        # directly (RPC) may choose; enroll() opens it for the values it has checked.
        if self.env.su:
            return super().create(vals_list)
        for vals in vals_list:
            self._followup_check_vals_types(vals)
        if not self._followup_is_manager() and not self._followup_door_is_open():
            self._followup_check_create_choices(vals_list)
        vals_list = self._followup_first_step_vals(vals_list)
        enrollments = super().create(vals_list)
        enrollments._followup_check_targets()
        enrollments._followup_check_door()
        # Scheduled as enroll() schedules them (which does it again, harmlessly).
        enrollments.filtered(
            lambda e: e.state == "active" and e.next_step_id and not e.next_date
        )._followup_schedule_next()
        return enrollments

    def write(self, vals):
        # A user moves an enrollment by hand only as a follow-up manager, and never
        # re-points it past the door (followup.enrollment.guard); the add-on's own
        # moves write as superuser.
        if self.env.su or not self:
            return super().write(vals)
        self._followup_check_vals_types(vals)
        moved = self._followup_check_moved_by_hand(vals)
        res = super().write(vals)
        if set(vals) & set(TARGET_FIELDS):
            self._followup_check_targets()
        if set(vals) & set(TARGET_FIELDS + ("state",)):
            self._followup_check_door()
        if moved:
            self._followup_log_moved_by_hand(moved)
        return res

    @api.model
    def _selection_origin(self):
        # The models' names in the reader's language (ir.model's, translated by
        # their add-ons); read once per transaction: called for every value written.
        IrModel = self.env["ir.model"]
        return [
            (model, IrModel._get(model).name or self.env[model]._description)
            for model in self.env["followup.sequence"]._followup_origin_models()
            if model in self.env
        ]

    @api.depends("origin_model", "origin_id")
    def _compute_origin(self):
        # One existence check per model: a deleted document reads as empty.
        ids_by_model = defaultdict(set)
        for enrollment in self:
            if enrollment.origin_model in self.env and enrollment.origin_id:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        existing = {
            model: set(self.env[model].browse(ids).exists()._ids)
            for model, ids in ids_by_model.items()
        }
        for enrollment in self:
            model, res_id = enrollment.origin_model, enrollment.origin_id
            found = res_id in existing.get(model, ())
            enrollment.origin = self.env[model].browse(res_id) if found else False

    def _inverse_origin(self):
        for enrollment in self:
            origin = enrollment.origin
            enrollment.origin_model = origin._name if origin else False
            enrollment.origin_id = origin.id if origin else False

    @api.model
    def _search_origin(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the followed-up document."))
        values = value if operator in ("in", "not in") else [value]
        pairs = []
        for item in values:
            if isinstance(item, models.BaseModel):
                pairs += [(item._name, res_id) for res_id in item.ids]
            elif isinstance(item, str) and "," in item:
                model, res_id = item.split(",", 1)
                pairs.append((model, int(res_id)))
        domain = expression.OR(
            [
                expression.AND([[("origin_model", "=", model)], [("origin_id", "=", res_id)]])
                for model, res_id in pairs
            ]
        ) or list(expression.FALSE_DOMAIN)
        return ["!", *domain] if operator in ("!=", "not in") else domain

    @api.depends("origin_model", "origin_id", "partner_id")
    def _compute_user_id(self):
        # Browse the origins of a model together so that reading their salesperson
        # costs one query per model, not one per enrollment.
        ids_by_model = defaultdict(set)
        for enrollment in self:
            if enrollment.origin_model:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        origins = {
            model: self.env[model].browse(ids).exists() for model, ids in ids_by_model.items()
        }
        # Enrolled by hand (enroll(), the Enroll dialog, its background job): without a
        # salesperson, the follow-up is the enrolling user's, so that "My Follow-ups"
        # shows it to them.
        owner = self.env["res.users"]
        if self.env.context.get("followup_hand_enrollment") and not self.env.user.share:
            owner = self.env.user
        for enrollment in self:
            user = False
            existing = origins.get(enrollment.origin_model)
            if existing and enrollment.origin_id in existing._ids:
                origin = existing.browse(enrollment.origin_id).with_prefetch(
                    existing._prefetch_ids
                )
                field = origin._fields.get("user_id")
                if field and field.comodel_name == "res.users":
                    user = origin.user_id
            enrollment.user_id = user or enrollment.partner_id.user_id or owner

    def _compute_dispatch_count(self):
        counts = dict(
            self.env["followup.dispatch"]._read_group(
                [("enrollment_id", "in", self.ids)], ["enrollment_id"], ["__count"]
            )
        )
        for enrollment in self:
            enrollment.dispatch_count = counts.get(enrollment, 0)

    @api.depends("sequence_id", "partner_id")
    def _compute_display_name(self):
        for enrollment in self:
            enrollment.display_name = self.env._(
                "%(sequence)s: %(partner)s",
                sequence=enrollment.sequence_id.name,
                partner=enrollment.partner_id.display_name,
            )

    # ------------------------------------------------------------------ actions

    def action_open_stop_wizard(self):
        self.ensure_one()
        self.check_access("write")
        return self.env["followup.stop.wizard"]._followup_open(self)

    def action_view_origin(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.origin_model,
            "res_id": self.origin_id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _followup_action_for_origins(self, records):
        """The enrollments list of the documents ``records`` (smart buttons)."""
        # Public callers (action_view_followup_enrollments of partners, orders, leads)
        # need the right to read enrollments: say so now rather than in the list.
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_enrollment_action"
        )
        if records._name == "res.partner":
            action["domain"] = [("partner_id", "in", records.ids)]
        else:
            action["domain"] = [
                ("origin_model", "=", records._name),
                ("origin_id", "in", records.ids),
            ]
        action["context"] = {"search_default_filter_active": 1, "create": False}
        return action

    def action_view_dispatches(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_dispatch_action"
        )
        action["domain"] = [("enrollment_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ dispatch
    # The dispatch engine (_cron_dispatch) lives below this line.

    @api.model
    def _cron_dispatch(self):
        """Cron entry point (followup_manager.ir_cron_followup_dispatch): one batch of
        due steps per call, with the cron progress API (see
        followup.dispatcher._dispatch_cron_batch, which does the work)."""
        self.env["followup.dispatcher"]._dispatch_cron_batch()
        return True
