"""The SMS queue tells the follow-up log what became of a follow-up text message: every
change of an SMS's state, when it is sent and when the provider's delivery report comes
back, goes through ``sms.tracker._update_sms_notifications`` to the message's
notifications (SMS records themselves are deleted once sent; notifications stay), where
the decision reads its delivery; the add-on dates it and tells the salesperson of a
failure (``followup.delivery._followup_watch``)."""

from odoo import models


class SmsTracker(models.Model):
    _inherit = "sms.tracker"

    def _update_sms_notifications(
        self, notification_status, failure_type=False, failure_reason=False
    ):
        found = self.env["followup.dispatch"]._followup_of_messages(
            self.mail_notification_id.mail_message_id.ids
        )
        dispatches = self.env["followup.dispatch"].sudo().union(*found.values())
        with self.env["followup.delivery"]._followup_watch(dispatches):
            return super()._update_sms_notifications(
                notification_status, failure_type=failure_type, failure_reason=failure_reason
            )
