from odoo import api, models


class FollowupEnrollment(models.Model):
    """A new confirmed order ends the sequences that try to win the customer back."""

    _inherit = "followup.enrollment"

    @api.model
    def _followup_stop_reengagement(self, partners):
        """A new confirmed order: re-engagement sequences of these customers (their
        company and its contacts) have done their job."""
        commercial = partners.commercial_partner_id
        domain = self._followup_active_domain() + [
            ("partner_id.commercial_partner_id", "in", commercial.ids),
            ("sequence_id", "any", self.env["followup.sequence"]._followup_reengagement_domain()),
        ]
        # sudo: see followup_manager's _followup_stop_for_origins.
        return self.sudo().search(domain)._stop("new_order").sudo(False)
