import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from .tools import by_note_lang, note_lang

_logger = logging.getLogger(__name__)

FOLLOWUP_LIFECYCLE_STAGES = [
    ("visitor", "Visitor"),
    ("prospect", "Prospect"),
    ("customer", "Customer"),
    ("loyal", "Loyal"),
    ("inactive", "Inactive"),
]
# Lifecycle fields kept on the commercial partner and synced to its contacts.
FOLLOWUP_LIFECYCLE_FIELDS = ("lifecycle_stage", "lifecycle_stage_date", "lifecycle_stage_manual")


class FollowupPartnerLifecycle(models.AbstractModel):
    """The partner's lifecycle stage: visitor, prospect, customer, loyal, inactive.

    A mixin of res.partner (models/res_partner.py): its write() calls
    _followup_lifecycle_prepare_write() and _followup_lifecycle_written(), and its
    _commercial_fields() shares FOLLOWUP_LIFECYCLE_FIELDS with the contacts."""

    _name = "followup.partner.lifecycle"
    _description = "Partner: Lifecycle Stage"

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
            # The partners that become inactive start their sequences on the way
            # (_followup_apply_lifecycle fires stage_reached and partner_inactive).
            batch._followup_recompute_lifecycle()
        # One call does the whole scan in bounded batches: nothing records what
        # was already checked today, so a second call would start over.
        self.env["ir.cron"]._notify_progress(done=len(partners), remaining=0)

    def _followup_on_became_inactive(self):
        """Hook: sequences with trigger partner_inactive enroll these partners"""
        _logger.debug("Partners that just became inactive: %s", self.ids)
        self._followup_enroll_inactive()

    def _followup_on_stage_reached(self):
        """Hook, on every change of stage (by the facts, by hand, by an import): the
        stage_reached sequences of each partner's new stage enroll them, and the
        partners that became inactive start the partner_inactive ones too (its
        alias). Override to react to a stage in another way."""
        by_stage = defaultdict(lambda: self.browse())
        for partner in self:
            by_stage[partner.lifecycle_stage] |= partner
        for stage, partners in by_stage.items():
            partners._followup_enroll_stage(stage)
        if by_stage.get("inactive"):
            by_stage["inactive"]._followup_on_became_inactive()

    @api.model
    def _followup_init_lifecycle(self, batch_size=5000):
        """At installation: set the stage of every existing partner from the
        facts already in the database (no chatter note for this first pass)."""
        partners = self.with_context(active_test=False).search(
            self._followup_commercial_domain(), order="id"
        )
        for batch in split_every(batch_size, partners.ids, self.browse):
            batch._followup_recompute_lifecycle(log=False, fire=False)

    def _followup_recompute_lifecycle(self, log=True, fire=True):
        """Recompute the stage of the commercial partners of ``self`` from the
        facts, and apply the changes (their contacts follow).

        Works on the whole recordset with a fixed number of queries: one per
        kind of fact (orders, recent orders, opportunities, subscriptions), one
        for the families, and the writes grouped by stage (Odoo flushes them in
        statements of 100 rows). Used by the sale-confirm hook, the lead hook
        and the daily cron.

        :param bool log: post a chatter note, with the tracked change and its
            reason, on each commercial partner whose stage changes
        :param bool fire: start the sequences of the stages reached
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
        partners.fetch(["company_id", "user_id", *FOLLOWUP_LIFECYCLE_FIELDS])
        now = fields.Datetime.now()
        settings = partners._followup_lifecycle_settings()
        families = partners._followup_lifecycle_families()
        min_cutoff = min(now - timedelta(days=days) for days, _loyal in settings.values())
        facts = partners._followup_lifecycle_facts(families, min_cutoff)
        targets, released = {}, self.browse()
        # The reasons are the chatter notes: written in their readers' language.
        for speaking in by_note_lang(partners, lambda p: p._followup_note_lang()).values():
            for partner in speaking:
                days, loyal = settings[partner.id]
                stage, reason, release = partner._followup_lifecycle_target(
                    facts[partner.id], now - timedelta(days=days), loyal, days
                )
                if stage != partner.lifecycle_stage:
                    targets[partner.with_env(partners.env)] = (stage, reason)
                elif release:
                    released |= partner
        if released:
            # A new fact ended a manual stage without changing it: the facts rule again.
            released._followup_write_families(families, {"lifecycle_stage_manual": False})
        changed = self.browse([partner.id for partner in targets])
        # sudo: the stages follow from facts the user did not choose (orders,
        # opportunities of the whole family); the stage fields are not theirs to write.
        changed.sudo()._followup_apply_lifecycle(targets, families, log=log, fire=fire)
        return changed

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
        if stage == "visitor" and facts.interest:
            notes = self._followup_lifecycle_interest_notes()
            return "prospect", notes.get(facts.interest, ""), manual
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

    def _followup_apply_lifecycle(self, targets, families, manual=False, log=True, fire=True):
        """Set new stages, grouped by stage, log each change and start the sequences
        of the stages reached.

        :param dict targets: {commercial partner: (stage, reason)}
        :param dict families: result of :meth:`_followup_lifecycle_families`
        :param bool manual: the stages are a person's decision
        :param bool log: post a chatter note on each commercial partner, with
            the tracked change (old -> new stage) and the reason as its body
        :param bool fire: call :meth:`_followup_on_stage_reached` for the partners
            whose stage changed (not at installation, which only catches up)
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
        partners = self.browse([partner.id for partner in targets])
        if log:
            partners._followup_log_lifecycle(
                before, {partner.id: reason for partner, (_stage, reason) in targets.items()}
            )
        if fire:
            partners.filtered(
                lambda partner: partner.lifecycle_stage != before[partner.id]
            )._followup_on_stage_reached()

    def _followup_note_lang(self):
        """The language of the add-on's notes about this partner when nobody is
        acting (the daily job): its salesperson's, else its company's (see
        tools.note_lang). Override to name another reader."""
        self.ensure_one()
        return note_lang(self.env, self.user_id, self.company_id)

    def _followup_log_lifecycle(self, before, reasons):
        """One chatter note per partner, with the stage change as a tracking
        value (as tracking=True would show it) and the reason as body, in the
        language of its readers (``_followup_note_lang``); all notes and values
        of a language created in two batches, whatever the number."""
        for partners in by_note_lang(self, lambda p: p._followup_note_lang()).values():
            partners._followup_log_lifecycle_batch(before, reasons)

    def _followup_log_lifecycle_batch(self, before, reasons):
        messages = self._message_log_batch({partner.id: reasons[partner.id] for partner in self})
        tracked = self.fields_get(["lifecycle_stage"], attributes=("string", "type", "selection"))
        # sudo: tracking values are written by the system only (as mail.thread does
        # for tracked fields); they record the change just made.
        Tracking = self.env["mail.tracking.value"].sudo()
        tracking_vals = []
        for partner, message in zip(self, messages, strict=True):
            if before[partner.id] == partner.lifecycle_stage:
                continue
            # The values mail.thread's tracking would create (_mail_track, the
            # per-model tracking hook), attached to the batch's notes.
            _changes, commands = partner._mail_track(
                tracked, {"lifecycle_stage": before[partner.id]}
            )
            tracking_vals += [
                dict(vals, mail_message_id=message.id) for _command, _id, vals in commands
            ]
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
        kept until new facts arrive (see the comment at the top of the class)."""
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

    # ------------------------------------------------------------------ on write

    def _followup_lifecycle_prepare_write(self, vals):
        """Before res.partner.write(vals): ``(vals, before)``, the values to write and
        {partner id: stage} when the stage written must start sequences afterwards."""
        before = {}
        if "lifecycle_stage" in vals:
            # Any write of the stage dates it; one that does not come from the
            # facts (the change wizard, an import, an RPC client) is a manual stage.
            vals = dict(vals)
            vals.setdefault("lifecycle_stage_date", fields.Datetime.now())
            vals.setdefault("lifecycle_stage_manual", True)
            if not self.env.context.get("followup_lifecycle_family_written"):
                # Written directly (an import, an RPC client): the stage reached
                # starts its sequences, as a change by the facts or the wizard does.
                before = {partner.id: partner.lifecycle_stage for partner in self}
        return vals, before

    def _followup_lifecycle_written(self, vals, before):
        """After res.partner.write(vals): the stages reached start their sequences,
        and a contact's move to another company recomputes the stages."""
        if before:
            self.filtered(
                lambda partner: partner.lifecycle_stage != before[partner.id]
            )._followup_on_stage_reached()
        if "parent_id" in vals:
            # A contact joining (or leaving) a company brings its orders and
            # opportunities to the relationship it now belongs to.
            self.commercial_partner_id._followup_recompute_lifecycle()
