from odoo import fields, models

from ..models.followup_partner_lifecycle import FOLLOWUP_LIFECYCLE_STAGES
from ..models.tools import active_ids


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
        # The partners the wizard was opened on.
        default=lambda self: [fields.Command.set(active_ids(self.env, "res.partner"))],
        help="Their companies (commercial partners) get the stage, and all their contacts.",
    )
    lifecycle_stage = fields.Selection(
        selection=FOLLOWUP_LIFECYCLE_STAGES, string="New Stage", required=True
    )
    reason = fields.Text(required=True, help="Logged in the chatter of each contact changed.")

    def action_apply(self):
        self.ensure_one()
        self.partner_ids._followup_set_lifecycle_stage(self.lifecycle_stage, self.reason)
        return {"type": "ir.actions.act_window_close"}
