from odoo import models


class FollowupForecast(models.Model):
    """The history of the opportunity triggers the forecast replays: opportunities
    won or lost in the past period."""

    _inherit = "followup.forecast"

    def _followup_trigger_histories(self):
        return {
            **super()._followup_trigger_histories(),
            "lead_won": self._followup_history_lead_closed,
            "lead_lost": self._followup_history_lead_closed,
        }

    def _followup_history_lead_closed(self, since, until, companies):
        """Opportunities won (or lost, as the sequence's trigger says) in the period."""
        domain = [
            ("partner_id", "!=", False),
            ("company_id", "in", companies),
            ("date_closed", ">=", since),
            ("date_closed", "<", until),
        ]
        if self.sequence_id.trigger == "lead_won":
            domain += [("active", "=", True), ("stage_id.is_won", "=", True)]
        else:
            domain += [("active", "=", False)]
        # sudo: past opportunities, counted for an estimate; no lead is shown.
        leads = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(domain, ["partner_id", "date_closed", "user_id"])
        )
        return [(lead.partner_id, lead, lead.date_closed) for lead in leads]
