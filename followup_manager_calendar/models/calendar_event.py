from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class CalendarEvent(models.Model):
    """A meeting as a followed-up document: once it is over, the meeting_done
    sequences thank its external attendees (on the meeting's own thread, "Re:
    <meeting>", with its description as the summary)."""

    _name = "calendar.event"
    _inherit = ["calendar.event", "followup.origin.mixin"]

    followup_meeting_done = fields.Boolean(
        string="Follow-ups Started",
        copy=False,
        readonly=True,
        help="The meeting is over and its external attendees were handed to the "
        "sequences started by a meeting (whether any sequence took them or not).",
    )

    def init(self):
        # What the scan looks for: meetings not handed over yet, by their end. A
        # partial index keeps it small on a calendar of years.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS calendar_event_followup_meeting_pending_idx
                ON calendar_event (stop)
             WHERE followup_meeting_done IS NOT TRUE
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._followup_wake_meeting_scan()
        return events

    def write(self, vals):
        res = super().write(vals)
        if vals.keys() & {"start", "stop", "duration", "allday"}:
            # A meeting moved to a later date is thanked for when it takes place.
            now = fields.Datetime.now()
            # sudo: the flag is the system's (set by the meeting job); whoever moves the
            # meeting resets it.
            self.filtered(
                lambda event: event.followup_meeting_done and event.stop > now
            ).sudo().followup_meeting_done = False
            self._followup_wake_meeting_scan()
        return res

    # ------------------------------------------------------------------ scanning

    @api.model
    def _followup_meeting_lookback(self):
        """How far back a scan looks for meetings that ended (a meeting that ended
        longer ago is not thanked any more: a job stopped for days, an event moved
        into the past). Override to change."""
        return timedelta(days=2)

    @api.model
    def _followup_meeting_done_domain(self, now):
        """Meetings over at ``now`` and not handed to the sequences yet; override to
        narrow (e.g. only some meeting types)."""
        return [
            ("followup_meeting_done", "!=", True),
            ("stop", "<=", now),
            ("stop", ">", now - self._followup_meeting_lookback()),
        ]

    def _followup_wake_meeting_scan(self):
        """Ask the meeting job to run when these meetings end (no polling): one
        trigger per distinct end in the future."""
        cron = self.env.ref("followup_manager_calendar.ir_cron_followup_meeting_done", False)
        now = fields.Datetime.now()
        ends = {event.stop for event in self if event.stop and event.stop > now}
        if cron and ends:
            # sudo: the trigger only schedules the job; it gives the user no access to it.
            cron.sudo()._trigger_list(sorted(ends))

    @api.model
    def _cron_followup_meeting_done(self, batch_size=500):
        """Hand the meetings that ended since the last run to the meeting_done
        sequences, batch after batch. Each meeting is marked when handed over, so a
        run repeated (or two runs overlapping a batch) never thanks twice."""
        now = fields.Datetime.now()
        domain = self._followup_meeting_done_domain(now)
        done = 0
        while events := self.search(domain, order="stop, id", limit=batch_size):
            events._followup_on_meeting_done()
            done += len(events)
        # The lookback bounds the work of one run: it is done in one go.
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return True

    def _followup_external_attendees(self):
        """{meeting: its external attendees}: partners invited who did not decline
        and are no internal user (colleagues are not thanked for a meeting). Read
        for the whole recordset at once."""
        attendees = self.attendee_ids
        attendees.fetch(["event_id", "partner_id", "state"])
        attendees.partner_id.fetch(["user_ids"])
        attendees.partner_id.user_ids.fetch(["share"])
        result = defaultdict(lambda: self.env["res.partner"])
        for attendee in attendees:
            partner = attendee.partner_id
            if attendee.state == "declined" or not partner.active:
                continue
            if any(not user.share for user in partner.user_ids):
                continue
            result[attendee.event_id] |= partner
        return result

    def _followup_on_meeting_done(self):
        """These meetings are over: their external attendees enter the meeting_done
        sequences of the organiser's company (followed up on the meeting), and the
        meetings are marked as handed over."""
        targets = defaultdict(list)
        for event, partners in self._followup_external_attendees().items():
            company = event.user_id.company_id.id
            targets[company] += [(partner.id, self._name, event.id) for partner in partners]
        # sudo: the job (or whoever ran it) hands meetings over as a system reaction.
        self.env["followup.sequence"].sudo()._followup_fire("meeting_done", targets)
        # The flag is ours alone: calendar's write (privacy checks, recurrences, alarms,
        # one event at a time) has nothing to do with it.
        self.env.cr.execute(
            SQL(
                "UPDATE calendar_event SET followup_meeting_done = TRUE WHERE id = ANY(%s)",
                self.ids,
            )
        )
        self.invalidate_recordset(["followup_meeting_done"])
