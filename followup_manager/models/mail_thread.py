from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        if self._followup_is_reply(message, msg_values):
            self.env["followup.enrollment"]._followup_stop_on_reply(self, message)
        return res

    def _followup_is_reply(self, message, msg_values):
        """Whether a message just posted on this document may be a reply of a
        followed-up partner: an e-mail or a comment with an author, visible to the
        customer (internal notes are not replies). Override to narrow it."""
        if self._name not in self.env["followup.sequence"]._followup_origin_models():
            return False
        if msg_values.get("message_type") not in ("email", "comment"):
            return False
        if not msg_values.get("author_id") or msg_values.get("is_internal"):
            return False
        subtype = message.subtype_id
        return not subtype.internal
