"""The SMS queue tells the follow-up log what became of a follow-up text message: every
change of an SMS's state, when it is sent and when the provider's delivery report comes
back, goes through ``sms.tracker._update_sms_notifications`` to the message's
notifications (SMS records themselves are deleted once sent; notifications stay)."""

from odoo import models

# Notification status -> delivery state; the others (ready, process) are not news.
_DELIVERY_OF_STATUS = {
    "pending": "sent",
    "sent": "sent",
    "exception": "failed",
    "canceled": "failed",
    "bounce": "bounced",
}


class SmsTracker(models.Model):
    _inherit = "sms.tracker"

    def _update_sms_notifications(
        self, notification_status, failure_type=False, failure_reason=False
    ):
        result = super()._update_sms_notifications(
            notification_status, failure_type=failure_type, failure_reason=failure_reason
        )
        self._followup_learn_delivery()
        return result

    def _followup_learn_delivery(self):
        """Record the notifications' status on the follow-up decisions of their
        messages (a follow-up text message has one recipient)."""
        notifications = self.mail_notification_id.filtered(
            lambda notification: notification.notification_status in _DELIVERY_OF_STATUS
        )
        if not notifications:
            return
        dispatches = self.env["followup.dispatch"]._followup_of_messages(
            notifications.mail_message_id.ids
        )
        if not dispatches:
            return
        labels = dict(notifications._fields["failure_type"]._description_selection(self.env))
        facts = {}
        for notification in notifications:
            dispatch = dispatches.get(notification.mail_message_id.id)
            if not dispatch:
                continue
            state = _DELIVERY_OF_STATUS[notification.notification_status]
            failure_type = notification.failure_type if state != "sent" else False
            reason = False
            if state != "sent":
                reason = notification.failure_reason or labels.get(failure_type) or failure_type
                if notification.notification_status == "canceled" and not reason:
                    reason = self.env._("the text message was cancelled")
            facts[dispatch.id] = (state, failure_type, reason)
        self.env["followup.delivery"]._followup_learn(facts)
