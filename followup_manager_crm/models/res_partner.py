from odoo import models


class ResPartner(models.Model):
    """An opportunity is a fact of interest: it makes a visitor a prospect."""

    _inherit = "res.partner"

    def _followup_lifecycle_interests(self, owner):
        found = super()._followup_lifecycle_interests(owner)
        # sudo: the stage follows the family's opportunities, whoever may read them;
        # only dates are read.
        for partner, created in (
            self.env["crm.lead"]
            .sudo()
            ._read_group(
                [("type", "=", "opportunity"), ("partner_id", "in", list(owner))],
                ["partner_id"],
                ["create_date:max"],
            )
        ):
            cp = owner[partner.id]
            if cp not in found or created > found[cp][1]:
                found[cp] = ("opportunity", created)
        return found

    def _followup_lifecycle_interest_notes(self):
        return {
            **super()._followup_lifecycle_interest_notes(),
            "opportunity": self.env._("Has an opportunity."),
        }
