"""What may enter the consent history: who records a decision, and how large each
text of it may be. The history is kept forever, nobody can delete it and every
proof prints it whole, so both are checked on the values as they will be stored,
whatever the path (followup_set_consent, the public pages, Odoo's blacklists, a
sale order, a partner merge)."""

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

# Size limits of the consent history, in characters. Beyond them create() raises a
# ValidationError naming the field, before the database is reached (a long indexed
# text would otherwise fail there, with a database error).
HISTORY_LIMITS = {
    # A key such as "preference_page" or an importer's own; indexed.
    "source": 128,
    # The wording the person saw: a consent text with the privacy notice it quotes
    # fits many times over; a document does not belong here.
    "proof": 20_000,
    # The model of the document the decision came from (its id is an integer).
    "origin_model": 128,
    # The longest textual IPv6 address (with an IPv4 tail) is 45 characters.
    "ip_address": 45,
    # A browser's User-Agent header; followup_set_consent cuts longer ones to this.
    "user_agent": 512,
}

# The partner's name, e-mail and numbers at the time are copies the history makes
# itself: kept whole up to this length and cut beyond it (with an ellipsis), never
# refused: a partner's odd data must not stop their decision from being recorded.
SNAPSHOT_LIMIT = 512
SNAPSHOT_FIELDS = (
    "partner_name_snapshot",
    "partner_email_snapshot",
    "partner_phone_snapshot",
    # The origin's name at the time: a copy of a document's name, cut like the others.
    "origin_label",
)

AUDITOR_GROUP = "followup_manager.followup_manager_group_auditor"
USER_GROUP = "followup_manager.followup_manager_group_user"


class FollowupConsentEvent(models.Model):
    _inherit = "followup.consent.event"

    @api.model_create_multi
    def create(self, vals_list):
        self._followup_check_recorder()
        # The values as they will be inserted: the defaults (a caller's context can
        # carry default_proof...) under the given ones; the snapshots the history
        # copies itself are cut where they are made (followup_consent_event.create).
        defaults = self.default_get(list(HISTORY_LIMITS))
        for vals in vals_list:
            self._followup_check_sizes({**defaults, **vals})
            self._followup_cut_snapshots(vals)
        return super().create(vals_list)

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

    @api.model
    def _followup_check_sizes(self, vals):
        """Raise a ValidationError naming the first text of ``vals`` longer than
        its limit (HISTORY_LIMITS)."""
        for name, limit in HISTORY_LIMITS.items():
            value = vals.get(name)
            if isinstance(value, str) and len(value) > limit:
                raise ValidationError(
                    self.env._(
                        "%(field)s of a consent decision can be at most %(limit)s "
                        "characters long (%(length)s given).",
                        field=self._fields[name]._description_string(self.env),
                        limit=limit,
                        length=len(value),
                    )
                )

    @api.model
    def _followup_cut_snapshots(self, vals):
        """Cut the snapshots of ``vals`` (SNAPSHOT_FIELDS) to SNAPSHOT_LIMIT, in place."""
        for name in SNAPSHOT_FIELDS:
            value = vals.get(name)
            if isinstance(value, str) and len(value) > SNAPSHOT_LIMIT:
                vals[name] = value[: SNAPSHOT_LIMIT - 1] + "…"
