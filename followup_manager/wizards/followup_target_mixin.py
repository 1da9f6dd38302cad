from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.tools import active_ids


class FollowupTargetMixin(models.AbstractModel):
    """The records a follow-up wizard was opened on (partners, leads, orders...)."""

    _name = "followup.target.mixin"
    _description = "Follow-up Wizard Targets"

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_ids = fields.Json(string="Documents", readonly=True)
    record_count = fields.Integer(compute="_compute_record_count")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") and "res_model" in fields_list:
            values.setdefault("res_model", context["active_model"])
        if "res_ids" in fields_list and "res_ids" not in values:
            values["res_ids"] = active_ids(self.env)
        return values

    @api.depends("res_ids")
    def _compute_record_count(self):
        for wizard in self:
            wizard.record_count = len(wizard.res_ids or [])

    def _followup_records(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            raise UserError(self.env._("Open this wizard from contacts, leads or orders."))
        return self.env[self.res_model].browse(self.res_ids or []).exists()
