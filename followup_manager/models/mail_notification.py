"""A follow-up's notification deleted by Odoo (its garbage collection of old sent or
cancelled notifications): its decision keeps what it said (followup_delivery.py)."""

from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def unlink(self):
        self.env["followup.delivery"]._followup_keep([("notification_id", "in", self.ids)])
        return super().unlink()
