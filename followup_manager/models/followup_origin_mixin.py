from odoo import fields, models


class FollowupOriginMixin(models.AbstractModel):
    """A document follow-ups can be about (a sale order, an opportunity): the
    count and the smart button of its enrollments. Inherit it to make another
    document followable."""

    _name = "followup.origin.mixin"
    _description = "Followed-up Document"

    followup_enrollment_count = fields.Integer(
        string="Follow-ups",
        compute="_compute_followup_enrollment_count",
        groups="followup_manager.followup_manager_group_user",
    )

    def _compute_followup_enrollment_count(self):
        counts = dict(
            self.env["followup.enrollment"]._read_group(
                [("origin_model", "=", self._name), ("origin_id", "in", self.ids)],
                ["origin_id"],
                ["__count"],
            )
        )
        for record in self:
            record.followup_enrollment_count = counts.get(record.id, 0)

    def action_view_followup_enrollments(self):
        self.ensure_one()
        return self.env["followup.enrollment"]._followup_action_for_origins(self)
