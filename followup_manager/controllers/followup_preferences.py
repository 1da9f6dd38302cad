"""The preference page: the person says, channel by channel, whether and how often
they may be contacted (see followup_manager.py for the token and the lock)."""

from odoo import http
from odoo.http import request
from odoo.tools import format_date

from .followup_manager import FollowupManagerController

CHOICES = ("yes", "no", "never")


class FollowupPreferencesController(FollowupManagerController):
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
