"""The forecast's history of the touchpoint triggers (question received, stage
reached): the past events each would have fired on, whose
average daily count the forecast replays (see followup_forecast_population.py)."""

from collections import defaultdict

from odoo import models


class FollowupForecast(models.Model):
    _inherit = "followup.forecast"

    # sudo, in every method: past events are counted for an estimate; no record is
    # shown, only aggregates are stored.

    def _followup_trigger_histories(self):
        return {
            **super()._followup_trigger_histories(),
            "question_received": self._followup_history_question_received,
            "stage_reached": self._followup_history_stage_reached,
        }

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
