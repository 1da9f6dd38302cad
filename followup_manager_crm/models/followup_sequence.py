from odoo import api, fields, models


class FollowupSequence(models.Model):
    """The opportunity triggers (won, lost), what ends their follow-ups (a lost
    opportunity won or restored), and the lost opportunities as customers to win
    back."""

    _inherit = "followup.sequence"

    trigger = fields.Selection(
        selection_add=[
            ("manual",),
            ("lead_won", "Opportunity won"),
            ("lead_lost", "Opportunity lost"),
        ],
        ondelete={"lead_won": "set default", "lead_lost": "set default"},
    )

    @api.model
    def _followup_trigger_models(self):
        return {
            **super()._followup_trigger_models(),
            "lead_won": "crm.lead",
            "lead_lost": "crm.lead",
        }

    @api.model
    def _followup_trigger_stop_reasons(self):
        return {
            **super()._followup_trigger_stop_reasons(),
            "lead_won": ("origin_cancelled",),
            "lead_lost": ("origin_reopened",),
        }

    @api.model
    def _followup_start_sentences(self):
        return {
            **super()._followup_start_sentences(),
            "lead_won": self.env._("Starts when an opportunity is won."),
            "lead_lost": self.env._("Starts when an opportunity is lost."),
        }

    @api.model
    def _followup_stop_clauses(self):
        return {
            **super()._followup_stop_clauses(),
            "origin_reopened": self.env._("the lost opportunity is won or restored"),
        }

    @api.model
    def _followup_reengagement_domain(self):
        # A lost opportunity's sequence tries to win the customer back.
        return ["|", ("trigger", "=", "lead_lost"), *super()._followup_reengagement_domain()]

    @api.model
    def _followup_origin_models(self):
        return [*super()._followup_origin_models(), "crm.lead"]

    @api.model
    def _followup_document_labels(self):
        return {**super()._followup_document_labels(), "crm.lead": self.env._("Opportunities")}

    @api.model
    def _followup_question_origin_models(self):
        return [*super()._followup_question_origin_models(), "crm.lead"]
