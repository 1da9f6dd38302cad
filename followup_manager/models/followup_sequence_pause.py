"""Pausing a whole sequence (a product recall, the holidays): its running enrollments
are paused in place, new ones enter paused; resuming it resumes the enrollments it
paused (the ones a user paused one by one stay paused)."""

from odoo import fields, models

from ..policy import vocabulary


class FollowupSequence(models.Model):
    _inherit = "followup.sequence"

    paused = fields.Boolean(
        tracking=True,
        copy=False,
        help="Nothing of this sequence is carried out while it is paused; its follow-ups "
        "keep their place and go on when it is resumed.",
    )
    enrollment_paused_count = fields.Integer(
        string="Paused Enrollments", compute="_compute_enrollment_paused_count"
    )

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

    def write(self, vals):
        if "paused" not in vals:
            return super().write(vals)
        changed = self.filtered(lambda sequence: sequence.paused != bool(vals["paused"]))
        res = super().write(vals)
        if changed:
            Enrollment = self.env["followup.enrollment"]
            if vals["paused"]:
                Enrollment.search(
                    [("sequence_id", "in", changed.ids), ("state", "=", vocabulary.ACTIVE)]
                )._followup_pause(by_sequence=True)
            else:
                Enrollment.search(
                    [
                        ("sequence_id", "in", changed.ids),
                        ("state", "=", vocabulary.PAUSED),
                        ("paused_by_sequence", "=", True),
                    ]
                )._followup_resume()
        return res

    def action_pause(self):
        """Pause these sequences and their running follow-ups. Returns True."""
        self.write({"paused": True})
        return True

    def action_resume(self):
        """Resume these sequences and the follow-ups they paused. Returns True."""
        self.write({"paused": False})
        return True
