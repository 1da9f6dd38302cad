"""The forecast's history of the touchpoint triggers (quotation sent, question received,
stage reached): the past events each would have fired on, whose
average daily count the forecast replays (see followup_forecast_population.py)."""

from collections import defaultdict

from odoo import models

from .mail_thread import QUESTION_ORIGIN_MODELS


class FollowupForecast(models.Model):
    _inherit = "followup.forecast"

    # sudo, in every method: past events are counted for an estimate; no record is
    # shown, only aggregates are stored.

    def _followup_trigger_histories(self):
        return {
            **super()._followup_trigger_histories(),
            "quotation_sent": self._followup_history_quotation_sent,
            "question_received": self._followup_history_question_received,
            "stage_reached": self._followup_history_stage_reached,
        }

    def _followup_history_quotation_sent(self, since, until, companies):
        """Quotations created in the period and sent since (Odoo keeps no date of the
        send itself: a quotation is usually sent the day it is written)."""
        # sudo: past quotations of the sequence's companies, counted for an estimate.
        orders = (
            self.env["sale.order"]
            .sudo()
            .search_fetch(
                [
                    ("state", "!=", "draft"),
                    ("company_id", "in", companies),
                    ("create_date", ">=", since),
                    ("create_date", "<", until),
                ],
                ["partner_id", "create_date", "user_id"],
            )
        )
        return [(order.partner_id, order, order.create_date) for order in orders]

    def _followup_history_question_received(self, since, until, companies):
        """Incoming messages of customers in the period: on a sale order any of them,
        on an opportunity only the e-mail it was created from (its first message)."""
        # sudo: past messages, counted for an estimate; no message is shown.
        Message = self.env["mail.message"].sudo()
        messages = Message.search_fetch(
            [
                ("model", "in", list(QUESTION_ORIGIN_MODELS)),
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
        first = {
            res_id: first_id
            for res_id, first_id in Message._read_group(
                [("model", "=", "crm.lead"), ("res_id", "in", list(ids_by_model["crm.lead"]))],
                ["res_id"],
                ["id:min"],
            )
        }
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
            if message.model == "crm.lead" and (
                message.message_type != "email" or first.get(message.res_id) != message.id
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
