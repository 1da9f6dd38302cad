from odoo import api, fields, models
from odoo.exceptions import UserError


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
