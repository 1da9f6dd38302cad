"""Steering a running follow-up: pause, resume and snooze enrollments, wait for a task,
stop them.

A paused enrollment keeps its place (its next step and its date) and is never claimed by
the dispatch (which claims ``state = 'active'`` only). On resume, a step that fell due
while paused is due at once, but it goes through the policy like any due step: the
contact cap, the send window, the daily limits spread the resumed steps instead of
firing them in a burst, and only the current step is due, the next one counts its
delay from the decision (``policy.stepping``). Its log row says it was resumed.

A snooze moves the next step to a later moment ("call me back after the fair") and
records why in the enrollment's chatter.

Enrollments waiting for a salesperson's task: the dispatch holds the next step
(``policy.stepping.HOLD``) and remembers the activity; marking it done schedules the
next step from that moment, cancelling it does what the step says (go on, or stop).
Both in batch, whatever the number of activities (see ``mail_activity.py``).

Stopping follow-ups: by hand, and on the events that end them (a reply, a withdrawal, a
cancelled document, an e-mail address that bounced for good).
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import get_lang

from ..policy import vocabulary
from .followup_arguments import check_choice, check_text


class FollowupEnrollmentSteering(models.AbstractModel):
    _name = "followup.enrollment.steering"
    _description = "Follow-up Enrollment: Steering"

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
    waiting_activity_id = fields.Many2one(
        "mail.activity",
        string="Waiting For",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The next step waits until this activity is done.",
    )
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
        # sudo: the add-on's own move (followup.enrollment.guard keeps the state to
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
        # sudo: the add-on's own move (followup.enrollment.guard keeps the steering
        # fields to managers); write access was checked above, the chatter says who.
        running.sudo().write({"snoozed_until": until, "snooze_reason": reason or False})
        # A step waiting for its activity has no date: the snooze still holds it back
        # once the activity is done (see _followup_activity_done).
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

    # ------------------------------------------------------------------ waiting for a task

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

    # ------------------------------------------------------------------ stop

    def action_stop(self, reason="manual", note=False):
        """Stop these enrollments (public, works on many records). Returns True."""
        check_choice(self.env, "reason", reason, self._fields["stop_reason"].get_values(self.env))
        check_text(self.env, "note", note)
        self.check_access("write")
        self._stop(reason, note)
        return True

    def _stop(self, reason, note=False):
        """Stop the running (active or paused) enrollments of ``self`` with a reason, in
        batch, and tell the followed-up documents."""
        # sudo: stopping is allowed to users (action_stop checks the write right
        # first); the state, reason and date are the add-on's to write. Tracked
        # under the user's name (same uid).
        active = self.sudo().filtered(
            lambda enrollment: enrollment.state in vocabulary.RUNNING_STATES
        )
        if not active:
            return active.with_env(self.env)
        active.write(
            {
                "state": "stopped",
                "stop_reason": reason,
                "stop_note": note or False,
                "date_stop": fields.Datetime.now(),
                "next_date": False,
            }
        )
        active._followup_log_on_origins("stopped")
        return active.with_env(self.env)

    def _followup_active_domain(self):
        """Domain of the enrollments still running (a paused one too: a reply or a
        withdrawal ends it as well); override to narrow every stop."""
        return [("state", "in", list(vocabulary.RUNNING_STATES))]

    @api.model
    def _followup_stop_for_origins(self, records, reason, note=False, triggers=None):
        """Stop the active enrollments following up ``records`` (any model), only
        those of sequences with one of ``triggers`` if given."""
        if not records:
            return self.browse()
        domain = self._followup_active_domain() + [
            ("origin_model", "=", records._name),
            ("origin_id", "in", records.ids),
        ]
        if triggers is not None:
            domain.append(("sequence_id.trigger", "in", list(triggers)))
        # sudo: a stop is the consequence of an event the user was allowed to cause
        # (cancelling, archiving); it only ends follow-ups and reads nothing back.
        return self.sudo().search(domain)._stop(reason, note).sudo(False)

    @api.model
    def _followup_stop_for_partners(self, partners, reason, note=False, triggers=None):
        """Stop the active enrollments of ``partners`` (only of sequences with one of
        ``triggers`` if given)."""
        if not partners:
            return self.browse()
        domain = self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        if triggers is not None:
            domain.append(("sequence_id.trigger", "in", list(triggers)))
        # sudo: see _followup_stop_for_origins.
        return self.sudo().search(domain)._stop(reason, note).sudo(False)

    @api.model
    def _followup_stop_for_withdrawn(self, partners, channels):
        """Stop the active enrollments of ``partners`` whose remaining steps only
        contact them on channels they withdrew their consent for.

        Called by ``res.partner.followup_set_consent`` after a withdrawal. ``channels``
        are the channels just withdrawn; channels withdrawn earlier count as well.
        Steps without a channel (internal tasks) do not contact anybody and are ignored;
        an enrollment whose remaining steps contact nobody keeps running.
        """
        if not partners or not channels:
            return self.browse()
        # sudo: called from consent changes made by the person (public preference page)
        # or a user; only stops follow-ups, reads nothing back.
        enrollments = self.sudo().search(
            self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        )
        if not enrollments:
            return self.browse()
        withdrawn = defaultdict(set)
        for partner in partners:
            withdrawn[partner.id].update(channels)
        if "followup.consent" in self.env:
            # sudo: as above; the current consents of these partners decide what stops.
            consents = (
                self.env["followup.consent"]
                .sudo()
                .search_fetch(
                    [("partner_id", "in", partners.ids), ("state", "=", "withdrawn")],
                    ["partner_id", "channel"],
                )
            )
            for consent in consents:
                withdrawn[consent.partner_id.id].add(consent.channel)
        to_stop = enrollments.browse()
        for enrollment in enrollments:
            remaining = (
                enrollment.next_step_id._followup_remaining_steps()
                if enrollment.next_step_id
                else enrollment.next_step_id
            )
            used = set().union(*(step._followup_channels() for step in remaining)) - {"none"}
            if used and used <= withdrawn[enrollment.partner_id.id]:
                to_stop |= enrollment
        return to_stop._stop("consent_withdrawn").sudo(False)

    @api.model
    def _followup_stop_on_reply(self, record, message):
        """A message was posted on ``record``: if its author is a partner followed up
        there by a sequence that stops on reply, stop following them up."""
        if not message.author_id:
            return self.browse()
        author = message.author_id
        # sudo: the author may be a customer (portal, incoming e-mail) without access
        # to enrollments; this only ends their own follow-ups on this document.
        enrollments = self.sudo().search(
            self._followup_active_domain()
            + [
                ("origin_model", "=", record._name),
                ("origin_id", "=", record.id),
                ("sequence_id.stop_on_reply", "=", True),
            ]
        )
        replied = enrollments.filtered(
            lambda enrollment: (
                enrollment.partner_id == author
                or enrollment.partner_id.commercial_partner_id == author.commercial_partner_id
            )
        )
        return replied._stop("replied").sudo(False)

    @api.model
    def _followup_stop_for_bounced(self, partners):
        """Stop the active enrollments of ``partners`` whose remaining steps all
        contact them by e-mail: with the address dead, nothing is left to do
        (reason ``bounced``). Enrollments with steps on other channels keep
        running; their e-mail steps are suppressed as they fall due (the policy
        says ``invalid_address``, and the log that it bounced). Steps without a
        channel (internal tasks) do not count, as for withdrawals."""
        if not partners:
            return self.browse()
        # sudo: a mail server's report about the address, handled by the gateway;
        # it only ends follow-ups and reads nothing back.
        enrollments = self.sudo().search(
            self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        )
        dispatcher = self.env["followup.dispatcher"]
        to_stop = enrollments.filtered(
            lambda enrollment: (
                enrollment.next_step_id
                and dispatcher._followup_only_email_left(enrollment.next_step_id)
            )
        )
        return to_stop._stop("bounced").sudo(False)
