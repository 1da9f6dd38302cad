from collections import defaultdict

from odoo import api, models
from odoo.exceptions import AccessError


class ReportFollowupConsentProof(models.AbstractModel):
    """The consent proof of each partner: every event, oldest first, with its
    wording and hash. The history is read in one query for all partners."""

    _name = "report.followup_manager.report_followup_consent_proof"
    _description = "Consent Proof Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        # The report's groups only hide the Print menu: rendering it through a URL
        # or RPC must be refused too. Proofs are for consent auditors (and managers).
        if not self.env.su and not self.env.user.has_group(
            "followup_manager.followup_manager_group_auditor"
        ):
            raise AccessError(self.env._("Only consent auditors may print consent proofs."))
        partners = self.env["res.partner"].with_context(active_test=False).browse(docids)
        # Read as the user: the history is shown to whoever may read it.
        events = (
            self.env["followup.consent.event"]
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids)], order="create_date asc, id asc")
        )
        consents = self.env["followup.consent"].search([("partner_id", "in", partners.ids)])
        events_by_partner, consents_by_partner = defaultdict(list), defaultdict(list)
        for event in events:
            events_by_partner[event.partner_id.id].append(event)
        for consent in consents:
            consents_by_partner[consent.partner_id.id].append(consent)
        selection = {
            fname: dict(events._fields[fname]._description_selection(self.env))
            for fname in ("channel", "state", "legal_basis")
        }
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "events_by_partner": events_by_partner,
            "consents_by_partner": consents_by_partner,
            "origin_labels": self._origin_labels(events),
            "labels": selection,
        }

    @api.model
    def _origin_labels(self, events):
        """{event id: the name of the document the decision came from}, for events
        the user may read: the name it had when the decision was recorded, else
        its name now. An auditor prints proofs without the right to read sale
        orders, blacklist entries or another company's documents; a document that
        is gone (or whose model was uninstalled) reads "model #id"."""
        labels, ids_by_model = {}, defaultdict(set)
        for event in events.filtered("origin_model"):
            if event.origin_label:
                labels[event.id] = event.origin_label
            elif event.origin_model in self.env and event.origin_id:
                ids_by_model[event.origin_model].add(event.origin_id)
        names = {}
        for model, ids in ids_by_model.items():
            # sudo: only the names of the documents named by events the user may
            # read (and print, checked above), never their content; the proof is
            # exactly what an auditor must be able to print.
            for record in self.env[model].sudo().browse(ids).exists():
                names[model, record.id] = record.display_name
        for event in events.filtered("origin_model"):
            if event.id not in labels:
                key = (event.origin_model, event.origin_id)
                labels[event.id] = names.get(key) or f"{key[0]} #{key[1]}"
        return labels
