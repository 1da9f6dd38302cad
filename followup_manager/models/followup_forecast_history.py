"""The history of a forecast's trigger: the events that fired it over the last
HISTORY_DAYS days, whose average daily count the forecast replays (the entries it
enrolls each simulated day, see followup_forecast_population.py), among them the
touchpoint triggers (question received, stage reached).

A mixin of ``followup.forecast`` (see followup_forecast.py), which lists it in its
``_inherit``."""

import itertools
from collections import defaultdict
from datetime import timedelta

from odoo import models
from odoo.osv import expression

# The trigger's history used to estimate its daily volume.
HISTORY_DAYS = 90


class FollowupForecastHistory(models.AbstractModel):
    _name = "followup.forecast.history"
    _description = "Follow-up Forecast: Trigger History"

    def _followup_trigger_sample(self, start):
        """(daily volume, [(partner, origin, moment)]): the trigger's entries expected
        over the simulated days. The volume is the average daily count of its events
        over the last HISTORY_DAYS days, for partners matching the sequence; the
        entries take the partners, documents and times of day of the most recent
        events in turn (the newest first)."""
        self.ensure_one()
        sequence = self.sequence_id
        history = self._followup_trigger_history(start - timedelta(days=HISTORY_DAYS), start)
        if history:
            partners = self.env["res.partner"].union(*(partner for partner, _o, _a in history))
            # sudo: which of the past events' people the sequence's filter admits; only
            # ids are read, counted for an estimate.
            allowed = set(
                self.env["res.partner"]
                .sudo()
                ._search(
                    expression.AND(
                        [[("id", "in", partners.ids)], sequence._followup_partner_domain()]
                    )
                )
            )
            history = [event for event in history if event[0].id in allowed]
        volume = len(history) / HISTORY_DAYS
        if not history:
            return volume, []
        history.sort(key=lambda event: (event[2], event[1].id), reverse=True)
        sample = itertools.cycle(history)
        entries = []
        for day in range(self.days):
            # Whole entries per day whose running total follows the average exactly.
            count = int(volume * (day + 1)) - int(volume * day)
            for _i in range(count):
                partner, origin, at = next(sample)
                offset = timedelta(
                    hours=at.hour - start.hour,
                    minutes=at.minute - start.minute,
                    seconds=at.second - start.second,
                ) % timedelta(days=1)
                entries.append((partner, origin, start + timedelta(days=day) + offset))
        return volume, entries

    def _followup_trigger_histories(self):
        """{trigger: method(since, until, companies) -> [(partner, origin, moment)]} of
        the triggers whose history has a method of its own; override to add one."""
        return {
            "question_received": self._followup_history_question_received,
            "stage_reached": self._followup_history_stage_reached,
        }

    def _followup_trigger_history(self, since, until):
        """[(partner, origin record, moment)] of the events that fired the sequence's
        trigger between ``since`` and ``until`` (naive UTC). Override for new triggers."""
        self.ensure_one()
        sequence = self.sequence_id
        companies = [sequence.company_id.id, False]
        # The triggers of the touchpoints (below) and those of other add-ons.
        history = self._followup_trigger_histories().get(sequence.trigger)
        if history is not None:
            return history(since, until, companies)
        if sequence.trigger == "partner_inactive":
            # sudo: contacts become inactive by the system's rule; counted for an
            # estimate, none is shown.
            partners = (
                self.env["res.partner"]
                .sudo()
                .search_fetch(
                    [
                        ("lifecycle_stage", "=", "inactive"),
                        ("lifecycle_stage_date", ">=", since),
                        ("lifecycle_stage_date", "<", until),
                        ("company_id", "in", companies),
                    ],
                    ["lifecycle_stage_date"],
                )
            )
            return [(partner, partner, partner.lifecycle_stage_date) for partner in partners]
        return []

    # --- the touchpoints

    # sudo, in every method: past events are counted for an estimate; no record is
    # shown, only aggregates are stored.

    def _followup_history_question_received(self, since, until, companies):
        """Incoming messages of customers in the period on the documents that take
        questions: on those where any message is a question, any of them; on the others
        only the e-mail the document was created from (its first message)."""
        origin_models = self.env["followup.sequence"]._followup_question_origin_models()
        if not origin_models:
            return []
        any_message = {
            model
            for model in origin_models
            if model in self.env[model]._followup_question_models()
        }
        # sudo: past messages, counted for an estimate; no message is shown.
        Message = self.env["mail.message"].sudo()
        messages = Message.search_fetch(
            [
                ("model", "in", list(origin_models)),
                ("message_type", "in", ("email", "comment")),
                ("author_id", "!=", False),
                ("date", ">=", since),
                ("date", "<", until),
            ],
            ["model", "res_id", "author_id", "date", "message_type"],
        )
        ids_by_model = defaultdict(set)
        for message in messages:
            ids_by_model[message.model].add(message.res_id)
        first = {}
        for model, ids in ids_by_model.items():
            if model in any_message:
                continue
            for res_id, first_id in Message._read_group(
                [("model", "=", model), ("res_id", "in", list(ids))],
                ["res_id"],
                ["id:min"],
            ):
                first[model, res_id] = first_id
        records = {}
        for model, ids in ids_by_model.items():
            # sudo: only the company of the documents is read, to keep the sequence's.
            found = self.env[model].sudo().with_context(active_test=False).browse(ids).exists()
            found.fetch(["company_id"])
            records[model] = {r.id: r for r in found if r.company_id.id in companies}
        MailThread = self.env["mail.thread"]
        history = []
        for message in messages:
            record = records[message.model].get(message.res_id)
            if record is None or MailThread._followup_is_employee(message.author_id):
                continue
            if message.model not in any_message and (
                message.message_type != "email"
                or first.get((message.model, message.res_id)) != message.id
            ):
                continue
            history.append((message.author_id, record, message.date))
        return history

    def _followup_history_stage_reached(self, since, until, companies):
        """Contacts whose stage became the sequence's stage in the period (and are
        still there: the stage's own date is the only trace kept)."""
        # sudo: past stage changes, counted for an estimate; no contact is shown.
        partners = (
            self.env["res.partner"]
            .sudo()
            .search_fetch(
                [
                    ("lifecycle_stage", "=", self.sequence_id.trigger_stage),
                    ("lifecycle_stage_date", ">=", since),
                    ("lifecycle_stage_date", "<", until),
                    ("company_id", "in", companies),
                ],
                ["lifecycle_stage_date"],
            )
        )
        return [(partner, partner, partner.lifecycle_stage_date) for partner in partners]
