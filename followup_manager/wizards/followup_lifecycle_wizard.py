from odoo import api, fields, models

from ..models.res_partner_lifecycle import FOLLOWUP_LIFECYCLE_STAGES


class FollowupLifecycleWizard(models.TransientModel):
    """A salesperson sets the lifecycle stage by hand and says why.

    The reason goes to the chatter of each commercial partner; the stage stays
    until new facts arrive (see res.partner, section 1).
    """

    _name = "followup.lifecycle.wizard"
    _description = "Change the Lifecycle Stage"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Contacts",
        required=True,
        help="Their companies (commercial partners) get the stage, and all their contacts.",
    )
    lifecycle_stage = fields.Selection(
        selection=FOLLOWUP_LIFECYCLE_STAGES, string="New Stage", required=True
    )
    reason = fields.Text(required=True, help="Logged in the chatter of each contact changed.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "partner_ids" in fields_list
            and not values.get("partner_ids")
            and context.get("active_model") == "res.partner"
        ):
            ids = context.get("active_ids") or (
                [context["active_id"]] if context.get("active_id") else []
            )
            values["partner_ids"] = [fields.Command.set(ids)]
        return values

    def action_apply(self):
        self.ensure_one()
        self.partner_ids._followup_set_lifecycle_stage(self.lifecycle_stage, self.reason)
        return {"type": "ir.actions.act_window_close"}
