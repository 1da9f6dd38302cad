from odoo import models


class FollowupDelivery(models.Model):
    _inherit = "followup.delivery"

    def _followup_activity_summary(self):
        if self.channel == "sms":
            return self.env._("Follow-up text message not delivered")
        return super()._followup_activity_summary()
