from odoo import api, fields, models
from odoo.exceptions import AccessError

# Each setting starts as the chosen company's and is edited freely until saved
# (precomputed: a create that gives some of them still reads the others).
FROM_COMPANY = {
    "compute": "_compute_from_company",
    "store": True,
    "readonly": False,
    "precompute": True,
}


class FollowupCompanySettings(models.TransientModel):
    """The follow-up settings of one company, for follow-up managers.

    Odoo's Settings page (res.config.settings) opens and saves for administrators
    only, and managers have no write access to companies. This form shows the
    follow-up fields of one of the companies the manager works in, and saves them
    and nothing else. Administrators keep the Settings page."""

    _name = "followup.company.settings"
    _description = "Follow-up Settings of a Company"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain="[('id', 'in', allowed_company_ids)]",
    )
    followup_cap_count = fields.Integer(string="Follow-up Cap", **FROM_COMPANY)
    followup_cap_days = fields.Integer(string="Follow-up Cap Window (days)", **FROM_COMPANY)
    followup_window_start = fields.Float(string="Send Window Start", **FROM_COMPANY)
    followup_window_end = fields.Float(string="Send Window End", **FROM_COMPANY)
    followup_business_days = fields.Boolean(string="Business Days Only", **FROM_COMPANY)
    followup_inactive_days = fields.Integer(string="Inactive After (days)", **FROM_COMPANY)
    followup_loyal_orders = fields.Integer(string="Loyal After (orders)", **FROM_COMPANY)
    followup_away_days = fields.Integer(
        string="Wait After an Automatic Reply (days)", **FROM_COMPANY
    )
    followup_sender_daily_limit = fields.Integer(
        string="E-mails per Sender per Day", **FROM_COMPANY
    )
    followup_user_daily_tasks = fields.Integer(
        string="Tasks per Salesperson per Day", **FROM_COMPANY
    )

    @api.model
    def _followup_company_fields(self):
        """Names of the company fields this form edits: the company's follow-up
        settings (``res.company._followup_settings_fields``) that this form has a field
        for, under the same name; override to hide one."""
        return [
            name
            for name in self.env["res.company"]._followup_settings_fields()
            if name in self._fields
        ]

    @api.depends("company_id")
    def _compute_from_company(self):
        names = self._followup_company_fields()
        for settings in self:
            # Read as the user: the company's record rule keeps other companies out.
            company = settings.company_id
            for name in names:
                settings[name] = company[name] if company else False

    @api.model_create_multi
    def create(self, vals_list):
        companies = self.env["res.company"].browse(
            {vals["company_id"] for vals in vals_list if vals.get("company_id")}
        )
        self._followup_check_companies(companies)
        return super().create(vals_list)

    def _followup_check_companies(self, companies):
        """Raise unless the user works in ``companies`` now (Odoo's allowed
        companies: those the user may access and has selected)."""
        if self.env.su:
            return
        if companies - self.env.companies:
            raise AccessError(
                self.env._(
                    "You can only change the follow-up settings of the companies you "
                    "work in (%(companies)s).",
                    companies=", ".join(self.env.companies.mapped("name")),
                )
            )

    def action_save(self):
        """Write the follow-up settings to their companies. Returns a notification."""
        self.check_access("write")
        self._followup_check_companies(self.company_id)
        names = self._followup_company_fields()
        for settings in self:
            # sudo: managers have no write access to companies. Only the follow-up
            # fields are written, of a company the user works in (checked above), by
            # a user who may use this form (access rights: follow-up managers).
            settings.company_id.sudo().write({name: settings[name] for name in names})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Follow-up settings saved."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
