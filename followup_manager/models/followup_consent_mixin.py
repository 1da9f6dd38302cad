from odoo import api, fields, models

from ..policy import vocabulary

# Shared by the consent models, the partner API and the wizards; written once in
# policy/vocabulary.py (the keys are the public contract).
CONSENT_CHANNELS = vocabulary.selection(vocabulary.CHANNEL_LABELS)
CONSENT_STATES = vocabulary.selection(vocabulary.CONSENT_STATE_LABELS)
LEGAL_BASES = vocabulary.selection(vocabulary.LEGAL_BASIS_LABELS)
# Channels that reach a phone number, hence Odoo's phone.blacklist.
PHONE_CHANNELS = vocabulary.PHONE_CHANNELS


def consent_source_labels(env):
    """Readable names of the sources the add-on records
    (``vocabulary.CONSENT_SOURCES``). Any other source (an import, an RPC client's
    own key) reads as it was written."""
    return {
        "sale_order": env._("Confirmed sale order"),
        "preference_page": env._("Preference page"),
        "one_click_unsubscribe": env._("One-click unsubscribe"),
        "mailto": env._("Unsubscribe e-mail (List-Unsubscribe mailto)"),
        "double_opt_in_request": env._("Confirmation requested by e-mail"),
        "double_opt_in": env._("Confirmed by e-mail (double opt-in)"),
        "partner_merge": env._("Contacts merged"),
        "mail_blacklist": env._("Odoo's e-mail blacklist"),
        "phone_blacklist": env._("Odoo's phone blacklist"),
        "manual_phone": env._("Recorded by hand: on the phone"),
        "manual_meeting": env._("Recorded by hand: in person"),
        "manual_writing": env._("Recorded by hand: in writing"),
        "manual_email": env._("Recorded by hand: by e-mail"),
    }


class FollowupConsentMixin(models.AbstractModel):
    """What a consent decision is about: one person, one channel, the state, its
    legal basis and where it was recorded. Shared by the current state
    (followup.consent) and the history (followup.consent.event), which refine
    the fields (deletion rule, tracking, indexes)."""

    _name = "followup.consent.mixin"
    _description = "Follow-up Consent Decision"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, readonly=True, index=True
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True, readonly=True)
    state = fields.Selection(CONSENT_STATES, required=True, readonly=True)
    legal_basis = fields.Selection(LEGAL_BASES, readonly=True)
    source = fields.Char(readonly=True)
    source_label = fields.Char(compute="_compute_source_label")

    @api.depends("source")
    def _compute_source_label(self):
        labels = consent_source_labels(self.env)
        for record in self:
            record.source_label = labels.get(record.source, record.source)
