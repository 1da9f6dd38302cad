from odoo import fields, models

from .followup_rpo_entry import RPO_ANSWERS


class FollowupRpoAnswer(models.Model):
    """One answer of the opt-out register for one number or address: the history of
    ``followup.rpo.entry``, kept as proof of the checks made. Written by imports only;
    nobody may change or delete it (no access right allows it)."""

    _name = "followup.rpo.answer"
    _description = "Opt-out Register Answer"
    _order = "date desc, id desc"
    _rec_name = "entry_id"

    entry_id = fields.Many2one(
        "followup.rpo.entry", required=True, readonly=True, index=True, ondelete="restrict"
    )
    kind = fields.Selection(related="entry_id.kind")
    value = fields.Char(related="entry_id.value")
    import_id = fields.Many2one(
        "followup.rpo.import", required=True, readonly=True, index=True, ondelete="restrict"
    )
    line = fields.Integer(readonly=True, help="Line of the register's file.")
    state = fields.Selection(RPO_ANSWERS, string="Answer", required=True, readonly=True)
    date = fields.Date(string="Answer Date", required=True, readonly=True)
