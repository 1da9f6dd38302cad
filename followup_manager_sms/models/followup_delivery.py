from odoo import api, models


class FollowupDelivery(models.Model):
    _inherit = "followup.delivery"

    def _followup_activity_summary(self):
        if self.channel == "sms":
            return self.env._("Follow-up text message not delivered")
        return super()._followup_activity_summary()

    @api.model
    def _followup_no_reason(self, dispatch, notification):
        if notification.notification_type == "sms" and notification.notification_status == (
            "canceled"
        ):
            return self.env._("the text message was cancelled")
        return super()._followup_no_reason(dispatch, notification)
