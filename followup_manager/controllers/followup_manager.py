"""Public pages of a person receiving follow-ups: preference page, RFC 8058
one-click unsubscribe and double opt-in confirmation.

Nobody logs in: every URL carries an HMAC token of the partner
(``res.partner._followup_token``). GET requests only show pages, so link
scanners and mail previews change nothing; changes need a POST.

The POSTs are idempotent: a mail program and a security scanner may send the
same one-click POST several times at once. The requests of one person take
turns (``_followup_lock``), and each records only what differs from the state
it finds, so the repeats answer success and record nothing.

This file holds what every page shares (the token check, the lock, the values of
every page); the pages extend this controller, one file each:
``followup_preferences.py`` (the preference page) and ``followup_unsubscribe.py``
(one-click unsubscribe and double opt-in confirmation).
"""

import re

from odoo import http
from odoo.http import request
from odoo.tools import SQL

from ..models.followup_consent_event import HISTORY_LIMITS
from ..models.tools import INT4_MAX

# What _followup_token makes: hexadecimal HMAC, after an expiry timestamp for
# links that expire. Anything else (non-ASCII junk included) is not a token.
TOKEN_RE = re.compile(r"(?:[0-9]{1,12}\.)?[0-9a-f]{16,128}", re.ASCII)


class FollowupManagerController(http.Controller):
    # ------------------------------------------------------------------
    # Token check and shared values
    # ------------------------------------------------------------------

    def _followup_partner(self, partner_id, token, scope):
        """Return ``(partner_sudo, error_response)``: the partner of a valid
        link, or an empty recordset and a 403 page.

        Every refused link gets the same page, whether the contact exists, is
        archived or not, and whether a confirmation request is waiting or not:
        a stranger trying ids learns nothing. Only a link whose signature (or
        confirmation secret) matched may say that it expired."""
        # sudo: a visitor cannot read partners. We browse only the partner
        # named in the URL, read its own address to recompute the token, and
        # hand the record out only when the signature matched; a token only
        # ever gives access to the one partner it was signed for.
        if not 0 < partner_id <= INT4_MAX or not TOKEN_RE.fullmatch(token or ""):
            return request.env["res.partner"].browse(), self._followup_error_page("invalid")
        partner_sudo = request.env["res.partner"].sudo().browse(partner_id).exists()
        status = partner_sudo._followup_check_token(scope, token) if partner_sudo else "invalid"
        if status != "valid":
            shown = "expired" if status == "expired" else "invalid"
            return partner_sudo.browse(), self._followup_error_page(shown)
        installed = {code for code, _name in request.env["res.lang"].get_installed()}
        if partner_sudo.lang in installed:
            request.update_context(lang=partner_sudo.lang)
        return partner_sudo.with_env(request.env(su=True)), None

    def _followup_error_page(self, status):
        env = request.env
        if status == "expired":
            title = env._("This link has expired")
            message = env._(
                "For your security, this link is only valid for a limited time. "
                "Please ask us for a new one; nothing was changed."
            )
        else:
            title = env._("This link is not valid")
            message = env._(
                "The link may be incomplete, changed, or meant for someone else. "
                "Please open the link exactly as it appears in our e-mail; "
                "nothing was changed."
            )
        return request.render(
            "followup_manager.followup_link_error_page",
            {"title": title, "message": message},
            status=403,
        )

    def _followup_lock(self, partner_sudo):
        """Make the concurrent POSTs of one person take turns, before they read
        the state they will change.

        Odoo's transactions are REPEATABLE READ: a request that waited for the
        lock still sees the state from before the other's change. The request
        that changes something therefore also touches the row
        (``_followup_mark_changed``); PostgreSQL then refuses the waiting
        request's lock with a serialization failure, and Odoo runs that request
        again (``odoo.service.model.retrying``) on the committed state, where
        it finds the change already made and records nothing."""
        request.env.cr.execute(
            SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", partner_sudo.id)
        )

    def _followup_mark_changed(self, partner_sudo):
        """A new version of the locked row (same values): see _followup_lock."""
        request.env.cr.execute(
            SQL("UPDATE res_partner SET write_date = write_date WHERE id = %s", partner_sudo.id)
        )

    def _followup_set_consent(self, partner_sudo, channel, state, source, **kwargs):
        """Record the person's decision, taken online (with their IP address and
        browser). Another contact sharing the address may withdraw at the same
        moment: Odoo's blacklist takes both (followup.blacklist.mirror)."""
        kwargs.update(self._followup_client())
        partner_sudo.followup_set_consent(channel, state, source, **kwargs)

    def _followup_page_values(self, partner_sudo, **values):
        return {
            "partner": partner_sudo,
            "company": partner_sudo.company_id or request.env.company,
            "preferences_path": self._followup_path(partner_sudo, "preferences"),
            **values,
        }

    def _followup_path(self, partner_sudo, route, token=None):
        token = token or partner_sudo._followup_token(route)
        return f"/followup/{route}/{partner_sudo.id}/{token}"

    def _followup_client(self):
        """Who made an online decision, kept on the consent event. Both come from
        the request, not from the person: bounded to the history's limits here
        (a longer User-Agent is cut, an address that cannot be one is left out),
        so that an odd header never stops a decision from being recorded."""
        ip_address = request.httprequest.remote_addr or ""
        user_agent = request.httprequest.user_agent.string or ""
        return {
            "ip_address": len(ip_address) <= HISTORY_LIMITS["ip_address"] and ip_address,
            "user_agent": user_agent[: HISTORY_LIMITS["user_agent"]],
        }

    def _followup_channels(self):
        """[(channel, label)] in the order of the consent model."""
        return (
            request.env["followup.consent"]._fields["channel"]._description_selection(request.env)
        )

    def _followup_consents(self, partner_sudo):
        return {consent.channel: consent for consent in partner_sudo.followup_consent_ids}

    def _followup_email_consent(self, partner_sudo):
        return self._followup_consents(partner_sudo).get("email")
