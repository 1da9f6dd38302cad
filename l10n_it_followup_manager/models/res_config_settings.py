from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    followup_rpo_enabled = fields.Boolean(
        related="company_id.followup_rpo_enabled", readonly=False
    )
    followup_rpo_days = fields.Integer(related="company_id.followup_rpo_days", readonly=False)
