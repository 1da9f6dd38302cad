"""Enrollments waiting for a salesperson's task: the dispatch holds the next step
(``policy.stepping.HOLD``) and remembers the activity; marking it done schedules the
next step from that moment, cancelling it does what the step says (go on, or stop).
Both in batch, whatever the number of activities (see ``mail_activity.py``)."""

from collections import defaultdict

from odoo import api, fields, models

from ..policy import vocabulary


class FollowupEnrollment(models.Model):
    _inherit = "followup.enrollment"

    waiting_activity_id = fields.Many2one(
        "mail.activity",
        string="Waiting For",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The next step waits until this activity is done.",
    )

    @api.model
    def _followup_waiting_for(self, activities):
        """The running enrollments waiting for one of ``activities`` (one query)."""
        if not activities:
            return self.browse()
        # sudo: whoever completes or deletes an activity moves the follow-up that waits
        # for it on; only these enrollments' dates and states are written.
        return self.sudo().search(
            [
                ("waiting_activity_id", "in", activities.ids),
                ("state", "in", list(vocabulary.RUNNING_STATES)),
            ]
        )

    def _followup_activity_done(self, now=None):
        """The awaited activities are done: the next steps are due their delay from now
        (never before a snooze)."""
        if not self:
            return
        now = now or fields.Datetime.now()
        self.write({"waiting_activity_id": False})
        self._followup_schedule_next(start=now)
        snoozed = self.filtered(
            lambda e: e.snoozed_until and e.next_date and e.next_date < e.snoozed_until
        )
        for until, enrollments in self._followup_group_by(snoozed, "snoozed_until").items():
            enrollments.write({"next_date": until})
        self._followup_wake_dispatch()

    def _followup_activity_cancelled(self, activities):
        """The awaited activities were deleted without being done: each enrollment does
        what the step that scheduled it says (go on, or stop). One query for the steps."""
        if not self:
            return
        behaviour = self._followup_awaited_steps(activities)
        stop = self.filtered(lambda e: behaviour.get(e.waiting_activity_id.id) == "stop")
        (self - stop)._followup_activity_done()
        if stop:
            stop.write({"waiting_activity_id": False})
            stop._stop(
                "activity_cancelled",
                self.env._("The task the follow-up waited for was cancelled."),
            )

    @api.model
    def _followup_awaited_steps(self, activities):
        """{activity id: cancel behaviour of the step that scheduled it} (one query)."""
        # sudo: read the log row that links the activity to its step, nothing more.
        rows = (
            self.env["followup.dispatch"]
            .sudo()
            .search_fetch([("activity_id", "in", activities.ids)], ["activity_id", "step_id"])
        )
        return {row.activity_id.id: row.step_id.activity_cancel_action for row in rows}

    @api.model
    def _followup_group_by(self, enrollments, fname):
        groups = defaultdict(lambda: self.browse())
        for enrollment in enrollments:
            groups[enrollment[fname]] |= enrollment
        return groups
