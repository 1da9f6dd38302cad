"""Moved from followup_manager/tests/test_consent_proof.py: the tests that need CRM."""

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase

from .common import FollowupCrmMixin

REPORT = "followup_manager.followup_consent_proof_report"


@tagged("post_install", "-at_install")
class TestFollowupConsentProofCrm(FollowupCrmMixin, FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Contacts of no company: the auditor reads them and their history.
        cls.sofia = cls._create_customer("Sofia Soft", "sofia", user_id=False)
        cls.bruno = cls._create_customer("Bruno Blacklist", "bruno", user_id=False)
        cls.auditor = cls.user_auditor

    def _render(self, partner):
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.auditor)
            ._render_qweb_html(REPORT, partner.ids)
        )
        return html.decode()

    def _origin(self, partner):
        event = self.env["followup.consent.event"].search(
            [("partner_id", "=", partner.id), ("origin_model", "!=", False)]
        )
        self.assertEqual(len(event), 1)
        return event.origin

    def test_a_document_that_is_gone_reads_its_name_at_the_time(self):
        lead = self._create_lead(self.sofia)
        self.sofia.followup_set_consent(
            "phone", "granted", "manual_phone", proof="Call me", origin=lead
        )
        name = lead.display_name
        lead.unlink()
        self.assertIn(f", <span>{name}</span>", self._render(self.sofia))

    def test_a_document_that_is_gone_without_a_name_reads_model_and_id(self):
        # Events of the previous release have no name at the time.
        lead = self._create_lead(self.sofia)
        self.env["followup.consent.event"].sudo().create(
            {
                "partner_id": self.sofia.id,
                "channel": "phone",
                "state": "granted",
                "source": "manual_phone",
                "origin_model": "crm.lead",
                "origin_id": lead.id,
            }
        )
        lead_id = lead.id
        lead.unlink()
        self.assertIn(f", <span>crm.lead #{lead_id}</span>", self._render(self.sofia))
