from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.followup_manager.models.tools import activity_vals
from odoo.addons.followup_manager.policy import register as policy_register


class FollowupSequence(models.Model):
    """A sequence and the Italian opt-out register: its audience exported for a check in
    one click, and a reminder to the follow-up managers when the monthly check is due
    (an activity on the sequence, hence the activity mixin)."""

    _name = "followup.sequence"
    _inherit = ["followup.sequence", "mail.activity.mixin"]

    # Days before an answer goes stale when the reminder is given.
    _FOLLOWUP_RPO_REMINDER_LEAD_DAYS = 3

    followup_rpo_applies = fields.Boolean(
        string="Opt-out Register Applies",
        compute="_compute_followup_rpo_applies",
        help="The sequence's company (or the current one, for a sequence of every "
        "company) uses the Italian opt-out register.",
    )

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_followup_rpo_applies(self):
        for sequence in self:
            company = sequence.company_id or self.env.company
            sequence.followup_rpo_applies = company.followup_rpo_enabled

    @api.model
    def _followup_rpo_sequences(self, company):
        """The active marketing sequences of ``company`` with a call or letter step (or a
        step that may call when it is the person's preferred channel): the ones the
        register concerns."""
        return self.search(
            [
                ("company_id", "=", company.id),
                ("purpose", "=", "marketing"),
                "|",
                (
                    "step_ids",
                    "any",
                    [
                        ("channel_choice", "!=", "preferred"),
                        ("channel", "in", list(policy_register.REGISTER_CHANNELS)),
                    ],
                ),
                (
                    "step_ids",
                    "any",
                    [
                        ("channel_choice", "=", "preferred"),
                        ("channel_order", "like", "phone"),
                        ("activity_type_id", "!=", False),
                    ],
                ),
            ]
        )

    def _followup_rpo_audience(self):
        """The partners these sequences will still call or write to: their running
        enrollments' partners."""
        return (
            self.env["followup.enrollment"]
            .search([("sequence_id", "in", self.ids), ("state", "not in", ["done", "stopped"])])
            .partner_id
        )

    def action_followup_rpo_check_audience(self):
        """Export this sequence's audience for a check against the register."""
        self.ensure_one()
        return self.env["followup.rpo.export"]._followup_open(
            self._followup_rpo_audience(), sequence=self
        )

    @api.model
    def _cron_followup_rpo_reminder(self, today=None):
        """Daily: for every sequence whose audience has Italian numbers or addresses
        without an answer, or with one about to go stale, an activity "check the register"
        for each follow-up manager of its company, unless one is still open."""
        today = today or fields.Date.context_today(self)
        activity_type = self.env.ref(
            "l10n_it_followup_manager.mail_activity_type_followup_rpo_check",
            raise_if_not_found=False,
        )
        if not activity_type:
            return
        soon = today + timedelta(days=self._FOLLOWUP_RPO_REMINDER_LEAD_DAYS)
        Partner = self.env["res.partner"]
        vals_list = []
        for company in self.env["res.company"].search([("followup_rpo_enabled", "=", True)]):
            managers = self._followup_rpo_managers(company)
            for sequence in self._followup_rpo_sequences(company):
                due = Partner._followup_rpo_stale(sequence._followup_rpo_audience(), company, soon)
                if not due:
                    continue
                open_for = sequence.activity_ids.filtered(
                    lambda a: a.activity_type_id == activity_type
                ).user_id
                vals_list += [
                    sequence._followup_rpo_activity_vals(activity_type, user, len(due), today)
                    for user in managers - open_for
                ]
        if vals_list:
            self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
                vals_list
            )

    @api.model
    def _followup_rpo_managers(self, company):
        """The follow-up managers of ``company`` (internal, active users)."""
        group = self.env.ref("followup_manager.followup_manager_group_manager")
        return group.users.filtered(
            lambda u: u.active and not u.share and company in u.company_ids
        )

    def _followup_rpo_activity_vals(self, activity_type, user, count, today):
        self.ensure_one()
        return activity_vals(
            self,
            user,
            activity_type,
            self.env._("Check the opt-out register"),
            self.env._(
                "%(count)s contact(s) of this sequence have no answer of the Registro "
                "Pubblico delle Opposizioni, or one about to be older than %(days)s days. "
                "Export the audience (Check the Register), have it checked and import "
                "the answer.",
                count=count,
                days=self.company_id.followup_rpo_days,
            ),
            due=today,
        )
