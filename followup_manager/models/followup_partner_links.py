import calendar
from collections import defaultdict
from urllib.parse import quote as url_quote

from markupsafe import Markup, escape

from odoo import fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq


class FollowupPartnerLinks(models.AbstractModel):
    """The person's side of consent: signed public links (preference page,
    one-click unsubscribe, double opt-in confirmation), the headers and footer
    of follow-up e-mails, and the double opt-in request. A mixin of res.partner."""

    _name = "followup.partner.links"
    _description = "Partner: Public Links and E-mail Confirmation"

    # Links in our e-mails open pages without a login. Each carries an HMAC of
    # (partner id, scope, normalized e-mail[, expiry]) keyed on database.secret:
    # a link works for one partner and one purpose, and stops working when the
    # address it was sent to is no longer the partner's address.
    # A double opt-in confirmation link is not an HMAC of the partner: it carries the
    # secret of one followup.consent.request, the request the add-on mailed (see
    # _followup_confirm_url and _followup_check_token).
    _FOLLOWUP_TOKEN_SCOPES = ("preferences", "unsubscribe")
    # Days a double opt-in request (and its link) stays valid.
    _FOLLOWUP_CONFIRM_DAYS = 30
    # Context key of {partner id: secret} while the request mails are rendered.
    _FOLLOWUP_CONFIRM_SECRETS = "followup_confirm_secrets"

    def _followup_token(self, scope, expiry=0):
        """Signed token for a public link of this partner.

        :param str scope: ``preferences`` or ``unsubscribe``;
        :param int expiry: UTC timestamp after which the token is refused
            (0: never); it is signed and carried in the token itself.
        """
        self.ensure_one()
        if scope not in self._FOLLOWUP_TOKEN_SCOPES:
            raise ValueError(f"Unknown follow-up token scope {scope!r}")
        message = (self.id, self.email_normalized or "", int(expiry))
        # superuser env only to read database.secret, the HMAC key
        digest = tools.hmac(self.env(su=True), f"followup_manager.{scope}", message)
        return f"{int(expiry)}.{digest}" if expiry else digest

    def _followup_check_token(self, scope, token):
        """Check a token from a public link: ``"valid"``, ``"expired"`` or
        ``"invalid"`` (``"no_request"`` for a confirmation link that answers no
        request the add-on mailed). The comparison takes constant time
        (``consteq``); the expiry is only looked at once the signature matched."""
        self.ensure_one()
        if not token or not isinstance(token, str) or len(token) > 200:
            return "invalid"
        if scope == "confirm":
            request = self._followup_confirm_request(token)
            if not request:
                return "no_request"
            return "expired" if request._is_expired() else "valid"
        expiry = 0
        if "." in token:
            expiry_str = token.partition(".")[0]
            if not expiry_str.isdigit():
                return "invalid"
            expiry = int(expiry_str)
        if not consteq(self._followup_token(scope, expiry), token):
            return "invalid"
        if expiry and expiry < self._followup_now_timestamp():
            return "expired"
        return "valid"

    def _followup_now_timestamp(self):
        return calendar.timegm(fields.Datetime.now().timetuple())

    def _followup_public_url(self, route, token, base_url=None):
        """The public link ``route`` of this partner (``base_url``: its
        ``get_base_url()``, when the caller already has it)."""
        self.ensure_one()
        return f"{base_url or self.get_base_url()}/followup/{route}/{self.id}/{token}"

    def _followup_preferences_url(self):
        """Absolute URL of the partner's preference page (no login)."""
        return self._followup_public_url("preferences", self._followup_token("preferences"))

    def _followup_unsubscribe_url(self):
        """Absolute URL of the RFC 8058 one-click unsubscribe endpoint: a POST
        withdraws e-mail consent, a GET only asks for confirmation."""
        return self._followup_public_url("unsubscribe", self._followup_token("unsubscribe"))

    def _followup_confirm_url(self):
        """Absolute URL confirming the double opt-in request being mailed to this
        partner. Only the request mail has it: the secret of the link is in the
        context while followup_request_email_confirmation renders the mail, and
        nowhere else. Rendered anywhere else (a composer, a preview), the link
        opens the page of every refused link ("This link is not valid"), and changes
        nothing."""
        self.ensure_one()
        secrets_by_partner = self.env.context.get(self._FOLLOWUP_CONFIRM_SECRETS) or {}
        secret = secrets_by_partner.get(self.id) if isinstance(secrets_by_partner, dict) else None
        return self._followup_public_url("confirm", secret or "0" * 64)

    def _followup_confirm_request(self, token):
        """The followup.consent.request of this partner that ``token`` (from a
        confirmation link) was made for, in any state; empty if none."""
        self.ensure_one()
        return self.env["followup.consent.request"]._find(self, token)

    def _followup_mail_headers(self, company=None):
        """Headers every follow-up e-mail to this partner carries (RFC 2369
        and RFC 8058 one-click unsubscribe). Pass them as ``mail.mail``
        ``headers`` (``repr`` of this dict) or in ``_prepare_outgoing_list``.

        Next to the link, a ``mailto:`` unsubscribe when the company (default:
        the partner's, else the current one) has an alias domain: the gateway
        receives it (see mail_thread.py). The headers leave on one
        line each, however long (see ir_mail_server.py)."""
        self.ensure_one()
        return self._followup_headers(
            self.get_base_url(),
            self._followup_token("unsubscribe"),
            company or self.company_id or self.env.company,
        )

    def _followup_headers(self, base_url, token, company):
        """The headers of ``_followup_mail_headers`` from the partner's base URL and
        unsubscribe token (made once for the link and the ``mailto:``)."""
        self.ensure_one()
        uris = [f"<{self._followup_public_url('unsubscribe', token, base_url)}>"]
        mailto = self._followup_unsubscribe_mailto(company, token)
        if mailto:
            uris.append(f"<{mailto}>")
        return {
            "List-Unsubscribe": ", ".join(uris),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    def _followup_unsubscribe_mailto(self, company, token=None):
        """``mailto:`` URI of the unsubscribe address of ``company``'s alias
        domain, its subject naming the partner and the signed token (``token``: the
        partner's unsubscribe token, made here when not given); False without an
        alias domain."""
        self.ensure_one()
        # sudo: the alias domain is configuration; only its address is read.
        domain = company.sudo().alias_domain_id
        if not domain or not domain.catchall_alias:
            return False
        tag = self.env["mail.thread"]._followup_unsubscribe_tag()
        subject = f"unsubscribe {self.id} {token or self._followup_token('unsubscribe')}"
        address = f"{domain.catchall_alias}+{tag}@{domain.name}"
        return f"mailto:{address}?subject={url_quote(subject)}"

    def _followup_mail_footer(self):
        """Visible footer of a follow-up e-mail, in the partner's language:
        why they get it and a link to their preference page (html)."""
        self.ensure_one()
        return self._followup_footer_html(
            self._followup_preferences_url(), self.lang, self.company_id or self.env.company
        )

    def _followup_footer_html(self, url, lang, company):
        """The footer linking to ``url``, in ``lang``, sent from ``company``."""
        partner = self.with_context(lang=lang) if lang else self
        link = Markup('<a href="%s" style="color: inherit;">%s</a>') % (
            url,
            partner.env._("Manage your contact preferences or unsubscribe"),
        )
        sentence = partner.env._(
            "You receive this e-mail from %(company)s. %(link)s",
            company=company.name,
            link=link,
        )
        return Markup('<p style="font-size: 12px; color: #888888;">%s</p>') % sentence

    def _followup_mail_parts(self, with_headers=True):
        """{partner id: (footer, headers)} of follow-up e-mails to these partners, as
        ``_followup_mail_footer`` and ``_followup_mail_headers`` make them (headers
        empty without ``with_headers``); the footer is translated once per language and
        company of the batch, not per partner."""
        placeholder = "followup-preferences-url-placeholder"
        footers = {}
        parts = {}
        for partner in self:
            company = partner.company_id or self.env.company
            key = (partner.lang, company.id)
            if key not in footers:
                footers[key] = str(self._followup_footer_html(placeholder, partner.lang, company))
            # The links of the footer and the headers on one base URL (one lookup a
            # partner).
            base_url = partner.get_base_url()
            token = partner._followup_token("preferences")
            url = partner._followup_public_url("preferences", token, base_url)
            footer = Markup(footers[key].replace(placeholder, str(escape(url))))
            headers = (
                partner._followup_headers(
                    base_url, partner._followup_token("unsubscribe"), company
                )
                if with_headers
                else {}
            )
            parts[partner.id] = (footer, headers)
        return parts

    def _followup_email_confirmation_wording(self):
        """The request text of the double opt-in mail, in the partner's
        language. The mail shows it and the consent event keeps it as proof,
        so both always say the same."""
        self.ensure_one()
        partner = self.with_context(lang=self.lang) if self.lang else self
        return partner.env._(
            "%(company)s would like to send you e-mails about offers, news and "
            "follow-ups of your requests. Please confirm that you agree by "
            "pressing the button below. You can withdraw at any time with the "
            "link in each e-mail. The link is valid for %(days)s days.",
            company=(self.company_id or self.env.company).name,
            days=self._FOLLOWUP_CONFIRM_DAYS,
        )

    def _followup_email_confirmation_button(self):
        self.ensure_one()
        partner = self.with_context(lang=self.lang) if self.lang else self
        return partner.env._("Yes, I agree to receive e-mails")

    def _followup_email_consent_state(self):
        """{partner id: (state, legal_basis)} of the e-mail consent (no row:
        ``(False, False)``), read for the whole recordset at once."""
        consents = self.env["followup.consent"].search_read(
            [("partner_id", "in", self.ids), ("channel", "=", "email")],
            ["partner_id", "state", "legal_basis"],
        )
        result = dict.fromkeys(self.ids, (False, False))
        result.update(
            {row["partner_id"][0]: (row["state"], row["legal_basis"]) for row in consents}
        )
        return result

    def followup_request_email_confirmation(self):
        """Send a double opt-in request mail to each partner that has a usable
        address and has not given explicit e-mail consent yet, and record their
        e-mail consent as ``pending`` (legal basis ``consent``) with the wording
        of the request as proof. Partners who withdrew, are blacklisted or have
        already confirmed are skipped. A partner already reachable on another
        basis (soft opt-in, contract...) is asked too but stays as is until
        they confirm: asking must not take away what they allowed. Returns
        True."""
        if not self.env.user.has_group("followup_manager.followup_manager_group_user"):
            raise AccessError(self.env._("Only follow-up users may ask for e-mail confirmation."))
        self.check_access("read")
        states = self._followup_email_consent_state()
        eligible = self.filtered(
            lambda partner: (
                partner.email_normalized
                and not partner.is_blacklisted
                and states[partner.id][0] != "withdrawn"
                and states[partner.id] != ("granted", "consent")
            )
        )
        if not eligible:
            raise UserError(
                self.env._(
                    "No e-mail confirmation was sent: the contacts have no valid "
                    "address, are blacklisted, withdrew their consent or have "
                    "already confirmed."
                )
            )
        # A contact named twice in the call is asked once.
        return eligible.union()._followup_send_confirmation_requests(states)

    def _followup_send_confirmation_requests(self, states):
        """Issue a request per partner, mail it with its link, and record a pending
        e-mail consent for the partners without a granted one (origin: the
        request). See followup_request_email_confirmation."""
        requests, secrets_by_partner = self.env["followup.consent.request"]._issue(
            self, self._FOLLOWUP_CONFIRM_DAYS
        )
        template = self.env.ref(
            "followup_manager.mail_template_followup_email_confirmation"
        ).with_context(**{self._FOLLOWUP_CONFIRM_SECRETS: secrets_by_partner})
        mails = template.send_mail_batch(self.ids)
        subject_by_partner = {mail.res_id: mail.subject for mail in mails}
        request_by_partner = {request.partner_id.id: request for request in requests}
        # One write and one event batch per distinct wording (a language and a
        # company), not one per partner.
        requests_by_proof = defaultdict(lambda: requests.browse())
        for partner in self:
            proof = "\n\n".join(
                (
                    subject_by_partner.get(partner.id) or "",
                    partner._followup_email_confirmation_wording(),
                    f"[{partner._followup_email_confirmation_button()}]",
                )
            )
            requests_by_proof[proof] |= request_by_partner[partner.id]
        vals_list = []
        for proof, proof_requests in requests_by_proof.items():
            proof_requests.write({"proof": proof})
            for request in proof_requests:
                if states[request.partner_id.id][0] == "granted":
                    continue
                vals_list += request.partner_id._followup_consent_event_vals(
                    "email",
                    "pending",
                    "double_opt_in_request",
                    legal_basis="consent",
                    proof=proof,
                    origin=request,
                )
        # The add-on's own record of the request it mailed (a system source, which
        # followup_set_consent keeps from callers): the history's one door.
        self.env["followup.consent.event"]._record(vals_list)
        return True
