"""The forecast's history of the trigger "Meeting done": the meetings that ended, one
event per external attendee, whose average daily count the forecast replays."""

from odoo import models


class FollowupForecast(models.Model):
    _inherit = "followup.forecast"

    def _followup_trigger_histories(self):
        return {
            **super()._followup_trigger_histories(),
            "meeting_done": self._followup_history_meeting_done,
        }

    def _followup_history_meeting_done(self, since, until, companies):
        """Meetings that ended in the period, one event per external attendee, for the
        organisers of the sequence's company."""
        # sudo: past meetings, counted for an estimate; no event is shown.
        events = (
            self.env["calendar.event"]
            .sudo()
            .search_fetch(
                [
                    ("stop", ">=", since),
                    ("stop", "<", until),
                    ("user_id.company_id", "in", companies),
                ],
                ["stop", "user_id"],
            )
        )
        return [
            (partner, event, event.stop)
            for event, partners in events._followup_external_attendees().items()
            for partner in partners
        ]
