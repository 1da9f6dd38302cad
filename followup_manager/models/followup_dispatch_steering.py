"""What the log says about follow-ups people steered: a step resumed after a pause, a
step skipped by its condition. The sentences themselves are in
``followup_dispatch_sentence.py`` (one method per code)."""

from odoo import api, fields, models

from ..policy import vocabulary


class FollowupDispatch(models.Model):
    _inherit = "followup.dispatch"

    @api.model
    def _followup_describe(self, outcome):
        code, details = super()._followup_describe(outcome)
        resumed = getattr(outcome.enrollment, "resumed_date", False)
        if resumed:
            details = dict(details, resumed=fields.Datetime.to_string(resumed)[:16])
        if outcome.reason == vocabulary.CONDITION and code == vocabulary.CONDITION:
            details = dict(details, step=outcome.step.name)
        if code == vocabulary.USER_LIMIT and outcome.user:
            details = dict(details, user=outcome.user.partner_id.name or outcome.user.name)
        return code, details

    @api.model
    def _followup_note(self, code, details):
        """A step that fell due while its follow-up was paused says so first."""
        note = super()._followup_note(code, details)
        if details.get("resumed"):
            return f"{self._followup_sentence_resumed(details)} {note}"
        return note
