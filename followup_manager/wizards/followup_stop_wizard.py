from odoo import api, fields, models
from odoo.exceptions import UserError


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
