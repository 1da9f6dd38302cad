from odoo import models


class FollowupCompanySettings(models.TransientModel):
    _inherit = "followup.company.settings"

    def action_followup_open_holidays(self):
        """The public holidays of the company (the global leaves of its working hours),
        which business days skip: to read and edit beside the settings."""
        self.ensure_one()
        self._followup_check_companies(self.company_id)
        return self.company_id._followup_holidays_action()
