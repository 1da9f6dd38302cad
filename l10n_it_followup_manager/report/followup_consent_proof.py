from collections import defaultdict

from odoo import api, models


class ReportFollowupConsentProof(models.AbstractModel):
    """The consent proof also shows the opt-out register's answers for the partner's
    Italian numbers and address, with their history: what the dispatch relied on."""

    _inherit = "report.followup_manager.report_followup_consent_proof"

    @api.model
    def _get_report_values(self, docids, data=None):
        values = super()._get_report_values(docids, data=data)
        partners = values["docs"]
        targets = partners._followup_rpo_targets()
        # Read as the user (auditors read the register's answers).
        entries = self.env["followup.rpo.entry"].search(
            [("value", "in", [value for found in targets.values() for _k, value in found])]
        )
        by_target = {(entry.kind, entry.value): entry for entry in entries}
        register_by_partner = defaultdict(list)
        for partner in partners:
            for target in targets[partner.id]:
                register_by_partner[partner.id].append((target, by_target.get(target)))
        values["register_by_partner"] = register_by_partner
        values["labels"]["register_state"] = dict(
            entries._fields["state"]._description_selection(self.env)
        )
        values["labels"]["register_kind"] = dict(
            entries._fields["kind"]._description_selection(self.env)
        )
        return values
