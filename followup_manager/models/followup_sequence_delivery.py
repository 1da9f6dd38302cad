from odoo import fields, models

from .followup_delivery import UNDELIVERED


class FollowupSequence(models.Model):
    """How many of a sequence's e-mails and text messages did not reach the person."""

    _inherit = "followup.sequence"

    undelivered_count = fields.Integer(
        string="Not Delivered",
        compute="_compute_undelivered_count",
        help="E-mails and text messages of this sequence that Odoo could not send or "
        "that bounced.",
    )

    def _compute_undelivered_count(self):
        counts = dict(
            self.env["followup.delivery"]._read_group(
                [("sequence_id", "in", self.ids), ("state", "in", UNDELIVERED)],
                ["sequence_id"],
                ["__count"],
            )
        )
        for sequence in self:
            sequence.undelivered_count = counts.get(sequence, 0)
