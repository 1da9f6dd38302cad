"""res.users: a user's own daily limits of follow-up tasks and e-mails (0: the
company's, res_company.py)."""

from odoo import fields, models


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
