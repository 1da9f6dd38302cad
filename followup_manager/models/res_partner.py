import calendar
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import consteq

from ..policy import decision as policy_decision
from .followup_consent import CONSENT_CHANNELS, CONSENT_STATES, LEGAL_BASES
from .followup_consent_event import CONTEXT_FROM_BLACKLIST


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Sections, in this order (each owned by one area of the add-on):
    # 1. Lifecycle stage
    # 2. Channel preferences, time zone and contact data
    # 3. Consent (followup_set_consent, followup_check)
    # 4. Enrollments

    # --- 3. Consent: the current state, the history, and "may we contact them?"
    # Consent belongs to the person, not to a company: followup.consent has no
    # company, and a withdrawal recorded anywhere binds every company.
    followup_consent_ids = fields.One2many(
        "followup.consent",
        "partner_id",
        string="Consents",
        groups="followup_manager.followup_manager_group_user",
    )
    followup_consent_event_count = fields.Integer(
        string="Consent Events",
        compute="_compute_followup_consent_event_count",
        groups="followup_manager.followup_manager_group_user",
    )

    # The person's own frequency (followup_frequency) as a cap window in days.
    _FOLLOWUP_FREQUENCY_DAYS = {"weekly": 7, "monthly": 30, "quarterly": 91}

    def _compute_followup_consent_event_count(self):
        counts = dict(
            self.env["followup.consent.event"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.followup_consent_event_count = counts.get(partner, 0)

    def action_followup_open_consent_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_consent_event_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"create": False, "search_default_group_by_channel": 1}
        return action

    def unlink(self):
        # The history is proof the company must keep (GDPR art. 7(1)); it names the
        # partner, so the partner stays: archive it instead.
        if self and self.env["followup.consent.event"].sudo().search_count(
            [("partner_id", "in", self.ids)], limit=1
        ):
            raise UserError(
                self.env._(
                    "Contacts with a consent history cannot be deleted, because the "
                    "history is the proof of their decisions. Archive them instead."
                )
            )
        return super().unlink()

    def _followup_check_consent_access(self):
        """Raise unless the user may read consents and these partners (public
        methods: anyone logged in can call them over RPC)."""
        self.env["followup.consent"].check_access("read")
        self.check_access("read")

    def followup_set_consent(
        self,
        channel,
        state,
        source,
        legal_basis=False,
        proof=False,
        origin=False,
        ip_address=False,
        user_agent=False,
    ):
        """Record a consent decision for every partner in ``self``: one
        followup.consent.event each (who, when, the wording), and the current
        state (followup.consent) follows. Also puts withdrawn addresses on Odoo's
        blacklists and takes granted ones off.

        :param str channel: email, sms, phone, whatsapp or post;
        :param str state: pending, granted or withdrawn;
        :param str source: where it was decided (manual, sale_order,
            preference_page, one_click_unsubscribe, double_opt_in, import...);
        :param str legal_basis: consent, soft_opt_in, contract or
            legitimate_interest; defaults to ``consent`` for a grant or a
            pending request, nothing for a withdrawal;
        :param str proof: the wording the person saw, or what happened;
        :param origin: the document it came from (a record or ``"model,id"``);
        :param str ip_address: the person's address, for a decision made online;
        :param str user_agent: the person's browser, for a decision made online.
        :return: True
        """
        self._followup_check_consent_access()
        vals_list = []
        for partner in self:
            vals_list += partner._followup_consent_event_vals(
                channel,
                state,
                source,
                legal_basis=legal_basis,
                proof=proof,
                origin=origin,
                ip_address=ip_address,
                user_agent=user_agent,
            )
        # sudo: nobody has create rights on the append-only history; the caller
        # may read these partners and consents (checked above), the values were
        # validated, and user_id records who made the call.
        self.env["followup.consent.event"].sudo().create(vals_list)
        return True

    def _followup_consent_event_vals(
        self,
        channel,
        state,
        source,
        legal_basis=False,
        proof=False,
        origin=False,
        ip_address=False,
        user_agent=False,
    ):
        """Checked values of the followup.consent.event of each partner."""
        if channel not in dict(CONSENT_CHANNELS):
            raise UserError(self.env._("Unknown consent channel: %(channel)s", channel=channel))
        if state not in dict(CONSENT_STATES):
            raise UserError(self.env._("Unknown consent state: %(state)s", state=state))
        if legal_basis and legal_basis not in dict(LEGAL_BASES):
            raise UserError(self.env._("Unknown legal basis: %(basis)s", basis=legal_basis))
        if not source or not isinstance(source, str):
            raise UserError(self.env._("Say where the consent decision comes from (source)."))
        if not legal_basis and state in ("granted", "pending"):
            legal_basis = "consent"
        if isinstance(origin, models.BaseModel):
            origin = origin and f"{origin._name},{origin.id}"
        return [
            {
                "partner_id": partner.id,
                "channel": channel,
                "state": state,
                "legal_basis": legal_basis or False,
                "source": source,
                "proof": proof or False,
                "origin": origin or False,
                "user_id": self.env.uid,
                "ip_address": ip_address or False,
                "user_agent": (user_agent or "")[:512] or False,
            }
            for partner in self
        ]

    def _followup_on_consent_changed(self, events):
        """Called with the new followup.consent.event records once the current
        state follows them. Override to react (e.g. stop using a channel)."""

    def _followup_withdraw_from_blacklist(self, channels, source, proof, origins):
        """Mirror a blacklist entry made elsewhere in Odoo: withdraw ``channels``
        for these partners, except where already withdrawn.

        :param proof: callable(partner) -> the text kept as proof;
        :param dict origins: {partner id: the blacklist record}.
        """
        partners = self.sudo().with_context(active_test=False)
        withdrawn = {
            (consent.partner_id.id, consent.channel)
            for consent in self.env["followup.consent"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("channel", "in", list(channels)),
                    ("state", "=", "withdrawn"),
                ],
                ["partner_id", "channel"],
            )
        }
        vals_list = []
        for partner in partners:
            text = proof(partner)
            for channel in channels:
                if (partner.id, channel) not in withdrawn:
                    vals_list += partner._followup_consent_event_vals(
                        channel, "withdrawn", source, proof=text, origin=origins.get(partner.id)
                    )
        # sudo: the blacklist entry is the person's objection as Odoo recorded it
        # (an unsubscribe link, an admin); mirroring it only restricts contact.
        return (
            self.env["followup.consent.event"]
            .sudo()
            .with_context(**{CONTEXT_FROM_BLACKLIST: True})
            .create(vals_list)
        )

    def _followup_phone_numbers(self):
        """{partner id: set of E.164 numbers} that reach each partner."""
        fnames = ("phone_sanitized", "followup_phone_e164", "followup_mobile_e164")
        return {
            partner.id: {partner[fname] for fname in fnames if partner[fname]} for partner in self
        }

    def _followup_phone_domain(self, numbers):
        """Domain of the partners reached by one of ``numbers`` (E.164)."""
        numbers = list(numbers)
        return expression.OR(
            [
                [(fname, "in", numbers)]
                for fname in ("phone_sanitized", "followup_phone_e164", "followup_mobile_e164")
            ]
        )

    @api.model
    def _followup_partners_by_email(self, emails):
        emails = [email for email in emails if email]
        if not emails:
            return self.browse()
        # sudo: the consent of every partner using the address follows the
        # blacklist, whoever added it, including archived partners.
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("email_normalized", "in", emails)])
        )

    @api.model
    def _followup_partners_by_number(self, numbers):
        numbers = [number for number in numbers if number]
        if not numbers:
            return self.browse()
        # sudo: as in _followup_partners_by_email
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(self._followup_phone_domain(numbers))
        )

    def _followup_soft_opt_in_candidates(self):
        """The partners a confirmed order may give an e-mail soft opt-in: a usable
        address, no objection (withdrawn consent, refused channel, blacklisted) and
        no stronger e-mail consent already (granted, or a soft opt-in on record)."""
        partners = (
            self.sudo()
            .with_context(active_test=False)
            .filtered(lambda partner: partner.email_normalized and not partner.followup_no_email)
        )
        if not partners:
            return partners
        settled = {
            consent.partner_id.id
            for consent in self.env["followup.consent"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("channel", "=", "email"),
                    ("state", "in", ("granted", "withdrawn")),
                ],
                ["partner_id"],
            )
        }
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search_fetch(
                [("email", "in", list(set(partners.mapped("email_normalized"))))], ["email"]
            )
            .mapped("email")
        )
        return partners.filtered(
            lambda partner: (
                partner.id not in settled and partner.email_normalized not in blacklisted
            )
        )

    # Partner fields _followup_facts reads in one query.
    _FOLLOWUP_FACT_FIELDS = (
        "active",
        "tz",
        "country_id",
        "state_id",
        "email_normalized",
        "phone_sanitized",
        "followup_tz",
        "followup_email_valid",
        "followup_phone_e164",
        "followup_mobile_e164",
        "followup_sms_number",
        "followup_call_number",
        "followup_hours_start",
        "followup_hours_end",
        "followup_frequency",
        "followup_no_email",
        "followup_no_sms",
        "followup_no_phone",
        "followup_no_whatsapp",
        "followup_no_post",
    )

    def _followup_settings(self, company=None):
        """{partner id: policy.decision.Settings}: the company's contact policy,
        narrowed by each person's own frequency (weekly, monthly, quarterly: at
        most one contact in that many days, or the company's longer window)."""
        company = company or self.env.company
        base = policy_decision.Settings(
            cap_count=company.followup_cap_count,
            cap_days=company.followup_cap_days,
            window_start=company.followup_window_start,
            window_end=company.followup_window_end,
            business_days=company.followup_business_days,
        )
        result = {}
        for partner in self:
            days = self._FOLLOWUP_FREQUENCY_DAYS.get(partner.followup_frequency)
            if days:
                result[partner.id] = replace(
                    base,
                    cap_count=min(base.cap_count, 1) if base.capped else 1,
                    cap_days=max(days, base.cap_days if base.capped else 0),
                )
            else:
                result[partner.id] = base
        return result

    def _followup_facts(self, now=None):
        """{partner id: policy.decision.PartnerFacts} for the whole recordset, in
        a fixed number of queries: partner fields, consents, both blacklists,
        recent contacts (done dispatch rows inside the largest cap window) and the
        last confirmed order of soft opt-in partners.

        Read as superuser: facts only feed decisions and never leave the server
        as records. Public callers check access first (see followup_check).

        :param datetime now: naive UTC (default: now).
        """
        now = now or fields.Datetime.now()
        partners = self.sudo().with_context(active_test=False)
        if not partners:
            return {}
        company = self.env.company
        partners.fetch(self._FOLLOWUP_FACT_FIELDS)
        settings = partners._followup_settings(company)

        consents = defaultdict(dict)
        for consent in (
            self.env["followup.consent"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", partners.ids)],
                ["partner_id", "channel", "state", "legal_basis"],
            )
        ):
            consents[consent.partner_id.id][consent.channel] = consent

        emails = list({email for email in partners.mapped("email_normalized") if email})
        email_blacklist = set()
        if emails:
            email_blacklist = set(
                self.env["mail.blacklist"]
                .sudo()
                .search_fetch([("email", "in", emails)], ["email"])
                .mapped("email")
            )
        numbers = partners._followup_phone_numbers()
        all_numbers = sorted(set().union(*numbers.values()))
        phone_blacklist = set()
        if all_numbers:
            phone_blacklist = set(
                self.env["phone.blacklist"]
                .sudo()
                .search_fetch([("number", "in", all_numbers)], ["number"])
                .mapped("number")
            )

        recent = defaultdict(list)
        window = max((s.cap_days for s in settings.values() if s.capped), default=0)
        if window:
            for dispatch in (
                self.env["followup.dispatch"]
                .sudo()
                .search_fetch(
                    [
                        ("partner_id", "in", partners.ids),
                        ("state", "=", "done"),
                        ("channel", "!=", "none"),
                        ("create_date", ">", now - timedelta(days=window)),
                    ],
                    ["partner_id", "create_date"],
                )
            ):
                recent[dispatch.partner_id.id].append(dispatch.create_date)

        soft_ids = [
            partner_id
            for partner_id, by_channel in consents.items()
            if any(consent.legal_basis == "soft_opt_in" for consent in by_channel.values())
        ]
        last_order = {}
        if soft_ids:
            last_order = {
                partner.id: last
                for partner, last in self.env["sale.order"]
                .sudo()
                ._read_group(
                    [("partner_id", "in", soft_ids), ("state", "=", "sale")],
                    ["partner_id"],
                    ["date_order:max"],
                )
            }
        active_since = now - timedelta(days=company.followup_inactive_days)

        facts = {}
        for partner in partners:
            soft_valid = (last_order.get(partner.id) or datetime.min) >= active_since
            start, end = partner.followup_hours_start, partner.followup_hours_end
            facts[partner.id] = policy_decision.PartnerFacts(
                partner_id=partner.id,
                tz=partner.followup_tz or "UTC",
                country_code=partner.country_id.code or None,
                active=partner.active,
                email_valid=bool(partner.followup_email_valid),
                email_blacklisted=partner.email_normalized in email_blacklist,
                phone_valid=bool(partner.followup_call_number),
                phone_blacklisted=bool(numbers[partner.id] & phone_blacklist),
                sms_valid=bool(partner.followup_sms_number),
                refused_channels={
                    channel
                    for channel, _label in CONSENT_CHANNELS
                    if partner[f"followup_no_{channel}"]
                },
                preferred_hours=(start, end) if start != end else None,
                consents={
                    channel: policy_decision.ConsentFacts(
                        state=consent.state,
                        legal_basis=consent.legal_basis or None,
                        soft_opt_in_valid=soft_valid,
                    )
                    for channel, consent in consents[partner.id].items()
                },
                recent_contacts=recent[partner.id],
            )
        return facts

    def followup_check(self, channel):
        """May each partner be contacted on ``channel`` now (for marketing, the
        strictest purpose)? One dict per partner, in the order of ``self``:
        ``{"partner_id", "allowed", "reason", "next_allowed"}`` with
        ``next_allowed`` a UTC ``"YYYY-MM-DD HH:MM:SS"`` string or False."""
        self._followup_check_consent_access()
        if channel not in policy_decision.CHANNELS and channel != policy_decision.INTERNAL:
            raise UserError(self.env._("Unknown channel: %(channel)s", channel=channel))
        now = fields.Datetime.now()
        facts = self._followup_facts(now)
        settings = self.sudo()._followup_settings()
        return [
            policy_decision.check(
                channel, facts[partner.id], settings[partner.id], now
            ).to_check_result(partner.id)
            for partner in self
        ]

    # --- 3b. Consent, the person's side: signed links, mail headers, double opt-in
    # Links in our e-mails open pages without a login. Each carries an HMAC of
    # (partner id, scope, normalized e-mail[, expiry]) keyed on database.secret:
    # a link works for one partner and one purpose, and stops working when the
    # address it was sent to is no longer the partner's address.
    _FOLLOWUP_TOKEN_SCOPES = ("preferences", "unsubscribe", "confirm")
    # Days a double opt-in confirmation link stays valid.
    _FOLLOWUP_CONFIRM_DAYS = 30

    def _followup_token(self, scope, expiry=0):
        """Signed token for a public link of this partner.

        :param str scope: ``preferences``, ``unsubscribe`` or ``confirm``;
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
        ``"invalid"``. The comparison takes constant time (``consteq``); the
        expiry is only looked at once the signature matched."""
        self.ensure_one()
        if not token or not isinstance(token, str) or len(token) > 200:
            return "invalid"
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

    def _followup_public_url(self, route, token):
        self.ensure_one()
        return f"{self.get_base_url()}/followup/{route}/{self.id}/{token}"

    def _followup_preferences_url(self):
        """Absolute URL of the partner's preference page (no login)."""
        return self._followup_public_url("preferences", self._followup_token("preferences"))

    def _followup_unsubscribe_url(self):
        """Absolute URL of the RFC 8058 one-click unsubscribe endpoint: a POST
        withdraws e-mail consent, a GET only asks for confirmation."""
        return self._followup_public_url("unsubscribe", self._followup_token("unsubscribe"))

    def _followup_confirm_url(self, days=None):
        """Absolute URL confirming a double opt-in request; valid ``days``
        days (default ``_FOLLOWUP_CONFIRM_DAYS``)."""
        days = self._FOLLOWUP_CONFIRM_DAYS if days is None else days
        expiry = self._followup_now_timestamp() + int(days * 86400)
        return self._followup_public_url("confirm", self._followup_token("confirm", expiry))

    def _followup_mail_headers(self):
        """Headers every follow-up e-mail to this partner carries (RFC 2369
        and RFC 8058 one-click unsubscribe). Pass them as ``mail.mail``
        ``headers`` (``repr`` of this dict) or in ``_prepare_outgoing_list``."""
        return {
            "List-Unsubscribe": f"<{self._followup_unsubscribe_url()}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    def _followup_mail_footer(self):
        """Visible footer of a follow-up e-mail, in the partner's language:
        why they get it and a link to their preference page (html)."""
        self.ensure_one()
        partner = self.with_context(lang=self.lang) if self.lang else self
        link = Markup('<a href="%s" style="color: inherit;">%s</a>') % (
            self._followup_preferences_url(),
            partner.env._("Manage your contact preferences or unsubscribe"),
        )
        sentence = partner.env._(
            "You receive this e-mail from %(company)s. %(link)s",
            company=(self.company_id or self.env.company).name,
            link=link,
        )
        return Markup('<p style="font-size: 12px; color: #888888;">%s</p>') % sentence

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
        consents = (
            self.env["followup.consent"]
            .sudo()
            .search_read(
                [("partner_id", "in", self.ids), ("channel", "=", "email")],
                ["partner_id", "state", "legal_basis"],
            )
        )
        result = dict.fromkeys(self.ids, (False, False))
        result.update(
            {row["partner_id"][0]: (row["state"], row["legal_basis"]) for row in consents}
        )
        return result

    def followup_request_email_confirmation(self):
        """Send a double opt-in request mail to each partner that has a usable
        address and no e-mail consent yet, and record their e-mail consent as
        ``pending`` (legal basis ``consent``) with the wording of the request
        as proof. Partners who withdrew, are blacklisted or have already
        confirmed are skipped. Returns True."""
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
        template = self.env.ref("followup_manager.mail_template_followup_email_confirmation")
        mails = template.send_mail_batch(eligible.ids)
        subject_by_partner = {mail.res_id: mail.subject for mail in mails}
        # One consent call per distinct wording (a language and company), not
        # one per partner.
        partner_ids_by_proof = defaultdict(list)
        for partner in eligible:
            proof = "\n\n".join(
                (
                    subject_by_partner.get(partner.id) or "",
                    partner._followup_email_confirmation_wording(),
                    f"[{partner._followup_email_confirmation_button()}]",
                )
            )
            partner_ids_by_proof[proof].append(partner.id)
        for proof, partner_ids in partner_ids_by_proof.items():
            self.browse(partner_ids).followup_set_consent(
                "email", "pending", "double_opt_in_request", legal_basis="consent", proof=proof
            )
        return True

    # --- 4. Enrollments
    followup_enrollment_ids = fields.One2many(
        "followup.enrollment",
        "partner_id",
        string="Follow-up Enrollments",
        groups="followup_manager.followup_manager_group_user",
    )
    followup_enrollment_count = fields.Integer(
        string="Follow-ups",
        compute="_compute_followup_enrollment_count",
        groups="followup_manager.followup_manager_group_user",
    )

    def _compute_followup_enrollment_count(self):
        counts = dict(
            self.env["followup.enrollment"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.followup_enrollment_count = counts.get(partner, 0)

    def action_view_followup_enrollments(self):
        self.ensure_one()
        return self.env["followup.enrollment"]._followup_action_for_origins(self)

    def _followup_enroll_inactive(self):
        """Start the partner_inactive sequences for these partners (followed up on
        their own thread). Partners without a company enter every company's
        sequences."""
        targets = defaultdict(list)
        for partner in self:
            targets[partner.company_id.id].append((partner.id, self._name, partner.id))
        # sudo: the lifecycle cron (or whoever made the partners inactive) triggers
        # this system reaction; it must not depend on their follow-up rights.
        return self.env["followup.sequence"].sudo()._followup_fire("partner_inactive", targets)

    def write(self, vals):
        # The only write() override of res.partner in this add-on: extend this one
        # rather than defining another in this class (it would replace it).
        if "lifecycle_stage" in vals:
            # 1. Any write of the stage dates it; one that does not come from the
            # facts (the change wizard, an import, an RPC client) is a manual stage.
            vals = dict(vals)
            vals.setdefault("lifecycle_stage_date", fields.Datetime.now())
            vals.setdefault("lifecycle_stage_manual", True)
        archived = self.browse()
        if "active" in vals and not vals["active"]:
            archived = self.filtered("active")
        res = super().write(vals)
        if archived:
            self.env["followup.enrollment"]._followup_stop_for_partners(
                archived, "partner_archived"
            )
        return res

    # --- 5. Insight: "why was this person not contacted?" -----------------------
    # The last decisions of the dispatch about the person (followup.dispatch rows:
    # done, or why it waited or was skipped, and until when), for a tab of the form.
    _FOLLOWUP_LAST_DECISIONS = 20

    followup_last_dispatch_ids = fields.Many2many(
        "followup.dispatch",
        string="Last Follow-up Decisions",
        compute="_compute_followup_last_dispatch_ids",
        groups="followup_manager.followup_manager_group_user",
        help="The most recent decisions taken on this person's follow-up steps, with "
        "the reason in words and the next try.",
    )

    def _compute_followup_last_dispatch_ids(self):
        """The last decisions of each partner, in one query for the whole recordset:
        a window function keeps the most recent ones per partner. The rows come from
        _search, so the user's record rules (companies) apply."""
        Dispatch = self.env["followup.dispatch"]
        by_partner = defaultdict(list)
        partner_ids = [pid for pid in self.ids if pid]
        if partner_ids:
            query = Dispatch._search([("partner_id", "in", partner_ids)])
            table = query.table
            ranked = query.select(
                tools.SQL.identifier(table, "id"),
                tools.SQL.identifier(table, "partner_id"),
                tools.SQL(
                    "row_number() OVER (PARTITION BY %s ORDER BY %s DESC, %s DESC) AS rank",
                    tools.SQL.identifier(table, "partner_id"),
                    tools.SQL.identifier(table, "create_date"),
                    tools.SQL.identifier(table, "id"),
                ),
            )
            self.env.cr.execute(
                tools.SQL(
                    "SELECT id, partner_id FROM (%s) AS ranked WHERE rank <= %s ORDER BY rank",
                    ranked,
                    self._FOLLOWUP_LAST_DECISIONS,
                )
            )
            for dispatch_id, partner_id in self.env.cr.fetchall():
                by_partner[partner_id].append(dispatch_id)
        for partner in self:
            partner.followup_last_dispatch_ids = Dispatch.browse(by_partner[partner.id])

    def action_followup_view_decisions(self):
        """Every follow-up decision about this person (the dispatch log)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_dispatch_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"create": False}
        action["display_name"] = self.env._(
            "Follow-up decisions: %(partner)s", partner=self.display_name
        )
        return action
