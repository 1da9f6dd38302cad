from odoo import fields, models

from ..models.followup_consent_mixin import CONSENT_CHANNELS, LEGAL_BASES
from ..models.tools import active_ids


class FollowupConsentRecord(models.TransientModel):
    """What a salesperson heard: "yes, text me" on the phone, "no more letters" at
    the counter. Recorded through res.partner.followup_set_consent, so it becomes
    an event with the wording as proof, like any other decision."""

    _name = "followup.consent.record"
    _description = "Record a Consent Decision"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Contacts",
        required=True,
        # The partners the wizard was opened on.
        default=lambda self: [fields.Command.set(active_ids(self.env, "res.partner"))],
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True, default="email")
    # "pending" belongs to the double opt-in, which sends its own request.
    state = fields.Selection(
        [("granted", "Agreed"), ("withdrawn", "Refused or Withdrew")],
        string="Decision",
        required=True,
        default="granted",
    )
    legal_basis = fields.Selection(LEGAL_BASES, default="consent")
    how = fields.Selection(
        [
            ("phone", "On the phone"),
            ("meeting", "In person"),
            ("writing", "In writing"),
            ("email", "By e-mail"),
        ],
        required=True,
        default="phone",
    )
    proof = fields.Text(
        string="Wording",
        required=True,
        help="What the person was told and answered, as close to their words as possible.",
    )

    def action_record(self):
        self.ensure_one()
        self.partner_ids.followup_set_consent(
            self.channel,
            self.state,
            f"manual_{self.how}",
            legal_basis=self.legal_basis if self.state == "granted" else False,
            proof=self.proof,
        )
        return {"type": "ir.actions.act_window_close"}
