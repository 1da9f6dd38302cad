from odoo import fields, models

from odoo.addons.followup_manager.wizards.followup_company_settings import FROM_COMPANY


class FollowupCompanySettings(models.TransientModel):
    """The opt-out register's settings in the managers' follow-up settings form."""

    _inherit = "followup.company.settings"

    followup_rpo_enabled = fields.Boolean(string="Opt-out Register (Italy)", **FROM_COMPANY)
    followup_rpo_days = fields.Integer(string="Register Check Period (days)", **FROM_COMPANY)
