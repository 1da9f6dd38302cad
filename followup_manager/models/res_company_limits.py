"""Daily limits per person: at most N follow-up tasks per salesperson and N follow-up
e-mails per sending user a day (0: no limit); a user may have their own. The rest waits
for the next working day (reason ``user_limit``, see ``policy.planner.DailyLimits``)."""

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    followup_sender_daily_limit = fields.Integer(
        string="E-mails per Sender per Day",
        default=0,
        help="At most this many follow-up e-mails sent in the name of one user a day; the "
        "rest waits for the next working day. 0: no limit.",
    )
    followup_user_daily_tasks = fields.Integer(
        string="Tasks per Salesperson per Day",
        default=0,
        help="At most this many follow-up activities assigned to one salesperson a day; "
        "the rest waits for the next working day. 0: no limit.",
    )

    def _followup_settings_fields(self):
        return [
            *super()._followup_settings_fields(),
            "followup_sender_daily_limit",
            "followup_user_daily_tasks",
        ]


class ResUsers(models.Model):
    _inherit = "res.users"

    followup_daily_tasks = fields.Integer(
        string="Follow-up Tasks per Day",
        default=0,
        help="This user's own daily limit of follow-up activities (0: the company's).",
    )
    followup_daily_emails = fields.Integer(
        string="Follow-up E-mails per Day",
        default=0,
        help="This user's own daily limit of follow-up e-mails sent in their name (0: the "
        "company's).",
    )
