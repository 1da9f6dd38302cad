"""Public pages of a person receiving follow-ups: preference page, RFC 8058
one-click unsubscribe and double opt-in confirmation.

Nobody logs in: every URL carries an HMAC token of the partner
(``res.partner._followup_token``). GET requests only show pages, so link
scanners and mail previews change nothing; changes need a POST.

The POSTs are idempotent: a mail program and a security scanner may send the
same one-click POST several times at once. The requests of one person take
turns (``_followup_lock``), and each records only what differs from the state
it finds, so the repeats answer success and record nothing.
"""

import re

from odoo import fields, http
from odoo.http import request
from odoo.tools import SQL, format_date

from ..models.followup_consent_event import HISTORY_LIMITS
from ..models.tools import INT4_MAX

CHOICES = ("yes", "no", "never")
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

    # ------------------------------------------------------------------
    # Preference page
    # ------------------------------------------------------------------

    def _followup_choice_labels(self, channel):
        """The three answers for a channel, each a whole sentence (a channel name
        slotted into one sentence reads badly and does not translate)."""
        env = request.env
        yes = {
            "email": env._("Yes, you may e-mail me"),
            "sms": env._("Yes, you may text me"),
            "phone": env._("Yes, you may call me"),
            "whatsapp": env._("Yes, you may write to me on WhatsApp"),
            "post": env._("Yes, you may send me letters"),
        }
        never = {
            "email": env._("Never e-mail me"),
            "sms": env._("Never text me"),
            "phone": env._("Never call me"),
            "whatsapp": env._("Never write to me on WhatsApp"),
            "post": env._("Never send me letters"),
        }
        return {
            "yes": yes[channel],
            "no": env._("No offers or news, only about my orders and requests"),
            "never": never[channel],
        }

    def _followup_channel_rows(self, partner_sudo):
        """One dict per channel: its current state in a sentence and the
        choice the page pre-selects (False when the person never said)."""
        env = request.env
        consents = self._followup_consents(partner_sudo)
        rows = []
        for channel, label in self._followup_channels():
            consent = consents.get(channel)
            state = consent.state if consent else False
            basis = consent.legal_basis if consent else False
            date = format_date(env, consent.date) if consent and consent.date else ""
            refused = partner_sudo[f"followup_no_{channel}"]
            if refused:
                choice = "never"
                status = env._("You asked us never to contact you this way.")
            elif state == "granted":
                # Pre-selected only when the person said yes: a soft opt-in or a
                # contract is our basis, not their answer, which they may still give.
                choice = "yes" if basis == "consent" else False
                status = {
                    "consent": env._("You agreed on %(date)s.", date=date),
                    "soft_opt_in": env._(
                        "As our customer, you may hear about products similar to those "
                        "you bought (since %(date)s).",
                        date=date,
                    ),
                    "contract": env._("Needed for your orders and contracts."),
                    "legitimate_interest": env._(
                        "We contact you about your requests and our services."
                    ),
                }.get(basis, env._("Allowed since %(date)s.", date=date))
            elif state == "withdrawn":
                choice = "no"
                status = env._("You withdrew your consent on %(date)s.", date=date)
            elif state == "pending":
                choice = False
                status = env._(
                    "We asked for your confirmation on %(date)s and are waiting for it.",
                    date=date,
                )
            else:
                choice = False
                status = env._("You have not told us anything yet.")
            rows.append(
                {
                    "channel": channel,
                    "label": label,
                    "state": state,
                    "legal_basis": basis,
                    "choice": choice,
                    "status": status,
                    "choices": self._followup_choice_labels(channel),
                }
            )
        return rows

    def _followup_selection(self, partner_sudo, field_name):
        return partner_sudo._fields[field_name]._description_selection(request.env)

    def _followup_render_preferences(self, partner_sudo, saved=None):
        return request.render(
            "followup_manager.followup_preferences_page",
            self._followup_page_values(
                partner_sudo,
                rows=self._followup_channel_rows(partner_sudo),
                channel_options=self._followup_selection(
                    partner_sudo, "followup_preferred_channel"
                ),
                frequency_options=self._followup_selection(partner_sudo, "followup_frequency"),
                action_path=self._followup_path(partner_sudo, "preferences"),
                saved=saved,
            ),
        )

    @http.route(
        "/followup/preferences/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def followup_preferences(self, partner_id, token, **kwargs):
        partner_sudo, error = self._followup_partner(partner_id, token, "preferences")
        return error or self._followup_render_preferences(partner_sudo)

    @http.route(
        "/followup/preferences/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def followup_preferences_save(self, partner_id, token, **post):
        partner_sudo, error = self._followup_partner(partner_id, token, "preferences")
        if error:
            return error
        self._followup_lock(partner_sudo)
        saved = self._followup_save_preferences(partner_sudo, post)
        return self._followup_render_preferences(partner_sudo, saved=saved)

    def _followup_save_preferences(self, partner_sudo, post):
        """Apply what the person chose; return the sentences saying what
        changed. Only differences from the current state are recorded, so
        saving an untouched page writes nothing and records no event."""
        env = request.env
        vals, saved, consent_calls = self._followup_channel_changes(partner_sudo, post)
        more_vals, more_saved = self._followup_preference_changes(partner_sudo, post)
        vals.update(more_vals)
        saved += more_saved
        if vals or consent_calls:
            self._followup_mark_changed(partner_sudo)
        if vals:
            partner_sudo.write(vals)
        for channel, state, legal_basis, proof in consent_calls:
            self._followup_set_consent(
                partner_sudo,
                channel,
                state,
                "preference_page",
                legal_basis=legal_basis,
                proof=proof,
            )
        return saved or [env._("Nothing changed: your preferences were already as you chose.")]

    def _followup_channel_changes(self, partner_sudo, post):
        """What the person changed per channel: (partner values, sentences, consent
        calls ``(channel, state, legal basis, proof)``)."""
        env = request.env
        question = env._(
            "How may %(company)s contact you?",
            company=(partner_sudo.company_id or env.company).name,
        )
        vals, saved, consent_calls = {}, [], []
        for row in self._followup_channel_rows(partner_sudo):
            channel, new = row["channel"], post.get(f"channel_{row['channel']}")
            if new not in CHOICES or new == row["choice"]:
                continue
            refused_field = f"followup_no_{channel}"
            if partner_sudo[refused_field] != (new == "never"):
                vals[refused_field] = new == "never"
            proof = env._(
                "%(question)s\n%(channel)s: %(choice)s\n"
                "(preference page, from the link in our e-mail)",
                question=question,
                channel=row["label"],
                choice=row["choices"][new],
            )
            if new == "yes" and (row["state"], row["legal_basis"]) != ("granted", "consent"):
                consent_calls.append((channel, "granted", "consent", proof))
            elif new != "yes" and row["state"] != "withdrawn":
                consent_calls.append((channel, "withdrawn", False, proof))
            saved.append(
                env._("%(channel)s: %(choice)s.", channel=row["label"], choice=row["choices"][new])
            )
        return vals, saved, consent_calls

    def _followup_preference_changes(self, partner_sudo, post):
        """What the person changed in their preferred channel and frequency: (partner
        values, sentences)."""
        env = request.env
        vals, saved = {}, []
        for field_name, label in (
            ("followup_preferred_channel", env._("Preferred channel")),
            ("followup_frequency", env._("How often")),
        ):
            if field_name not in post:
                continue
            options = dict(self._followup_selection(partner_sudo, field_name))
            new = post[field_name] or False
            if (new and new not in options) or new == (partner_sudo[field_name] or False):
                continue
            vals[field_name] = new
            saved.append(
                env._(
                    "%(what)s: %(value)s.",
                    what=label,
                    value=options[new] if new else env._("no preference"),
                )
            )
        return vals, saved

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
