import hashlib
import secrets
from datetime import timedelta

from odoo import api, fields, models


class FollowupConsentRequest(models.Model):
    """A double opt-in request the add-on mailed: who asked, when, to which address,
    until when. A confirmation is recorded only against one of these.

    Its own model, not fields on the pending consent: a person already reachable on
    another basis (a soft opt-in) is asked too while their consent stays as it is, so
    a request exists without a pending consent; and a person may be asked again, each
    request with its own link and expiry.

    The link carries a random secret made when the request is created; only its
    SHA-256 is stored. The secret exists in memory while the request mail is
    rendered (``res.partner.followup_request_email_confirmation``) and then only in
    the mail sent: nobody can make a working link afterwards, administrators and
    anyone rendering the template in a composer included.
    """

    _name = "followup.consent.request"
    _description = "Follow-up Confirmation Request"
    _order = "create_date desc, id desc"
    _rec_name = "email"

    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    channel = fields.Selection(
        [("email", "E-mail")], required=True, readonly=True, default="email"
    )
    email = fields.Char(
        string="Address",
        required=True,
        readonly=True,
        help="The address the request was sent to.",
    )
    user_id = fields.Many2one(
        "res.users", string="Asked By", required=True, readonly=True, ondelete="restrict"
    )
    date_expiry = fields.Datetime(string="Valid Until", required=True, readonly=True)
    state = fields.Selection(
        [("pending", "Waiting"), ("confirmed", "Confirmed")],
        required=True,
        readonly=True,
        default="pending",
        index=True,
    )
    date_confirmed = fields.Datetime(readonly=True)
    proof = fields.Text(readonly=True, help="The request as the person received it.")
    token_hash = fields.Char(readonly=True, index=True, groups="base.group_system")

    _sql_constraints = [
        ("token_hash_unique", "UNIQUE(token_hash)", "A confirmation link is unique."),
    ]

    @staticmethod
    def _hash(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @api.model
    def _issue(self, partners, days):
        """Create one pending request per partner, valid ``days`` days; return the
        requests (as superuser) and ``{partner id: secret}``, the secrets of their
        links, which are never stored."""
        now = fields.Datetime.now()
        secrets_by_partner = {partner.id: secrets.token_hex(32) for partner in partners}
        # sudo: users have no create right on requests; the public caller
        # (followup_request_email_confirmation) checked the user; user_id keeps
        # who asked.
        requests = self.sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "email": partner.email_normalized,
                    "user_id": self.env.uid,
                    "date_expiry": now + timedelta(days=days),
                    "token_hash": self._hash(secrets_by_partner[partner.id]),
                }
                for partner in partners
            ]
        )
        return requests, secrets_by_partner

    @api.model
    def _find(self, partner, token):
        """The request of ``partner`` whose link carries ``token`` (any state), or an
        empty recordset. A link stops working when the partner's address is no longer
        the one asked."""
        if not token or not isinstance(token, str) or len(token) != 64:
            return self.browse()
        # sudo: a visitor reads no requests; the lookup is by the hash of the secret
        # of the link they hold, for the partner the link names.
        request = self.sudo().search(
            [("partner_id", "=", partner.id), ("token_hash", "=", self._hash(token))], limit=1
        )
        if request and request.email != (partner.email_normalized or ""):
            return self.browse()
        return request

    def _is_expired(self):
        self.ensure_one()
        return self.state == "pending" and self.date_expiry < fields.Datetime.now()
