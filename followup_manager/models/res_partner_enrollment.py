from collections import defaultdict

from odoo import fields, models, tools

from .tools import FOLLOWUP_READERS


class ResPartner(models.Model):
    """The person's follow-ups: enrollments (the smart button of
    followup.origin.mixin, the inactive trigger, stopping them when the partner
    is archived) and the last decisions of the dispatch about them."""

    _name = "res.partner"
    _inherit = ["res.partner", "followup.origin.mixin"]

    followup_enrollment_ids = fields.One2many(
        "followup.enrollment",
        "partner_id",
        string="Follow-up Enrollments",
        groups=FOLLOWUP_READERS,
    )
    # The mixin's count, readable by auditors on the contact form too.
    followup_enrollment_count = fields.Integer(groups=FOLLOWUP_READERS)

    def _compute_followup_enrollment_count(self):
        # Every enrollment about the person, whatever document it follows up.
        counts = self._followup_count_per_partner("followup.enrollment")
        for partner in self:
            partner.followup_enrollment_count = counts.get(partner, 0)

    def _followup_targets_by_company(self):
        """{company id: [(partner id, res.partner, partner id)]}: these partners
        followed up on their own thread. Partners without a company enter every
        company's sequences."""
        targets = defaultdict(list)
        for partner in self:
            targets[partner.company_id.id].append((partner.id, self._name, partner.id))
        return targets

    def _followup_enroll_inactive(self):
        """Start the partner_inactive sequences for these partners (followed up on
        their own thread)."""
        # sudo: the lifecycle cron (or whoever made the partners inactive) triggers
        # this system reaction; it must not depend on their follow-up rights.
        return (
            self.env["followup.sequence"]
            .sudo()
            ._followup_fire("partner_inactive", self._followup_targets_by_company())
        )

    def _followup_enroll_stage(self, stage):
        """Start the stage_reached sequences of ``stage`` for these partners, who
        just reached it (followed up on their own thread)."""
        # sudo: see _followup_enroll_inactive.
        return (
            self.env["followup.sequence"]
            .sudo()
            ._followup_fire(
                "stage_reached",
                self._followup_targets_by_company(),
                domain=[("trigger_stage", "=", stage)],
            )
        )

    def write(self, vals):
        # An archived partner is contacted no more: their follow-ups stop.
        archived = self.browse()
        if "active" in vals and not vals["active"]:
            archived = self.filtered("active")
        res = super().write(vals)
        if archived:
            self.env["followup.enrollment"]._followup_stop_for_partners(
                archived, "partner_archived"
            )
        return res

    # Steering from the Contacts list: Pause and Snooze beside Stop (the stop wizard),
    # on the follow-ups of the selected contacts the user may see.
    def _followup_running_enrollments(self):
        """The running follow-ups of these contacts, as the user sees them (their
        record rules apply); AccessError for a user who may not change follow-ups."""
        Enrollment = self.env["followup.enrollment"]
        Enrollment.check_access("write")
        return Enrollment.search(
            Enrollment._followup_active_domain() + [("partner_id", "in", self.ids)]
        )

    def _followup_notification(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_followup_pause(self):
        """Pause the active follow-ups of these contacts ("Actions" menu)."""
        enrollments = self._followup_running_enrollments().filtered(
            lambda enrollment: enrollment.state == "active"
        )
        if not enrollments:
            return self._followup_notification(
                self.env._("Nothing to pause: no follow-up of these contacts runs."), "warning"
            )
        enrollments.action_pause()
        return self._followup_notification(
            self.env._("%(count)s follow-up(s) paused.", count=len(enrollments))
        )

    def action_followup_snooze(self):
        """Open the snooze dialog on the running follow-ups of these contacts."""
        enrollments = self._followup_running_enrollments()
        if not enrollments:
            return self._followup_notification(
                self.env._("Nothing to snooze: no follow-up of these contacts runs."), "warning"
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Snooze Follow-ups"),
            "res_model": "followup.snooze.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": enrollments._name, "active_ids": enrollments.ids},
        }

    # Insight: "why was this person not contacted?"
    # The last decisions of the dispatch about the person (followup.dispatch rows:
    # done, or why it waited or was skipped, and until when), for a tab of the form.
    _FOLLOWUP_LAST_DECISIONS = 20

    followup_last_dispatch_ids = fields.Many2many(
        "followup.dispatch",
        string="Last Follow-up Decisions",
        compute="_compute_followup_last_dispatch_ids",
        groups=FOLLOWUP_READERS,
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
        action = self._followup_partner_action(
            "followup.dispatch", "followup_manager.followup_dispatch_action"
        )
        action["display_name"] = self.env._(
            "Follow-up decisions: %(partner)s", partner=self.display_name
        )
        return action
