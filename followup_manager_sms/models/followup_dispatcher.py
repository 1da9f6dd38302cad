from odoo import api, models


class FollowupDispatcher(models.AbstractModel):
    _inherit = "followup.dispatcher"

    @api.model
    def _followup_step_fields(self):
        # The SMS template, read with the batch as the e-mail template is.
        return [*super()._followup_step_fields(), "sms_template_id"]
