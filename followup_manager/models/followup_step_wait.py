"""Wait for the task: an activity step can hold the next step until its activity is done
(the next delay counts from the completion), and say what happens if the activity is
cancelled instead (go on, or stop). Salespeople's calls come before the next e-mail."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FollowupStep(models.Model):
    _inherit = "followup.step"

    wait_for_activity = fields.Boolean(
        string="Wait Until Done",
        help="The next step waits until this step's activity is marked as done; its delay "
        "counts from that moment.",
    )
    activity_cancel_action = fields.Selection(
        [("go_on", "Go on with the next step"), ("stop", "Stop the follow-up")],
        string="If Cancelled",
        required=True,
        default="go_on",
        help="What happens when the awaited activity is cancelled (deleted without being done).",
    )

    @api.constrains("wait_for_activity", "action")
    def _check_wait_for_activity(self):
        for step in self:
            if step.wait_for_activity and step.action != "activity":
                raise ValidationError(
                    self.env._(
                        "Step “%(name)s” can only wait until its task is done if it schedules "
                        "an activity.",
                        name=step.name,
                    )
                )
