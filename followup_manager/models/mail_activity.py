from odoo import models


class MailActivity(models.Model):
    """Tell the follow-ups that wait for an activity when it is done or cancelled
    (followup.enrollment's waiting steps, ``_followup_waiting_for``), in batch."""

    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        waiting = self.env["followup.enrollment"]._followup_waiting_for(self)
        done = self.with_context(followup_activity_done=True)
        result = super(MailActivity, done)._action_done(
            feedback=feedback, attachment_ids=attachment_ids
        )
        waiting._followup_activity_done()
        return result

    def unlink(self):
        if not self.env.context.get("followup_activity_done"):
            waiting = self.env["followup.enrollment"]._followup_waiting_for(self)
            waiting._followup_activity_cancelled(self)
        return super().unlink()
