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
        res = super()._update_foreign_keys(src_partners, dst_partner)
        # Enrollments that followed the merged partners up on their own thread now
        # point to the destination's (their ``origin`` is not a stored reference the
        # wizard would update by itself). They were stopped above, so no two
        # active enrollments can meet.
        # sudo: the merge runs for users allowed to merge; this only re-points rows.
        self.env["followup.enrollment"].sudo().search(
            [("origin_model", "=", "res.partner"), ("origin_id", "in", src_partners.ids)]
        ).write({"origin_id": dst_partner.id})
        dst_partner._followup_reconcile_consents()
        return res
