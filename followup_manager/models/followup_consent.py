from odoo import api, fields, models
from odoo.exceptions import UserError

# The shared vocabulary of the consent fields lives with the fields, in
# followup_consent_mixin.py; importable from here as well (the partner API and the
# facts read it from this module).
from .followup_consent_mixin import (  # noqa: F401
    CONSENT_CHANNELS,
    CONSENT_STATES,
    LEGAL_BASES,
    PHONE_CHANNELS,
)

# Context key set only while followup.consent.event projects new events onto the
# current state; any other create/write of the state is refused (see write()).
CONTEXT_APPLY = "followup_consent_apply"


class FollowupConsent(models.Model):
    """The current consent of one person on one channel.

    A projection of the history (followup.consent.event): the events are the truth
    and every change of this row is made by creating an event, so the history and
    the state never disagree. Consent belongs to the person, not to a company: the
    row has no company_id, and what one company of the database recorded binds the
    others (a withdrawal must never be "forgotten" by switching company).
    """

    _name = "followup.consent"
    _inherit = ["followup.consent.mixin", "mail.thread"]
    _description = "Follow-up Consent"
    _order = "partner_id, channel"
    # Salespeople read consents; a note in the chatter changes nothing.
    _mail_post_access = "read"

    # Only reachable through SQL: partners with a consent history cannot be
    # deleted (see followup.consent.event.partner_id and res.partner.unlink).
    partner_id = fields.Many2one(ondelete="cascade")
    state = fields.Selection(default="pending", tracking=1)
    legal_basis = fields.Selection(tracking=2)
    source = fields.Char(
        tracking=3,
        help="Where the last decision was recorded: manual, sale_order, preference_page, "
        "one_click_unsubscribe, double_opt_in, mail_blacklist, phone_blacklist, import...",
    )
    date = fields.Datetime(
        required=True,
        readonly=True,
        default=fields.Datetime.now,
        help="When the last decision was recorded.",
    )
    partner_email = fields.Char(related="partner_id.email", string="E-mail")
    partner_active = fields.Boolean(related="partner_id.active", string="Contact Active")
    event_count = fields.Integer(compute="_compute_event_count", string="Events")

    _sql_constraints = [
        (
            "partner_channel_unique",
            "UNIQUE(partner_id, channel)",
            "A contact has one current consent per channel.",
        ),
    ]

    @api.depends("partner_id", "channel")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for consent in self:
            consent.display_name = self.env._(
                "%(partner)s: %(channel)s",
                partner=consent.partner_id.display_name,
                channel=channels.get(consent.channel, ""),
            )

    def _compute_event_count(self):
        counts = {
            (partner.id, channel): count
            for partner, channel, count in self.env["followup.consent.event"]._read_group(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("channel", "in", self.mapped("channel")),
                ],
                ["partner_id", "channel"],
                ["__count"],
            )
        }
        for consent in self:
            consent.event_count = counts.get((consent.partner_id.id, consent.channel), 0)

    # ------------------------------------------------------------------
    # The state changes only by projecting events
    # ------------------------------------------------------------------

    def _check_projection(self):
        if not self.env.context.get(CONTEXT_APPLY):
            raise UserError(
                self.env._(
                    "Consent is recorded as a decision with its proof (Record a Decision "
                    "on the contact, or res.partner.followup_set_consent); it cannot be "
                    "edited directly."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Users have no create access at all: say so before explaining the method.
        self.check_access("create")
        self._check_projection()
        return super().create(vals_list)

    def write(self, vals):
        if self and set(vals) & {
            "partner_id",
            "channel",
            "state",
            "legal_basis",
            "source",
            "date",
        }:
            # Users have no write access at all: say so before explaining the method.
            self.check_access("write")
            self._check_projection()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "A consent cannot be deleted: record a withdrawal instead, so that "
                "the history keeps the proof."
            )
        )

    # Fields whose changes the chatter shows (tracking=True on each).
    _FOLLOWUP_TRACKED = ("state", "legal_basis", "source")

    def _followup_tracked_values(self):
        return {
            consent.id: {fname: consent[fname] for fname in self._FOLLOWUP_TRACKED}
            for consent in self
        }

    def _followup_log_changes(self, before):
        """One chatter note per changed consent with its tracking values, as
        tracking=True shows them, created in two batches whatever the number.

        :param dict before: {consent id: {field: value}} before the change.
        """
        changed = self.filtered(
            lambda consent: any(
                before[consent.id][fname] != consent[fname] for fname in self._FOLLOWUP_TRACKED
            )
        )
        if not changed:
            return
        col_info = self.fields_get(
            self._FOLLOWUP_TRACKED, attributes=("string", "type", "selection")
        )
        messages = changed._message_log_batch(bodies=dict.fromkeys(changed.ids, ""))
        message_by_consent = {message.res_id: message.id for message in messages}
        # sudo: tracking values are system records (no access for users), created
        # here exactly as mail.thread's own tracking creates them.
        Tracking = self.env["mail.tracking.value"].sudo()
        vals_list = []
        for consent in changed:
            # The values mail.thread's tracking would create (_mail_track, the
            # per-model tracking hook), attached to the batch's notes.
            _changes, commands = consent._mail_track(col_info, before[consent.id])
            vals_list += [
                dict(vals, mail_message_id=message_by_consent[consent.id])
                for _command, _id, vals in commands
            ]
        # sudo: tracking values are system records, created as mail.thread's own
        # tracking creates them, for changes the caller was allowed to make.
        Tracking.create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_consent_event_action"
        )
        action["domain"] = [
            ("partner_id", "=", self.partner_id.id),
            ("channel", "=", self.channel),
        ]
        action["context"] = {"create": False}
        return action
