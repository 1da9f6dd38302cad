"""The trigger "Meeting done": a sequence that follows up the meetings (calendar.event)
whose external attendees it thanks once they are over (calendar_event.py)."""

from odoo import api, fields, models


class FollowupSequence(models.Model):
    _inherit = "followup.sequence"

    # Without this add-on, its sequences are started by hand (and follow the partner up).
    trigger = fields.Selection(
        selection_add=[("meeting_done", "Meeting done")],
        ondelete={"meeting_done": "set default"},
    )

    @api.model
    def _followup_trigger_models(self):
        return {**super()._followup_trigger_models(), "meeting_done": "calendar.event"}

    @api.model
    def _followup_trigger_stop_reasons(self):
        # A meeting cancelled (deleted) ends the follow-ups of its attendees.
        return {**super()._followup_trigger_stop_reasons(), "meeting_done": ("origin_cancelled",)}

    @api.model
    def _followup_origin_models(self):
        return [*super()._followup_origin_models(), "calendar.event"]

    @api.model
    def _followup_document_labels(self):
        return {**super()._followup_document_labels(), "calendar.event": self.env._("Meetings")}

    @api.model
    def _followup_start_sentences(self):
        return {
            **super()._followup_start_sentences(),
            "meeting_done": self.env._("Starts when a meeting with the person has ended."),
        }
