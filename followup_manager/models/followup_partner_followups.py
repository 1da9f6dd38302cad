from collections import defaultdict

from markupsafe import Markup

from odoo import fields, models, tools

from .tools import FOLLOWUP_READERS

# The channels the "May we contact them now?" block answers for, in its order:
# e-mail and SMS steps, and the calls an activity step asks a salesperson to make.
CONTACT_NOW_CHANNELS = ("email", "sms", "phone")


class FollowupPartnerFollowups(models.AbstractModel):
    """The person's follow-ups: enrollments (the inactive and stage triggers,
    stopping them when the partner is archived, pausing and snoozing them from the
    Contacts list), the last decisions of the dispatch about them, and "May we
    contact them now?". A mixin of res.partner (which holds followup_enrollment_ids
    and the count of followup.origin.mixin's smart button)."""

    _name = "followup.partner.followups"
    _description = "Partner: Follow-ups and Decisions"

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

    def _followup_being_archived(self, vals):
        """Before res.partner.write(vals): the partners ``vals`` archives."""
        if "active" in vals and not vals["active"]:
            return self.filtered("active")
        return self.browse()

    def _followup_on_archived(self):
        """After the write that archived these partners: an archived partner is
        contacted no more, their follow-ups stop."""
        if self:
            self.env["followup.enrollment"]._followup_stop_for_partners(self, "partner_archived")

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

    # "May we contact them now?" on the contact: the answer of followup_check for
    # each channel, in words, so that a person without decisions in the log still has
    # an answer to "why was this person not contacted?".
    followup_contact_now_html = fields.Html(
        string="May We Contact Them Now?",
        compute="_compute_followup_contact_now_html",
        sanitize=False,  # built below from escaped values only
        groups=FOLLOWUP_READERS,
    )

    def _followup_contact_now_channels(self):
        """The channels the block answers for; override to add some."""
        return CONTACT_NOW_CHANNELS

    def _compute_followup_contact_now_html(self):
        saved = self.filtered("id")
        (self - saved).followup_contact_now_html = False
        if not saved:
            return
        # The answers are followup_check's (the same policy as the dispatch), with
        # their sentence in the reader's language.
        lang = self.env.lang or "en_US"
        checked = saved.with_context(lang=lang)
        answers = {
            channel: {result["partner_id"]: result for result in checked.followup_check(channel)}
            for channel in self._followup_contact_now_channels()
        }
        for partner in saved:
            partner.followup_contact_now_html = self._followup_contact_now_table(
                [(channel, answers[channel][partner.id]) for channel in answers]
            )

    def _followup_contact_now_table(self, rows):
        """The HTML table of ``rows``: (channel, followup_check answer) pairs."""
        Dispatch = self.env["followup.dispatch"]
        reasons = dict(Dispatch._fields["reason"]._description_selection(self.env))
        head = Markup(
            '<table class="table table-sm o_followup_contact_now mb-1"><thead><tr>'
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>"
        ) % (
            self.env._("Channel"),
            self.env._("Now?"),
            self.env._("Why"),
            self.env._("Possible From"),
        )
        body = Markup()
        for channel, answer in rows:
            if answer["allowed"]:
                badge, label = "text-bg-success", self.env._("Yes")
            elif answer["next_allowed"]:
                badge, label = "text-bg-warning", self.env._("Later")
            else:
                badge, label = "text-bg-danger", self.env._("No")
            when = (
                Dispatch._followup_format_datetime(answer["next_allowed"])
                if answer["next_allowed"]
                else ("" if answer["allowed"] else self.env._("Not until this changes"))
            )
            # Why: the reason's label (as in the log's filters), then its sentence.
            why = Markup('<span class="text-muted small">%s</span>') % (
                answer.get("sentence") or ""
            )
            if answer["reason"]:
                why = Markup("<strong>%s</strong><br/>%s") % (
                    reasons.get(answer["reason"], answer["reason"]),
                    why,
                )
            body += Markup(
                '<tr data-channel="%s"><td>%s</td><td><span class="badge rounded-pill %s">'
                "%s</span></td><td>%s</td><td>%s</td></tr>"
            ) % (
                channel,
                Dispatch._followup_channel_label(channel),
                badge,
                label,
                why,
                when,
            )
        note = Markup('<p class="text-muted small mb-0">%s</p>') % self.env._(
            "The answers apply the rules of a marketing follow-up, the strictest. A service "
            "follow-up needs no consent (a withdrawal still binds it); internal tasks, "
            "which contact nobody, are always allowed."
        )
        return head + body + Markup("</tbody></table>") + note
