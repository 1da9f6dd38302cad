from odoo import api, fields, models

from odoo.addons.followup_manager.policy.register import RegisterSettings


class ResCompany(models.Model):
    """The company's use of the Italian opt-out register (Registro Pubblico delle
    Opposizioni): on by default for companies in Italy, and how old an answer may be."""

    _inherit = "res.company"

    followup_rpo_enabled = fields.Boolean(
        string="Opt-out Register (Italy)",
        compute="_compute_followup_rpo_enabled",
        store=True,
        readonly=False,
        help="Marketing calls and letters to Italian numbers and addresses follow the "
        "Registro Pubblico delle Opposizioni: registered ones are skipped, unchecked or "
        "stale ones wait for a check. On by default for companies in Italy.",
    )
    followup_rpo_days = fields.Integer(
        string="Register Check Period (days)",
        default=30,
        help="An answer of the register older than this needs a new check before a "
        "marketing call or letter (the law asks for a check at least monthly).",
    )

    _sql_constraints = [
        (
            "followup_rpo_days_positive",
            "CHECK(followup_rpo_days > 0)",
            "The register check period must be positive.",
        ),
    ]

    @api.depends("country_id")
    def _compute_followup_rpo_enabled(self):
        for company in self:
            company.followup_rpo_enabled = company.country_id.code == "IT"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self._followup_sync_rpo_group()
        return companies

    def write(self, vals):
        result = super().write(vals)
        # The option follows the country unless set: both may change it.
        if {"followup_rpo_enabled", "country_id"} & set(vals):
            self._followup_sync_rpo_group()
        return result

    @api.model
    def _followup_sync_rpo_group(self):
        """Give every employee the technical group ``followup_manager_group_rpo`` while
        a company uses the register, and take it away when none does: the register's
        menus need it (Odoo's settings imply groups the same way)."""
        group = self.env.ref("l10n_it_followup_manager.followup_manager_group_rpo", False)
        if not group:  # during the install, before the group's record is loaded
            return
        # sudo: which companies use the register and the employees' implied groups are
        # the add-on's own configuration, whoever changed a company's option or country.
        in_use = bool(self.sudo().search_count([("followup_rpo_enabled", "=", True)], limit=1))
        employees = self.env.ref("base.group_user").sudo()
        if in_use:
            employees._apply_group(group.sudo())
        else:
            employees._remove_group(group.sudo())

    @api.model
    def _followup_settings_fields(self):
        return [*super()._followup_settings_fields(), "followup_rpo_enabled", "followup_rpo_days"]

    def _followup_register_settings(self):
        """The register rule's settings for this company (None: it does not apply it).
        Override to change the retry delay or the contract window."""
        self.ensure_one()
        if not self.followup_rpo_enabled:
            return None
        return RegisterSettings(max_age_days=self.followup_rpo_days)
