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

    def _followup_trigger_model(self):
        if self.trigger == "meeting_done":
            return "calendar.event"
        return super()._followup_trigger_model()

    @api.model
    def _followup_origin_models(self):
        return [*super()._followup_origin_models(), "calendar.event"]

    @api.model
    def _followup_start_sentences(self):
        return {
            **super()._followup_start_sentences(),
            "meeting_done": self.env._("Starts when a meeting with the person has ended."),
        }

    def _followup_stop_reasons(self):
        reasons = super()._followup_stop_reasons()
        # A meeting cancelled (deleted) ends the follow-ups of its attendees.
        if self.trigger == "meeting_done" and "origin_cancelled" not in reasons:
            reasons.insert(0, "origin_cancelled")
        return reasons
