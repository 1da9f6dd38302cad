from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        # Before the enrollments move to the destination partner: the merged
        # partners' follow-ups end (the destination keeps its own), which also
        # keeps the move from creating two active enrollments for one partner.
        self.env["followup.enrollment"]._followup_stop_for_partners(
            src_partners,
            "partner_merged",
            note=self.env._("Merged into %(partner)s.", partner=dst_partner.display_name),
        )
        return super()._update_foreign_keys(src_partners, dst_partner)
