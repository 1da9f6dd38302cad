"""What may enter the consent history: who records a decision. The history is
kept forever and nobody can delete it, so this is checked on the values as they
will be stored, whatever the path (followup_set_consent, the public pages, Odoo's
blacklists, a sale order, a partner merge)."""

from odoo import api, models
from odoo.exceptions import AccessError

AUDITOR_GROUP = "followup_manager.followup_manager_group_auditor"
USER_GROUP = "followup_manager.followup_manager_group_user"


class FollowupConsentEvent(models.Model):
    _inherit = "followup.consent.event"

    @api.model
    def _prepare_create_values(self, vals_list):
        # The values as they will be inserted (defaults and snapshots included).
        vals_list = super()._prepare_create_values(vals_list)
        self._followup_check_recorder()
        return vals_list

    @api.model
    def _followup_check_recorder(self):
        """Auditors record nothing (separation of duties): a consent auditor who is
        not also a follow-up user cannot append to the history, whatever public
        method they call. Everybody else is checked by the method that records."""
        user = self.env.user
        if user.has_group(AUDITOR_GROUP) and not user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Consent auditors read the consent history; they cannot record "
                    "decisions in it."
                )
            )
