from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.tools import active_ids


class FollowupTargetMixin(models.AbstractModel):
    """The records a follow-up wizard was opened on (partners, leads, orders...)."""

    _name = "followup.target.mixin"
    _description = "Follow-up Wizard Targets"

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_ids = fields.Json(string="Documents", readonly=True)
    record_count = fields.Integer(compute="_compute_record_count")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") and "res_model" in fields_list:
            values.setdefault("res_model", context["active_model"])
        if "res_ids" in fields_list and "res_ids" not in values:
            values["res_ids"] = active_ids(self.env)
        return values

    @api.depends("res_ids")
    def _compute_record_count(self):
        for wizard in self:
            wizard.record_count = len(wizard.res_ids or [])

    def _followup_records(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            raise UserError(self.env._("Open this wizard from contacts, leads or orders."))
        return self.env[self.res_model].browse(self.res_ids or []).exists()


class FollowupEnrollWizard(models.TransientModel):
    _name = "followup.enroll.wizard"
    _inherit = ["followup.target.mixin"]
    _description = "Enroll in a Follow-up Sequence"

    sequence_id = fields.Many2one(
        "followup.sequence",
        required=True,
        domain="[('origin_model', 'in', [res_model, 'res.partner'])]",
        help="Sequences that follow up contacts, or this kind of document.",
    )
    sequence_purpose = fields.Selection(related="sequence_id.purpose")
    partner_count = fields.Integer(compute="_compute_partner_count")

    @api.depends("res_model", "res_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len({pid for pid, _m, _i in wizard._followup_targets()})

    def _followup_targets(self):
        """(partner id, origin model, origin id) for each record: a contact is
        followed up on its own thread, a lead or an order on theirs."""
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return []
        records = self._followup_records()
        if records._name == "res.partner":
            return [(partner.id, "res.partner", partner.id) for partner in records]
        if "partner_id" not in records._fields:
            raise UserError(
                self.env._(
                    "Records of %(model)s have no partner to follow up.", model=self.res_model
                )
            )
        return [
            (record.partner_id.id, records._name, record.id)
            for record in records
            if record.partner_id
        ]

    def action_enroll(self):
        self.ensure_one()
        targets = self._followup_targets()
        Job = self.env["followup.enroll.job"]
        if len(targets) > Job._followup_threshold():
            return self._followup_enroll_in_background(targets)
        enrollments = self.sequence_id.with_context(
            followup_hand_enrollment=True
        )._followup_enroll(targets)
        message = self.env._(
            "%(count)s enrolled in “%(sequence)s”.",
            count=len(enrollments),
            sequence=self.sequence_id.name,
        )
        skipped = self.record_count - len(enrollments)
        if skipped:
            message = self.env._(
                "%(message)s %(skipped)s skipped: without a partner, already followed up "
                "by this sequence, or outside its filter.",
                message=message,
                skipped=skipped,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if enrollments else "warning",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _followup_enroll_in_background(self, targets):
        """Too many for one request: queue a job (``followup.enroll.job``); the sequence
        shows its progress and the user is told when it is done."""
        job = self.env["followup.enroll.job"]._followup_queue(self.sequence_id, targets)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(count)s to enroll in “%(sequence)s”: this runs in the background, "
                    "in batches. The sequence shows the progress, and you will be notified "
                    "when it is done.",
                    count=job.total_count,
                    sequence=self.sequence_id.name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }


class FollowupStopWizard(models.TransientModel):
    _name = "followup.stop.wizard"
    _inherit = ["followup.target.mixin"]
    _description = "Stop Follow-ups"

    sequence_ids = fields.Many2many(
        "followup.sequence",
        string="Only These Sequences",
        help="Leave empty to stop every running sequence.",
    )
    note = fields.Text(string="Reason", required=True)
    enrollment_count = fields.Integer(compute="_compute_enrollment_count")

    @api.depends("res_model", "res_ids", "sequence_ids")
    def _compute_enrollment_count(self):
        for wizard in self:
            wizard.enrollment_count = len(wizard._followup_enrollments())

    def _followup_enrollments_domain(self):
        """Active enrollments concerned by the records; override for other models."""
        self.ensure_one()
        ids = self.res_ids or []
        Enrollment = self.env["followup.enrollment"]
        domain = Enrollment._followup_active_domain()
        if self.res_model == "followup.enrollment":
            domain += [("id", "in", ids)]
        elif self.res_model == "res.partner":
            domain += [("partner_id", "in", ids)]
        else:
            domain += [("origin_model", "=", self.res_model), ("origin_id", "in", ids)]
        if self.sequence_ids:
            domain += [("sequence_id", "in", self.sequence_ids.ids)]
        return domain

    def _followup_enrollments(self):
        self.ensure_one()
        if not self.res_model:
            return self.env["followup.enrollment"]
        return self.env["followup.enrollment"].search(self._followup_enrollments_domain())

    @api.model
    def _followup_open(self, enrollments):
        """Action opening this wizard on ``enrollments``."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stop Follow-ups"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": enrollments._name, "active_ids": enrollments.ids},
        }

    def action_stop(self):
        self.ensure_one()
        enrollments = self._followup_enrollments()
        if not enrollments:
            raise UserError(self.env._("Nothing to stop: no follow-up is running here."))
        enrollments.action_stop("manual", self.note)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s follow-up(s) stopped.", count=len(enrollments)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
