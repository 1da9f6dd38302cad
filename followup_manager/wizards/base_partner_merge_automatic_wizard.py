from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Merging contacts keeps the whole consent history of each, on the contact kept.

    What "re-pointed" means for an append-only history: each event of a merged
    contact now belongs to the contact kept (its ``partner_id`` moves with Odoo's
    foreign-key update, the one change the database trigger allows), and nothing
    else of it changes: the name, address and phone it was recorded with, its source,
    proof and origin stay as they were. The origin is stored as model + id + name at
    the time, not as a stored reference, so Odoo's reference update has nothing to
    rewrite; an origin that was a merged contact reads by its name at the time. A
    note on the contact kept says whose history was moved there."""

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
        moved = self._followup_history_counts(src_partners)
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
        self._followup_note_history_moved(src_partners, dst_partner, moved)
        return res

    def _followup_history_counts(self, partners):
        """{partner: number of consent events} of the merged contacts."""
        # sudo: counts only, for the note below; the merge moves the rows anyway.
        return dict(
            self.env["followup.consent.event"]
            .sudo()
            ._read_group([("partner_id", "in", partners.ids)], ["partner_id"], ["__count"])
        )

    def _followup_note_history_moved(self, src_partners, dst_partner, counts):
        lines = [
            self.env._(
                "%(count)s consent decisions of %(name)s (id %(id)s)",
                count=count,
                name=partner.name or "",
                id=partner.id,
            )
            for partner, count in counts.items()
            if count
        ]
        if not lines:
            return
        dst_partner._message_log(
            body=self.env._(
                "Consent history moved to this contact by the merge: %(lines)s. Each "
                "decision keeps the name, address, source, proof and origin it was "
                "recorded with.",
                lines="; ".join(lines),
            )
        )
