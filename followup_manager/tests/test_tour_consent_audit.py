from urllib.parse import urlparse

from odoo.tests import HttpCase, tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestFollowupConsentAuditTour(FollowupCase, HttpCase):
    def test_auditor_reviews_consent_list_and_partner_history(self):
        audrey, gary = self.env["res.partner"].create(
            [
                {"name": "Audrey Audit", "email": "audrey@example.com"},
                {"name": "Gary Granted", "email": "gary@example.com"},
            ]
        )
        (audrey | gary).followup_set_consent(
            "email", "granted", "manual", legal_basis="consent", proof="Said yes at the fair"
        )
        # Audrey unsubscribes with the one-click link of a follow-up e-mail.
        response = self.url_open(
            urlparse(audrey._followup_unsubscribe_url()).path,
            data={"List-Unsubscribe": "One-Click"},
        )
        self.assertEqual(response.status_code, 200)
        self.start_tour(
            "/odoo/action-followup_manager.followup_consent_action",
            "followup_consent_audit_tour",
            login=self.user_auditor.login,
        )
