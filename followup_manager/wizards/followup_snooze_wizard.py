from datetime import datetime, time, timedelta

from odoo import api, fields, models

from ..models.tools import active_ids
from ..policy import calendar


class FollowupSnoozeWizard(models.TransientModel):
    """Snooze follow-ups until a date, with a reason for their chatter."""

    _name = "followup.snooze.wizard"
    _description = "Snooze Follow-ups"

    enrollment_ids = fields.Many2many(
        "followup.enrollment",
        string="Follow-ups",
        required=True,
        # The follow-ups the wizard was opened on.
        default=lambda self: [fields.Command.set(active_ids(self.env, "followup.enrollment"))],
    )
    until = fields.Datetime(
        string="Snooze Until", required=True, default=lambda self: self._default_until()
    )
    reason = fields.Char(
        help="Written in the follow-up's chatter, e.g. “Call me back after the fair”."
    )

    @api.model
    def _default_until(self):
        """Next Monday, 9:00 in the user's time zone."""
        today = fields.Date.context_today(self)
        monday = today + timedelta(days=7 - today.weekday())
        tz_name, _source = calendar.resolve_tz(self.env.user.tz)
        return calendar.to_utc(datetime.combine(monday, time(9)), tz_name)

    def action_confirm(self):
        self.ensure_one()
        self.enrollment_ids.snooze(self.until, self.reason or False)
        return {"type": "ir.actions.act_window_close"}
