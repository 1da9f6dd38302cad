"""Steering a running follow-up: pause, resume and snooze enrollments.

A paused enrollment keeps its place (its next step and its date) and is never claimed by
the dispatch (which claims ``state = 'active'`` only). On resume, a step that fell due
while paused is due at once, but it goes through the policy like any due step: the
contact cap, the send window, the daily limits spread the resumed steps instead of
firing them in a burst, and only the current step is due, the next one counts its
delay from the decision (``policy.stepping``). Its log row says it was resumed.

A snooze moves the next step to a later moment ("call me back after the fair") and
records why in the enrollment's chatter.
"""

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import get_lang

from ..policy import vocabulary
from .followup_arguments import check_text


class FollowupEnrollment(models.Model):
    _inherit = "followup.enrollment"

    date_paused = fields.Datetime(string="Paused On", readonly=True, copy=False)
    paused_by_sequence = fields.Boolean(
        readonly=True,
        copy=False,
        help="Paused because its sequence was paused: resuming the sequence resumes it.",
    )
    resumed_date = fields.Datetime(
        string="Resumed On",
        readonly=True,
        copy=False,
        help="Set when a paused enrollment is resumed with a step that fell due meanwhile; "
        "the log row of that step says it was resumed.",
    )
    snoozed_until = fields.Datetime(readonly=True, copy=False)
    snooze_reason = fields.Char(readonly=True, copy=False)
    state_label = fields.Char(
        string="Status",
        compute="_compute_state_label",
        help="The state, or until when a running follow-up is snoozed.",
    )

    @api.depends("state", "snoozed_until")
    @api.depends_context("tz", "lang")
    def _compute_state_label(self):
        labels = dict(self._fields["state"]._description_selection(self.env))
        now = fields.Datetime.now()
        # The date as the web client shows dates: the language's format, to the minute,
        # in the reader's time zone.
        lang = get_lang(self.env)
        date_format = f"{lang.date_format} {lang.time_format.replace(':%S', '')}"
        for enrollment in self:
            snoozed = enrollment.snoozed_until
            if enrollment.state in vocabulary.RUNNING_STATES and snoozed and snoozed > now:
                enrollment.state_label = self.env._(
                    "Snoozed until %(date)s",
                    date=fields.Datetime.context_timestamp(self, snoozed).strftime(date_format),
                )
            else:
                enrollment.state_label = labels.get(enrollment.state, "")

    # ------------------------------------------------------------------ pause

    def action_pause(self):
        """Pause the active enrollments of ``self`` (public, any number). Returns True."""
        self.check_access("write")
        self._followup_pause()
        return True

    def _followup_pause(self, by_sequence=False):
        active = self.filtered(lambda enrollment: enrollment.state == vocabulary.ACTIVE)
        if not active:
            return active
        # sudo: the add-on's own move (followup_enrollment_guard.py keeps the state to
        # managers); write access was checked by the public method.
        active.sudo().write(
            {
                "state": vocabulary.PAUSED,
                "date_paused": fields.Datetime.now(),
                "paused_by_sequence": by_sequence,
            }
        )
        if not by_sequence:
            active._followup_log_batch(lambda enrollment: self.env._("Follow-up paused."))
        return active

    def action_resume(self):
        """Resume the paused enrollments of ``self`` (public, any number). Returns True.

        Refused for an enrollment whose sequence is paused: resume the sequence."""
        self.check_access("write")
        held = self.filtered(lambda e: e.state == vocabulary.PAUSED and e.sequence_id.paused)
        if held:
            raise UserError(
                self.env._(
                    "The sequence “%(name)s” is paused: resume the sequence to resume its "
                    "follow-ups.",
                    name=held.sequence_id[:1].name,
                )
            )
        self._followup_resume()
        return True

    def _followup_resume(self, now=None):
        """Back to active; a step that fell due while paused is due ``now`` and its log
        row will say "resumed". Batch: one write for the overdue, one for the others."""
        now = now or fields.Datetime.now()
        paused = self.filtered(lambda enrollment: enrollment.state == vocabulary.PAUSED)
        if not paused:
            return paused
        overdue = paused.filtered(lambda e: e.next_date and e.next_date <= now)
        values = {"state": vocabulary.ACTIVE, "paused_by_sequence": False, "date_paused": False}
        # sudo: see _followup_pause.
        (paused - overdue).sudo().write(values)
        overdue.sudo().write(dict(values, next_date=now, resumed_date=now))
        paused._followup_log_batch(lambda enrollment: self.env._("Follow-up resumed."))
        paused._followup_wake_dispatch()
        return paused

    # ------------------------------------------------------------------ snooze

    def snooze(self, until, reason=False):
        """Nothing of these follow-ups before ``until`` ("YYYY-MM-DD HH:MM:SS", UTC): their
        next step moves to ``until`` (a later date is kept). ``reason`` goes to the
        chatter. Public, any number of running enrollments. Returns True."""
        self.check_access("write")
        check_text(self.env, "reason", reason)
        try:
            until = fields.Datetime.to_datetime(until)
        except (TypeError, ValueError):
            until = None
        if not until:
            raise UserError(self.env._("Say until when the follow-up is snoozed."))
        running = self.filtered(lambda e: e.state in vocabulary.RUNNING_STATES)
        # sudo: the add-on's own move (followup_enrollment_guard.py keeps the steering
        # fields to managers); write access was checked above, the chatter says who.
        running.sudo().write({"snoozed_until": until, "snooze_reason": reason or False})
        # A step waiting for its activity has no date: the snooze still holds it back
        # once the activity is done (see followup_enrollment_wait.py).
        later = running.filtered(lambda e: e.next_date and e.next_date < until)
        # sudo: see _followup_pause (the date is the one the user snoozed to).
        later.sudo().write({"next_date": until})
        when = fields.Datetime.to_string(until)[:16]

        def line(enrollment):
            if reason:
                return self.env._(
                    "Follow-up snoozed until %(date)s (UTC): %(reason)s", date=when, reason=reason
                )
            return self.env._("Follow-up snoozed until %(date)s (UTC).", date=when)

        running._followup_log_batch(line)
        running._followup_wake_dispatch()
        return True

    def action_open_snooze_wizard(self):
        """The snooze dialog for these enrollments (a date and a reason)."""
        self.check_access("write")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_snooze_wizard_action"
        )
        action["context"] = {"active_model": self._name, "active_ids": self.ids}
        return action

    # ------------------------------------------------------------------ chatter

    def _followup_log_batch(self, line):
        """One note per enrollment in its chatter, ``line(enrollment)`` its text; one
        batch insert for all."""
        if not self:
            return
        # _message_log_batch writes as superuser: the notes describe a change the user
        # just made (write access was checked by the public method).
        self._message_log_batch(
            bodies={e.id: Markup("<p>%s</p>") % escape(line(e)) for e in self},
            author_id=self._followup_note_author(),
        )
