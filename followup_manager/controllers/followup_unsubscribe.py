"""The links that record one e-mail decision: the RFC 8058 one-click unsubscribe and
the double opt-in confirmation (see followup_manager.py for the token and the lock)."""

from odoo import fields, http
from odoo.http import request

from .followup_manager import FollowupManagerController


class FollowupUnsubscribeController(FollowupManagerController):
    # ------------------------------------------------------------------
    # One-click unsubscribe (RFC 8058)
    # ------------------------------------------------------------------

    def _followup_render_unsubscribe(self, partner_sudo, token, stage):
        return request.render(
            "followup_manager.followup_unsubscribe_page",
            self._followup_page_values(
                partner_sudo,
                stage=stage,
                action_path=self._followup_path(partner_sudo, "unsubscribe", token),
            ),
        )

    @http.route(
        "/followup/unsubscribe/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def followup_unsubscribe_ask(self, partner_id, token, **kwargs):
        """GET never unsubscribes: link scanners and previews open links."""
        partner_sudo, error = self._followup_partner(partner_id, token, "unsubscribe")
        if error:
            return error
        consent = self._followup_email_consent(partner_sudo)
        stage = "already" if consent and consent.state == "withdrawn" else "ask"
        return self._followup_render_unsubscribe(partner_sudo, token, stage)

    # csrf=False: RFC 8058 one-click POSTs come from mail providers, without
    # our session cookie; the HMAC token in the URL is the protection.
    @http.route(
        "/followup/unsubscribe/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        sitemap=False,
    )
    def followup_unsubscribe(self, partner_id, token, **post):
        partner_sudo, error = self._followup_partner(partner_id, token, "unsubscribe")
        if error:
            return error
        self._followup_lock(partner_sudo)
        consent = self._followup_email_consent(partner_sudo)
        if consent and consent.state == "withdrawn":
            # Replays (the provider retries, the person clicks twice) change
            # nothing and add no event.
            return self._followup_render_unsubscribe(partner_sudo, token, "already")
        env = request.env
        if post.get("List-Unsubscribe") == "One-Click":
            how = env._(
                "One-click unsubscribe (RFC 8058) sent by the mail program from the "
                "List-Unsubscribe header of our e-mail (List-Unsubscribe=One-Click)."
            )
        else:
            how = env._(
                "Unsubscribe button pressed on the page opened from the link in our e-mail."
            )
        proof = env._(
            "%(how)s\nAddress: %(email)s", how=how, email=partner_sudo.email_normalized or ""
        )
        self._followup_mark_changed(partner_sudo)
        self._followup_set_consent(
            partner_sudo, "email", "withdrawn", "one_click_unsubscribe", proof=proof
        )
        return self._followup_render_unsubscribe(partner_sudo, token, "done")

    # ------------------------------------------------------------------
    # Double opt-in confirmation
    # ------------------------------------------------------------------

    def _followup_render_confirm(self, partner_sudo, token, stage, status=200):
        return request.render(
            "followup_manager.followup_confirm_page",
            self._followup_page_values(
                partner_sudo,
                stage=stage,
                wording=partner_sudo._followup_email_confirmation_wording(),
                button=partner_sudo._followup_email_confirmation_button(),
                action_path=self._followup_path(partner_sudo, "confirm", token),
            ),
            status=status,
        )

    def _followup_withdrawn(self, partner_sudo):
        """The person withdrew their e-mail consent: no confirmation link may undo
        that. Requests are never sent to people who withdrew, so a link that meets
        a withdrawal was sent before it: a replay (a forwarded mail, an old tab, a
        link scanner). The preference page is the way back."""
        consent = self._followup_email_consent(partner_sudo)
        return bool(consent) and consent.state == "withdrawn"

    def _followup_is_confirmed(self, partner_sudo, token):
        """The request of this link was confirmed, or the person agreed otherwise."""
        if partner_sudo._followup_confirm_request(token).state == "confirmed":
            return True
        consent = self._followup_email_consent(partner_sudo)
        return bool(consent) and (consent.state, consent.legal_basis) == ("granted", "consent")

    @http.route(
        "/followup/confirm/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def followup_confirm_ask(self, partner_id, token, **kwargs):
        partner_sudo, error = self._followup_partner(partner_id, token, "confirm")
        if error:
            return error
        if self._followup_withdrawn(partner_sudo):
            return self._followup_render_confirm(partner_sudo, token, "withdrawn", status=403)
        stage = "already" if self._followup_is_confirmed(partner_sudo, token) else "ask"
        return self._followup_render_confirm(partner_sudo, token, stage)

    @http.route(
        "/followup/confirm/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def followup_confirm(self, partner_id, token, **post):
        partner_sudo, error = self._followup_partner(partner_id, token, "confirm")
        if error:
            return error
        self._followup_lock(partner_sudo)
        if self._followup_withdrawn(partner_sudo):
            return self._followup_render_confirm(partner_sudo, token, "withdrawn", status=403)
        if self._followup_is_confirmed(partner_sudo, token):
            return self._followup_render_confirm(partner_sudo, token, "already")
        self._followup_mark_changed(partner_sudo)
        env = request.env
        # The request the link was mailed with (checked pending and unexpired by
        # _followup_partner): the confirmation answers it and quotes its wording.
        consent_request = partner_sudo._followup_confirm_request(token)
        proof = env._(
            'Confirmed by pressing "%(button)s" on the page opened from the confirmation '
            "link sent to %(email)s.\n\nRequest:\n%(request)s",
            button=partner_sudo._followup_email_confirmation_button(),
            email=consent_request.email,
            request=consent_request.proof or partner_sudo._followup_email_confirmation_wording(),
        )
        self._followup_set_consent(
            partner_sudo,
            "email",
            "granted",
            "double_opt_in",
            legal_basis="consent",
            proof=proof,
            origin=consent_request,
        )
        consent_request.write({"state": "confirmed", "date_confirmed": fields.Datetime.now()})
        return self._followup_render_confirm(partner_sudo, token, "done")
