import calendar
import logging
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import consteq, email_normalize, split_every

from ..policy import decision as policy_decision
from ..policy import normalize_email, normalize_phone, resolve_tz
from ..policy.contact import MISSING
from .followup_consent import CONSENT_CHANNELS, CONSENT_STATES, LEGAL_BASES
from .followup_consent_event import CONTEXT_FROM_BLACKLIST

_logger = logging.getLogger(__name__)

# Section 1 (lifecycle) and 2 (preferences, contact data) constants.
FOLLOWUP_LIFECYCLE_STAGES = [
    ("visitor", "Visitor"),
    ("prospect", "Prospect"),
    ("customer", "Customer"),
    ("loyal", "Loyal"),
    ("inactive", "Inactive"),
]
# Lifecycle fields kept on the commercial partner and synced to its contacts.
FOLLOWUP_LIFECYCLE_FIELDS = ("lifecycle_stage", "lifecycle_stage_date", "lifecycle_stage_manual")
# policy.contact error codes worth showing ("missing" is stored as no error).
FOLLOWUP_PHONE_ERRORS = [
    ("unparsable", "Not a phone number"),
    ("invalid", "Invalid number"),
    ("no_region", "National number without a country"),
]


class FollowupLifecycleFacts(NamedTuple):
    """What the database says about one commercial partner's relationship."""

    orders: int  # confirmed sale orders, ever
    last_order: datetime | None  # date of the latest one
    order_dates: tuple  # dates of the confirmed orders since the earliest cutoff
    interest: str | None  # "opportunity" or "subscription": the latest prospect fact
    interest_date: datetime | None


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Sections, in this order (each owned by one area of the add-on):
    # 1. Lifecycle stage
    # 2. Channel preferences, time zone and contact data
    # 3. Consent (followup_set_consent, followup_check)
    # 4. Enrollments

    # --- 1. Lifecycle stage ------------------------------------------------------
    # Where the stage lives: on the commercial partner (the company, or a person
    # without a company). Orders, opportunities and subscriptions of any of its
    # contacts are facts about that one relationship, so the stage is computed for
    # the commercial partner and copied to its contacts through Odoo's
    # _commercial_fields() mechanism, like the VAT number: a new contact of a
    # customer company is a customer at once, and every contact shows the stage
    # that the sequences and reports use.
    #
    # How it moves (_followup_lifecycle_target() is the whole rule):
    # - an open opportunity, or a mailing-list subscription when mass_mailing is
    #   installed, makes a visitor a prospect;
    # - a confirmed sale order makes a customer; the company's
    #   followup_loyal_orders confirmed orders within followup_inactive_days make
    #   a loyal customer, who stays loyal while still buying;
    # - no confirmed order within followup_inactive_days makes a customer or a
    #   loyal customer inactive (daily cron); a new order brings them back.
    # The stage never moves back by itself (a lost opportunity does not make a
    # prospect a visitor again): only inactivity and a new order go "backwards".
    #
    # Manual stage (a salesperson's decision, with a reason logged in the chatter):
    # the stage is kept, and lifecycle_stage_manual set, until a new fact dated
    # after lifecycle_stage_date arrives (a confirmed order, an opportunity or a
    # subscription created after it); then the facts rule again. Time still
    # counts: a manual customer or loyal customer without any confirmed order
    # for followup_inactive_days since the later of their last order and the
    # manual change becomes inactive.
    lifecycle_stage = fields.Selection(
        selection=FOLLOWUP_LIFECYCLE_STAGES,
        default="visitor",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="Where the relationship stands: visitor (known, no relationship yet), "
        "prospect (an opportunity or a subscription), customer (a confirmed sale), "
        "loyal (repeat purchases) or inactive (no purchase for a long time). "
        "It moves with the facts; a salesperson can set it by hand with a reason.",
    )
    lifecycle_stage_date = fields.Datetime(
        string="Stage Since",
        default=fields.Datetime.now,
        readonly=True,
        copy=False,
        help="When the stage was last set, by the facts or by hand.",
    )
    lifecycle_stage_manual = fields.Boolean(
        string="Stage Set by Hand",
        readonly=True,
        copy=False,
        help="A salesperson set this stage. It is kept until a new confirmed order, "
        "opportunity or subscription arrives, or the customer stays without orders "
        "for the inactivity period.",
    )

    @api.model
    def _commercial_fields(self):
        # The stage is the relationship's, shared by the company and its contacts.
        return super()._commercial_fields() + list(FOLLOWUP_LIFECYCLE_FIELDS)

    def _fields_sync(self, values):
        # _followup_apply_lifecycle() writes the stage on whole families at once;
        # the per-partner sync to children would only repeat it, one query each.
        if self.env.context.get("followup_lifecycle_family_written") and set(values) <= set(
            FOLLOWUP_LIFECYCLE_FIELDS
        ):
            return
        return super()._fields_sync(values)

    @api.model
    def _followup_commercial_domain(self):
        """Partners that are their own commercial partner (companies, and people
        without a company); override to narrow what the lifecycle cron scans."""
        return ["|", ("is_company", "=", True), ("parent_id", "=", False)]

    @api.model
    def _followup_lifecycle_cron_domain(self):
        """Commercial partners the daily cron re-examines: those time alone can
        move (customers and loyal customers may become inactive)."""
        return [("lifecycle_stage", "in", ("customer", "loyal"))] + (
            self._followup_commercial_domain()
        )

    @api.model
    def _cron_followup_lifecycle(self, batch_size=2000):
        """Daily: move customers without a recent confirmed order to inactive
        (and loyal customers who stopped buying), then hand the partners that
        just became inactive to the sequences."""
        partners = self.search(self._followup_lifecycle_cron_domain(), order="id")
        for batch in split_every(batch_size, partners.ids, self.browse):
            changed = batch._followup_recompute_lifecycle()
            inactive = changed.filtered(lambda p: p.lifecycle_stage == "inactive")
            if inactive:
                inactive._followup_on_became_inactive()
        # One call does the whole scan in bounded batches: nothing records what
        # was already checked today, so a second call would start over.
        self.env["ir.cron"]._notify_progress(done=len(partners), remaining=0)

    def _followup_on_became_inactive(self):
        """Hook: sequences with trigger partner_inactive enroll these partners"""
        _logger.debug("Partners that just became inactive: %s", self.ids)
        self._followup_enroll_inactive()

    @api.model
    def _followup_init_lifecycle(self, batch_size=5000):
        """At installation: set the stage of every existing partner from the
        facts already in the database (no chatter note for this first pass)."""
        partners = self.with_context(active_test=False).search(
            self._followup_commercial_domain(), order="id"
        )
        for batch in split_every(batch_size, partners.ids, self.browse):
            batch._followup_recompute_lifecycle(log=False)

    def _followup_recompute_lifecycle(self, log=True):
        """Recompute the stage of the commercial partners of ``self`` from the
        facts, and apply the changes (their contacts follow).

        Works on the whole recordset with a fixed number of queries: one per
        kind of fact (orders, recent orders, opportunities, subscriptions), one
        for the families, and the writes grouped by stage (Odoo flushes them in
        statements of 100 rows). Used by the sale-confirm hook, the lead hook
        and the daily cron.

        :param bool log: post a chatter note, with the tracked change and its
            reason, on each commercial partner whose stage changes
        :return: the commercial partners whose stage changed
        """
        self.fetch(["commercial_partner_id"])
        # sudo: the stage is bookkeeping of facts the user cannot always see (a
        # salesperson confirming an order does not read every order of the
        # customer); only counts and dates are read, and only the lifecycle
        # fields are written.
        partners = self.commercial_partner_id.sudo()
        if not partners:
            return self.browse()
        partners.fetch(["company_id", *FOLLOWUP_LIFECYCLE_FIELDS])
        now = fields.Datetime.now()
        settings = partners._followup_lifecycle_settings()
        families = partners._followup_lifecycle_families()
        min_cutoff = min(now - timedelta(days=days) for days, _loyal in settings.values())
        facts = partners._followup_lifecycle_facts(families, min_cutoff)
        targets, released = {}, self.browse()
        for partner in partners:
            days, loyal = settings[partner.id]
            stage, reason, release = partner._followup_lifecycle_target(
                facts[partner.id], now - timedelta(days=days), loyal, days
            )
            if stage != partner.lifecycle_stage:
                targets[partner] = (stage, reason)
            elif release:
                released |= partner
        if released:
            # A new fact ended a manual stage without changing it: the facts rule again.
            released._followup_write_families(families, {"lifecycle_stage_manual": False})
        changed = self.browse([partner.id for partner in targets])
        changed.sudo()._followup_apply_lifecycle(targets, families, log=log)
        return changed

    def _followup_lifecycle_settings(self):
        """{commercial partner id: (inactive days, loyal orders)}: the
        thresholds of the partner's company, else of the current company."""
        return {
            partner.id: (
                (partner.company_id or self.env.company).followup_inactive_days,
                (partner.company_id or self.env.company).followup_loyal_orders,
            )
            for partner in self
        }

    def _followup_lifecycle_families(self):
        """{commercial partner id: partner ids sharing it (itself included,
        archived ones too)}, in one query."""
        members = self.with_context(active_test=False).search_fetch(
            [("commercial_partner_id", "in", self.ids)],
            ["commercial_partner_id", "email_normalized"],
        )
        families = defaultdict(list)
        for member in members:
            families[member.commercial_partner_id.id].append(member.id)
        return families

    def _followup_lifecycle_facts(self, families, since):
        """{commercial partner id: FollowupLifecycleFacts}, read in a fixed
        number of queries for the whole recordset.

        :param dict families: result of :meth:`_followup_lifecycle_families`
        :param datetime since: earliest inactivity cutoff among the partners;
            order dates are collected from there on to count recent orders
        """
        owner = {member: cp for cp, ids in families.items() for member in ids}
        member_ids = list(owner)
        Order = self.env["sale.order"].sudo()
        order_domain = [("state", "=", "sale"), ("partner_id", "in", member_ids)]
        orders, last_order = defaultdict(int), {}
        for partner, last, count in Order._read_group(
            order_domain, ["partner_id"], ["date_order:max", "__count"]
        ):
            cp = owner[partner.id]
            orders[cp] += count
            last_order[cp] = max(last, last_order.get(cp, last))
        recent = defaultdict(list)
        for partner, dates in Order._read_group(
            order_domain + [("date_order", ">=", since)], ["partner_id"], ["date_order:array_agg"]
        ):
            recent[owner[partner.id]].extend(dates)
        interest = self._followup_lifecycle_interest(families, owner)
        return {
            cp: FollowupLifecycleFacts(
                orders=orders[cp],
                last_order=last_order.get(cp),
                order_dates=tuple(recent[cp]),
                interest=interest.get(cp, (None, None))[0],
                interest_date=interest.get(cp, (None, None))[1],
            )
            for cp in families
        }

    def _followup_lifecycle_interest(self, families, owner):
        """{commercial partner id: (reason, latest date)} of the facts that make
        a prospect: active opportunities and, when mass_mailing is installed,
        mailing-list subscriptions. Override to add a source of interest."""
        found = {}

        def note(cp, reason, date):
            if cp not in found or date > found[cp][1]:
                found[cp] = (reason, date)

        for partner, created in (
            self.env["crm.lead"]
            .sudo()
            ._read_group(
                [("type", "=", "opportunity"), ("partner_id", "in", list(owner))],
                ["partner_id"],
                ["create_date:max"],
            )
        ):
            note(owner[partner.id], "opportunity", created)
        for cp, created in self._followup_lifecycle_subscriptions(families).items():
            note(cp, "subscription", created)
        return found

    def _followup_lifecycle_subscriptions(self, families):
        """{commercial partner id: latest subscription date} of the partners
        whose e-mail is subscribed (not opted out) to a mailing list. Empty
        when mass_mailing, not a dependency of this add-on, is not installed."""
        if "mailing.contact" not in self.env or "mailing.subscription" not in self.env:
            return {}
        by_email = defaultdict(set)
        for cp, ids in families.items():
            for member in self.browse(ids):
                if member.email_normalized:
                    by_email[member.email_normalized].add(cp)
        if not by_email:
            return {}
        result = {}
        # sudo: mailing lists belong to marketing users; only the latest date of
        # an active subscription per address is read, for the stage.
        groups = (
            self.env["mailing.subscription"]
            .sudo()
            ._read_group(
                [("opt_out", "=", False), ("contact_id.email_normalized", "in", list(by_email))],
                ["contact_id"],
                ["create_date:max"],
            )
        )
        contacts = self.env["mailing.contact"].sudo().browse([c.id for c, _d in groups])
        contacts.fetch(["email_normalized"])
        for contact, created in groups:
            for cp in by_email.get(contact.email_normalized, ()):
                result[cp] = max(created, result.get(cp, created))
        return result

    def _followup_lifecycle_target(self, facts, cutoff, loyal_orders, inactive_days):
        """The stage the facts give this commercial partner.

        :param FollowupLifecycleFacts facts: its orders and interest
        :param datetime cutoff: start of the inactivity window
        :return: ``(stage, reason, release)``: ``reason`` is the chatter note,
            ``release`` says a manual stage ends without a change of stage
        """
        self.ensure_one()
        stage, since = self.lifecycle_stage, self.lifecycle_stage_date or cutoff
        manual = self.lifecycle_stage_manual
        went_quiet = self.env._(
            "No confirmed order in the last %(days)s days.", days=inactive_days
        )
        if manual and not any(d and d > since for d in (facts.last_order, facts.interest_date)):
            # A stage set by hand stands until a new fact; only time moves it.
            if stage in ("customer", "loyal") and max(facts.last_order or since, since) < cutoff:
                return "inactive", went_quiet, True
            return stage, "", False
        if facts.orders:
            recent = sum(1 for date in facts.order_dates if date >= cutoff)
            if recent >= loyal_orders:
                note = self.env._(
                    "%(count)s confirmed orders in the last %(days)s days.",
                    count=recent,
                    days=inactive_days,
                )
                return "loyal", note, manual
            if not recent:
                return "inactive", went_quiet, manual
            if stage == "loyal":
                return stage, "", manual
            if stage == "inactive":
                return (
                    "customer",
                    self.env._("New confirmed order after a period without orders."),
                    manual,
                )
            return "customer", self.env._("Confirmed sale order."), manual
        # No confirmed order at all (a stage imported or set by hand, a
        # cancelled order): time alone can make a customer inactive.
        if stage in ("customer", "loyal"):
            return ("inactive", went_quiet, manual) if since < cutoff else (stage, "", manual)
        if stage == "visitor" and facts.interest == "opportunity":
            return "prospect", self.env._("Has an opportunity."), manual
        if stage == "visitor" and facts.interest == "subscription":
            return "prospect", self.env._("Subscribed to a mailing list."), manual
        return stage, "", manual

    def _followup_write_families(self, families, vals):
        """Write ``vals`` on the commercial partners of ``self`` and all their
        contacts in one write (the contacts would get it from
        _commercial_fields() anyway, one partner at a time)."""
        member_ids = [
            member for partner in self for member in families.get(partner.id, [partner.id])
        ]
        members = self.browse(member_ids).with_context(
            mail_notrack=True, followup_lifecycle_family_written=True
        )
        # write() loops on partners reading user_ids: fetch them at once.
        members.fetch(["user_ids"])
        members.write(vals)

    def _followup_apply_lifecycle(self, targets, families, manual=False, log=True):
        """Set new stages, grouped by stage, and log each change.

        :param dict targets: {commercial partner: (stage, reason)}
        :param dict families: result of :meth:`_followup_lifecycle_families`
        :param bool manual: the stages are a person's decision
        :param bool log: post a chatter note on each commercial partner, with
            the tracked change (old -> new stage) and the reason as its body
        """
        if not targets:
            return
        before = {partner.id: partner.lifecycle_stage for partner in targets}
        now = fields.Datetime.now()
        by_stage = defaultdict(list)
        for partner, (stage, _reason) in targets.items():
            by_stage[stage].append(partner.id)
        for stage, partner_ids in by_stage.items():
            self.browse(partner_ids)._followup_write_families(
                families,
                {
                    "lifecycle_stage": stage,
                    "lifecycle_stage_date": now,
                    "lifecycle_stage_manual": manual,
                },
            )
        if log:
            partners = self.browse([partner.id for partner in targets])
            partners._followup_log_lifecycle(
                before, {partner.id: reason for partner, (_stage, reason) in targets.items()}
            )

    def _followup_log_lifecycle(self, before, reasons):
        """One chatter note per partner, with the stage change as a tracking
        value (as tracking=True would show it) and the reason as body; all
        notes and values created in two batches, whatever the number."""
        messages = self._message_log_batch(reasons)
        col_info = self.fields_get(
            ["lifecycle_stage"], attributes=("string", "type", "selection")
        )["lifecycle_stage"]
        Tracking = self.env["mail.tracking.value"].sudo()
        tracking_vals = []
        for partner, message in zip(self, messages, strict=True):
            if before[partner.id] == partner.lifecycle_stage:
                continue
            vals = Tracking._create_tracking_values(
                before[partner.id], partner.lifecycle_stage, "lifecycle_stage", col_info, partner
            )
            tracking_vals.append(dict(vals, mail_message_id=message.id))
        # sudo: tracking values are system records (no access for users), created
        # here exactly as mail.thread's own tracking creates them.
        Tracking.create(tracking_vals)

    def action_followup_change_stage(self):
        """Open the wizard that sets the stage by hand, asking for the reason."""
        self.ensure_one()
        self.env["followup.lifecycle.wizard"].check_access("create")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "followup_manager.followup_lifecycle_wizard_action"
        )
        action["context"] = {"default_partner_ids": [fields.Command.set(self.ids)]}
        return action

    def _followup_set_lifecycle_stage(self, stage, reason):
        """Set the stage of the commercial partners of ``self`` by hand (the
        change wizard). The reason is logged in their chatter; the stage is
        kept until new facts arrive (see the section's comment)."""
        if stage not in dict(FOLLOWUP_LIFECYCLE_STAGES):
            raise UserError(self.env._("Unknown lifecycle stage %(stage)s.", stage=stage))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why you change the lifecycle stage."))
        partners = self.commercial_partner_id
        partners.check_access("write")
        label = dict(self._fields["lifecycle_stage"]._description_selection(self.env))[stage]
        note = self.env._(
            "Stage set by hand to %(stage)s: %(reason)s", stage=label, reason=reason.strip()
        )
        # sudo, after the access check above: the contacts of the company get the
        # stage as Odoo syncs any commercial field (_children_sync runs sudo too).
        partners = partners.sudo()
        partners._followup_apply_lifecycle(
            {partner: (stage, note) for partner in partners},
            partners._followup_lifecycle_families(),
            manual=True,
        )
        return True

    # --- 2. Channel preferences, time zone and contact data --------------------
    # What the person asked for binds every follow-up, whatever consent says:
    # refused channels and preferred hours are read by the dispatch into
    # policy.decision.PartnerFacts. The checks of numbers and addresses are the
    # pure helpers of policy.contact (phonenumbers, with the partner's country as
    # region), stored so that a filter finds invalid data and the dispatch reads
    # the E.164 numbers without parsing again. A number that cannot be parsed is
    # stored as invalid: it never blocks saving the partner.
    followup_preferred_channel = fields.Selection(
        selection=CONSENT_CHANNELS,
        string="Preferred Channel",
        help="How the person prefers to be contacted.",
    )
    followup_no_email = fields.Boolean(
        string="No E-mail", help="The person asked never to be contacted by e-mail."
    )
    followup_no_sms = fields.Boolean(
        string="No SMS", help="The person asked never to be contacted by text message."
    )
    followup_no_phone = fields.Boolean(
        string="No Calls", help="The person asked never to be called."
    )
    followup_no_whatsapp = fields.Boolean(
        string="No WhatsApp", help="The person asked never to be contacted on WhatsApp."
    )
    followup_no_post = fields.Boolean(
        string="No Post", help="The person asked never to be sent letters."
    )
    followup_hours_start = fields.Float(
        string="Contact From",
        help="Preferred contact hours, in the person's time zone (equal hours: no preference).",
    )
    followup_hours_end = fields.Float(
        string="Contact Until",
        help="Preferred contact hours, in the person's time zone (equal hours: no preference).",
    )
    followup_frequency = fields.Selection(
        selection=[
            ("default", "Company Default"),
            ("weekly", "At Most Weekly"),
            ("monthly", "At Most Monthly"),
            ("quarterly", "At Most Quarterly"),
        ],
        string="Contact Frequency",
        default="default",
        help="How often the person accepts to be contacted, on top of the company's cap.",
    )
    followup_tz = fields.Char(
        string="Follow-up Time Zone",
        compute="_compute_followup_tz",
        help="The time zone follow-ups use for this person: their own, else their "
        "country's (or state's), else the company's.",
    )
    followup_tz_source = fields.Selection(
        selection=[
            ("partner", "Set on the contact"),
            ("country", "Assumed from the country"),
            ("state", "Assumed from the state"),
            ("company", "Company's time zone"),
            ("default", "UTC (nothing known)"),
        ],
        string="Time Zone Source",
        compute="_compute_followup_tz",
    )
    followup_email_valid = fields.Boolean(
        string="E-mail Valid", compute="_compute_followup_contact_data", store=True
    )
    followup_phone_e164 = fields.Char(
        string="Phone (E.164)", compute="_compute_followup_contact_data", store=True
    )
    followup_phone_valid = fields.Boolean(
        string="Phone Valid", compute="_compute_followup_contact_data", store=True
    )
    followup_phone_error = fields.Selection(
        selection=FOLLOWUP_PHONE_ERRORS,
        string="Phone Problem",
        compute="_compute_followup_contact_data",
        store=True,
    )
    followup_mobile_e164 = fields.Char(
        string="Mobile (E.164)", compute="_compute_followup_contact_data", store=True
    )
    followup_mobile_valid = fields.Boolean(
        string="Mobile Valid", compute="_compute_followup_contact_data", store=True
    )
    followup_mobile_error = fields.Selection(
        selection=FOLLOWUP_PHONE_ERRORS,
        string="Mobile Problem",
        compute="_compute_followup_contact_data",
        store=True,
    )
    followup_sms_number = fields.Char(
        string="SMS Number",
        compute="_compute_followup_contact_data",
        store=True,
        help="The best valid number able to receive text messages (mobile first).",
    )
    followup_call_number = fields.Char(
        string="Number to Call",
        compute="_compute_followup_contact_data",
        store=True,
        help="The best valid number to call (phone first, then mobile).",
    )
    followup_contact_issue = fields.Boolean(
        string="Invalid Contact Data",
        compute="_compute_followup_contact_data",
        store=True,
        index=True,
        help="An e-mail, phone or mobile is filled in but cannot be used.",
    )

    @api.depends("phone", "mobile", "email", "country_id")
    def _compute_followup_contact_data(self):
        for partner in self:
            country = partner.country_id.code or None
            phone = normalize_phone(partner.phone, country)
            mobile = normalize_phone(partner.mobile, country)
            email_given = bool((partner.email or "").strip())
            # Both must accept it: Odoo's normalisation (what mail and the
            # blacklist use) and the stricter syntax check of the policy.
            email_valid = bool(
                email_given
                and email_normalize(partner.email)
                and normalize_email(partner.email).valid
            )
            partner.followup_email_valid = email_valid
            partner.followup_phone_e164 = phone.e164 or False
            partner.followup_phone_valid = phone.valid
            partner.followup_phone_error = phone.error if phone.error != MISSING else False
            partner.followup_mobile_e164 = mobile.e164 or False
            partner.followup_mobile_valid = mobile.valid
            partner.followup_mobile_error = mobile.error if mobile.error != MISSING else False
            partner.followup_sms_number = next(
                (info.e164 for info in (mobile, phone) if info.can_sms), False
            )
            partner.followup_call_number = next(
                (info.e164 for info in (phone, mobile) if info.can_call), False
            )
            partner.followup_contact_issue = (
                (email_given and not email_valid)
                or bool(partner.followup_phone_error)
                or bool(partner.followup_mobile_error)
            )

    @api.depends("tz", "country_id", "state_id", "company_id")
    @api.depends_context("company")
    def _compute_followup_tz(self):
        for partner in self:
            company = partner.company_id or self.env.company
            tz, source = resolve_tz(
                partner.tz,
                partner.country_id.code,
                partner.state_id.code,
                company.partner_id.tz,
            )
            partner.followup_tz = tz
            partner.followup_tz_source = source

    @api.constrains("followup_hours_start", "followup_hours_end")
    def _check_followup_hours(self):
        for partner in self:
            if not all(
                0 <= h <= 24 for h in (partner.followup_hours_start, partner.followup_hours_end)
            ):
                raise ValidationError(
                    self.env._("Preferred contact hours must be between 0:00 and 24:00.")
                )

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
        self.env["followup.consent.event"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_consent_event_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

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
        return Event.create(vals_list)

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
        if origin:
            self._followup_check_consent_origin(origin)
        vals_list = []
        # One event per partner, however often an id is repeated in the call
        # (union() drops repeated ids and keeps the order).
        for partner in self.union():
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

    @api.model
    def _followup_check_consent_origin(self, origin):
        """Raise unless the caller may read the document given as the origin of a
        decision: the event is created as superuser and shows its origin with the
        proof, so a public caller must not attach a document they cannot see (or a
        model that does not exist)."""
        if isinstance(origin, models.BaseModel):
            record = origin.with_env(self.env)
        else:
            model, _sep, res_id = str(origin).partition(",")
            if model not in self.env or not res_id.strip().isdigit():
                raise UserError(
                    self.env._("Unknown origin of a consent decision: %(origin)s", origin=origin)
                )
            record = self.env[model].browse(int(res_id))
        record.check_access("read")

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

    # Partner fields _followup_facts reads in one query.
    _FOLLOWUP_FACT_FIELDS = (
        "active",
        "company_id",
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
        most one contact in that many days, or the company's longer window).

        :param company: the company whose policy applies; by default each
            partner's own company, and the current company for partners shared
            between companies (followup_check answers for the caller's company)
        """
        if company is None:
            by_company = defaultdict(list)
            for partner in self:
                by_company[partner.company_id or self.env.company].append(partner.id)
            result = {}
            for partner_company, partner_ids in by_company.items():
                result.update(self.browse(partner_ids)._followup_settings(partner_company))
            return result
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
        # The largest window any company's cap or any person's frequency can ask
        # for: the dispatch decides with the settings of each partner's company.
        companies = (
            self.env["res.company"]
            .sudo()
            .search_fetch(
                [], ["followup_cap_count", "followup_cap_days", "followup_inactive_days"]
            )
        )
        window = max(
            [c.followup_cap_days for c in companies if c.followup_cap_count]
            + [self._FOLLOWUP_FREQUENCY_DAYS.get(p.followup_frequency, 0) for p in partners]
        )
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

        facts = {}
        for partner in partners:
            # The soft opt-in lapses after the inactivity period of the partner's
            # company (or the current one for shared partners).
            inactive_days = (partner.company_id or company).followup_inactive_days
            soft_valid = (last_order.get(partner.id) or datetime.min) >= now - timedelta(
                days=inactive_days
            )
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
        template = self.env.ref("followup_manager.mail_template_followup_email_confirmation")
        mails = template.send_mail_batch(eligible.ids)
        subject_by_partner = {mail.res_id: mail.subject for mail in mails}
        # One consent call per distinct wording (a language and company), not
        # one per partner.
        partner_ids_by_proof = defaultdict(list)
        for partner in eligible.filtered(lambda partner: states[partner.id][0] != "granted"):
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
        if "parent_id" in vals:
            # 1. A contact joining (or leaving) a company brings its orders and
            # opportunities to the relationship it now belongs to.
            self.commercial_partner_id._followup_recompute_lifecycle()
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
        self.env["followup.dispatch"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_dispatch_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"create": False}
        action["display_name"] = self.env._(
            "Follow-up decisions: %(partner)s", partner=self.display_name
        )
        return action
