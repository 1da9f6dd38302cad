from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    def action_followup_open_holidays(self):
        """The company's public holidays, which business days skip."""
        self.ensure_one()
        return self.company_id._followup_holidays_action()
