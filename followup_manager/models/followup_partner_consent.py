from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..policy import decision as policy_decision
from ..policy import vocabulary
from .followup_facts import FOLLOWUP_FACT_FIELDS
from .tools import FOLLOWUP_READERS, activity_vals


class FollowupPartnerConsent(models.AbstractModel):
    """Consent: the current state, the history, recording a decision, "may we
    contact them?" (followup_check), and the activity asking a salesperson to
    record the decision of a person whose reply may ask to stop. A mixin of
    res.partner (which holds followup_consent_ids)."""

    _name = "followup.partner.consent"
    _description = "Partner: Consent"

    followup_consent_event_count = fields.Integer(
        string="Consent Events",
        compute="_compute_followup_consent_event_count",
        groups=FOLLOWUP_READERS,
    )

    def _followup_count_per_partner(self, model):
        """{partner: number of ``model`` records (with a ``partner_id``) of each
        partner of ``self``}, in one query."""
        return dict(
            self.env[model]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )

    def _compute_followup_consent_event_count(self):
        counts = self._followup_count_per_partner("followup.consent.event")
        for partner in self:
            partner.followup_consent_event_count = counts.get(partner, 0)

    def _followup_partner_action(self, model, action_xmlid):
        """The window action ``action_xmlid`` listing the ``model`` records of
        this partner (read access checked now rather than in the list)."""
        self.ensure_one()
        self.env[model].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_followup_open_consent_events(self):
        return self._followup_partner_action(
            "followup.consent.event", "followup_manager.followup_consent_event_action"
        )

    def action_followup_record_consent(self):
        self.ensure_one()
        self._followup_check_consent_access()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_consent_record_action"
        )
        action["context"] = {"default_partner_ids": self.ids}
        return action

    @api.ondelete(at_uninstall=False)
    def _unlink_except_followup_consent_history(self):
        # The history is proof the company must keep (GDPR art. 7(1)); it names the
        # partner, so the partner stays: archive it instead.
        # sudo: whoever deletes must be stopped by a history they may not read;
        # only the existence of one event is checked.
        if (
            self.env["followup.consent.event"]
            .sudo()
            .search_count([("partner_id", "in", self.ids)], limit=1)
        ):
            raise UserError(
                self.env._(
                    "Contacts with a consent history cannot be deleted, because the "
                    "history is the proof of their decisions. Archive them instead."
                )
            )

    def _followup_reconcile_consents(self):
        """After a merge the histories of several contacts belong to one: each
        current consent must be the latest decision of that history. Odoo's merge
        keeps the destination's own rows, so where a row now says otherwise, a
        ``partner_merge`` event restores the latest decision (a withdrawal made on a
        duplicate is never lost)."""
        # sudo: called by the merge wizard (users allowed to merge); it only
        # repeats decisions already in the history.
        Event = self.env["followup.consent.event"].sudo()
        latest = {}
        for event in Event.search(
            [("partner_id", "in", self.ids)], order="create_date desc, id desc"
        ):
            latest.setdefault((event.partner_id.id, event.channel), event)
        current = {
            (consent.partner_id.id, consent.channel): consent
            for consent in self.env["followup.consent"]
            .sudo()
            .search([("partner_id", "in", self.ids)])
        }
        states = dict(
            self.env["followup.consent"]._fields["state"]._description_selection(self.env)
        )
        vals_list = []
        for (partner_id, channel), event in latest.items():
            consent = current.get((partner_id, channel))
            if consent and (consent.state, consent.legal_basis) == (
                event.state,
                event.legal_basis,
            ):
                continue
            proof = self.env._(
                "Contacts merged. The latest decision on this channel applies: %(state)s, "
                "recorded on %(date)s UTC from %(where)s for %(name)s.",
                state=states.get(event.state),
                date=fields.Datetime.to_string(event.create_date),
                where=event.source,
                name=event.partner_name_snapshot or "",
            )
            vals_list += self.browse(partner_id)._followup_consent_event_vals(
                channel,
                event.state,
                "partner_merge",
                legal_basis=event.legal_basis,
                proof=proof + (f"\n\n{event.proof}" if event.proof else ""),
            )
        return Event._record(vals_list)

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
        self._followup_check_consent_caller(source, ip_address, user_agent)
        if origin:
            self._followup_check_consent_origin(origin)
        # One event per partner, however often an id is repeated in the call
        # (union() drops repeated ids and keeps the order).
        vals_list = self.union()._followup_consent_event_vals(
            channel,
            state,
            source,
            legal_basis=legal_basis,
            proof=proof,
            origin=origin,
            ip_address=ip_address,
            user_agent=user_agent,
        )
        # The caller may read these partners and consents (checked above); the
        # event model checks the values and records who made the call.
        self.env["followup.consent.event"]._record(vals_list)
        return True

    @api.model
    def _followup_check_consent_caller(self, source, ip_address, user_agent):
        """Raise unless the caller may claim this source: users and RPC clients
        record their own act (what the person told them, an import...), under a
        source of their own, and the event names them. A source saying the person
        acted online themselves (``ONLINE_CONSENT_SOURCES``), with their address
        and browser, is recorded only by the public pages, after checking the
        person's signed link; the add-on's own sources (``SYSTEM_CONSENT_SOURCES``)
        only by the add-on. Neither runs as a user: RPC never runs as superuser."""
        if self.env.su:
            return
        if isinstance(source, str) and source in vocabulary.ONLINE_CONSENT_SOURCES:
            raise UserError(
                self.env._(
                    "The source %(key)s says that the person acted themselves, online, "
                    "with the link we sent them; only the add-on's public pages record it. "
                    "Record what the person told you with a source of your own, such as "
                    "manual_phone, manual_meeting, manual_writing or manual_email: the "
                    "history shows you recorded it.",
                    key=source,
                )
            )
        if isinstance(source, str) and source in vocabulary.SYSTEM_CONSENT_SOURCES:
            raise UserError(
                self.env._(
                    "The source %(key)s is recorded by the add-on itself when it "
                    "happens (an order confirmed, a request mailed, a merge, a blacklist "
                    "entry). Record what the person told you with a source of your own, "
                    "such as manual_phone, manual_meeting, manual_writing or manual_email.",
                    key=source,
                )
            )
        if ip_address or user_agent:
            raise UserError(
                self.env._(
                    "The IP address and browser (ip_address, user_agent) are those of a "
                    "person acting on our public pages, and only those pages record them. "
                    "A decision you record is yours: the history shows who recorded it."
                )
            )

    @api.model
    def _followup_check_consent_origin(self, origin):
        """Raise unless the caller may read the document given as the origin of a
        decision: the event is created as superuser and shows its origin with the
        proof, so a public caller must not attach a document they cannot see (or a
        model that does not exist)."""
        model, res_id = self.env["followup.consent.event"]._record_origin(origin)
        self.env[model].browse(res_id).check_access("read")

    def _followup_consent_event_vals(self, channel, state, source, **details):
        """Values of the followup.consent.event of each partner, for
        ``followup.consent.event._record`` (which checks them).

        :param details: ``legal_basis``, ``proof``, ``origin``, ``ip_address``,
            ``user_agent`` (see followup_set_consent)
        """
        return [
            dict(details, partner_id=partner.id, channel=channel, state=state, source=source)
            for partner in self
        ]

    def _followup_on_consent_changed(self, events):
        """Called with the new followup.consent.event records once the current
        state follows them: a withdrawal is immediate everywhere, so active
        enrollments that only have withdrawn channels left stop now (one call per
        withdrawn channel, whatever the number of partners). Override to react
        further."""
        withdrawn = defaultdict(lambda: self.browse())
        for event in events:
            if event.state == "withdrawn":
                withdrawn[event.channel] |= event.partner_id
        for channel, partners in withdrawn.items():
            self.env["followup.enrollment"]._followup_stop_for_withdrawn(partners, [channel])

    def _followup_soft_opt_in_candidates(self):
        """The partners a confirmed order may give an e-mail soft opt-in: a usable
        address, no objection (withdrawn consent, refused channel, blacklisted) and
        no stronger e-mail consent already (granted, or a soft opt-in on record)."""
        # sudo: a confirmed order gives the soft opt-in whoever confirms it; only
        # addresses and refusals are read.
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
        # sudo: only system administrators read the blacklist; only the
        # membership of these addresses is read.
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

    # Partner fields the facts read (the dispatcher prefetches them with its own).
    _FOLLOWUP_FACT_FIELDS = FOLLOWUP_FACT_FIELDS

    def _followup_settings(self, company=None):
        """{partner id: policy.decision.Settings} (see followup.facts._settings)."""
        return self.env["followup.facts"]._settings(self, company)

    def _followup_facts(self, now=None):
        """{partner id: policy.decision.PartnerFacts} (see followup.facts._gather)."""
        return self.env["followup.facts"]._gather(self, now)

    def followup_check(self, channel):
        """May each partner be contacted on ``channel`` now (for marketing, the
        strictest purpose)? One dict per partner, in the order of ``self``:
        ``{"partner_id", "allowed", "reason", "next_allowed"}`` with
        ``next_allowed`` a UTC ``"YYYY-MM-DD HH:MM:SS"`` string or False.

        With a ``lang`` in the context, each dict also has ``sentence``: the answer
        in words, in that language (the why-log's sentences, see
        followup_dispatch_sentence.py); the codes stay the answer to rely on."""
        self._followup_check_consent_access()
        if not isinstance(channel, str) or (
            channel not in vocabulary.CHANNELS and channel != vocabulary.INTERNAL
        ):
            raise UserError(self.env._("Unknown channel: %(channel)s", channel=repr(channel)[:80]))
        now = fields.Datetime.now()
        facts = self._followup_facts(now)
        # sudo: the company's settings are read for the answer; callers checked
        # consent access above.
        settings = self.sudo()._followup_settings()
        results = []
        for partner in self:
            decision = policy_decision.check(channel, facts[partner.id], settings[partner.id], now)
            result = decision.to_check_result(partner.id)
            if self.env.context.get("lang"):
                result["sentence"] = self._followup_check_sentence(partner, channel, decision)
            results.append(result)
        return results

    @api.model
    def _followup_check_sentence(self, partner, channel, decision):
        """The sentence of a followup_check answer, in the context's language."""
        Dispatch = self.env["followup.dispatch"]
        return Dispatch._followup_note(
            *Dispatch._followup_describe_decision(partner, channel, decision)
        )

    # ------------------------------------------------------------------ stop request

    def _followup_stop_request_activity(self, enrollments, document, message):
        """One activity for the salesperson: the person may have asked not to be
        contacted, record their decision (Record a Decision on the contact)."""
        self.ensure_one()
        activity_type = self.env.ref(
            "followup_manager.mail_activity_type_followup_stop_request", raise_if_not_found=False
        )
        user = self.user_id or enrollments.user_id[:1]
        if not activity_type or not user:
            return self.env["mail.activity"]
        # sudo: a customer's e-mail, handled by the gateway, asks a salesperson to
        # act; the activity only points at the contact and quotes the reply.
        activities = self.env["mail.activity"].sudo()
        if activities.search_count(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.id),
                ("activity_type_id", "=", activity_type.id),
            ],
            limit=1,
        ):
            return activities
        env = self.with_context(lang=user.partner_id.lang or self.env.lang).env
        link = Markup('<a href="/odoo/res.partner/%s">%s</a>') % (
            self.id,
            env._("Record a Decision"),
        )
        note = Markup("<p>%s</p><blockquote>%s</blockquote>") % (
            env._(
                "%(partner)s replied on %(document)s on %(date)s with words that may ask "
                "not to be contacted again. Read the reply and record their decision "
                "(%(link)s, Consent tab of the contact).",
                partner=self.display_name,
                document=document.display_name,
                date=fields.Datetime.to_string(message.date)[:16],
                link=link,
            ),
            document._followup_reply_text(message.body)[:500],
        )
        return activities.create(
            activity_vals(
                self,
                user,
                activity_type,
                env._("The customer may have asked not to be contacted: record their decision"),
                note,
            )
        )
