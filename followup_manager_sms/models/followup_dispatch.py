"""The dispatch log's sentences of a text message step: done ("text message queued")
and failed (naming its SMS template)."""

from odoo import api, models


class FollowupDispatch(models.Model):
    _inherit = "followup.dispatch"

    @api.model
    def _followup_describe_done(self, outcome):
        if outcome.action == "sms":
            partner = outcome.partner
            return "done_sms", {
                "template": outcome.step.sms_template_id.display_name,
                "partner": partner.display_name,
                "number": self.env["followup.channel.sms"]._followup_number(partner) or "",
            }
        return super()._followup_describe_done(outcome)

    @api.model
    def _followup_describe_failure(self, outcome):
        code, details = super()._followup_describe_failure(outcome)
        if code == "failed" and outcome.action == "sms":
            step = outcome.step
            details["what"] = step.sms_template_id.display_name or step.name
        return code, details

    @api.model
    def _followup_sentences(self):
        return {**super()._followup_sentences(), "done_sms": self._followup_sentence_done_sms}

    def _followup_sentence_done_sms(self, details):
        return self.env._(
            "Done: text message “%(template)s” queued for %(partner)s (%(number)s).", **details
        )
