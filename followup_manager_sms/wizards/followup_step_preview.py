from odoo import api, fields, models


class FollowupStepPreview(models.TransientModel):
    """The text of a text message step and the number it goes to, in the preview."""

    _inherit = "followup.step.preview"

    action = fields.Selection(selection_add=[("sms", "SMS from a template"), ("server_action",)])
    sms_body = fields.Text(string="Text Message", compute="_compute_preview")
    sms_number = fields.Char(string="Number", compute="_compute_preview")

    @api.model
    def _followup_preview_fields(self):
        return (*super()._followup_preview_fields(), "sms_body", "sms_number")

    def _followup_preview_part_values(self, parts):
        return {
            **super()._followup_preview_part_values(parts),
            "sms_body": parts.get("sms_body"),
            "sms_number": parts.get("sms_number"),
        }
