"""A follow-up's message deleted (by hand, or with its document): the database deletes
its notifications with it, and its decision keeps what the notification said
(followup_delivery.py)."""

from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    def unlink(self):
        self.env["followup.delivery"]._followup_keep([("message_id", "in", self.ids)])
        return super().unlink()
