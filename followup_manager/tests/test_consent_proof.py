"""The consent proof as an auditor prints it: every origin named, whatever the
auditor may read of the documents the decisions came from."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FollowupSecurityCase

REPORT = "followup_manager.followup_consent_proof_report"


@tagged("post_install", "-at_install")
class TestFollowupConsentProof(FollowupSecurityCase):
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

    def test_blacklist_origin_shows_the_address(self):
        entry = self.env["mail.blacklist"]._add("bruno@example.com")
        self.assertEqual(self._origin(self.bruno), entry)
        with self.assertRaises(AccessError):
            entry.with_user(self.auditor).check_access("read")
        self.assertIn(", <span>bruno@example.com</span>", self._render(self.bruno))

    def test_origin_of_another_company_is_named(self):
        self.sofia.followup_set_consent(
            "phone", "granted", "manual_phone", proof="Call me", origin=self.sequence_b
        )
        with self.assertRaises(AccessError):
            self.sequence_b.with_user(self.auditor).check_access("read")
        self.assertIn(", <span>Company B nurture</span>", self._render(self.sofia))
