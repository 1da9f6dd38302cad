from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    followup_cap_count = fields.Integer(related="company_id.followup_cap_count", readonly=False)
    followup_cap_days = fields.Integer(related="company_id.followup_cap_days", readonly=False)
    followup_window_start = fields.Float(
        related="company_id.followup_window_start", readonly=False
    )
    followup_window_end = fields.Float(related="company_id.followup_window_end", readonly=False)
    followup_business_days = fields.Boolean(
        related="company_id.followup_business_days", readonly=False
    )
    followup_inactive_days = fields.Integer(
        related="company_id.followup_inactive_days", readonly=False
    )
    followup_loyal_orders = fields.Integer(
        related="company_id.followup_loyal_orders", readonly=False
    )
    followup_away_days = fields.Integer(related="company_id.followup_away_days", readonly=False)
    followup_sender_daily_limit = fields.Integer(
        related="company_id.followup_sender_daily_limit", readonly=False
    )
    followup_user_daily_tasks = fields.Integer(
        related="company_id.followup_user_daily_tasks", readonly=False
    )
