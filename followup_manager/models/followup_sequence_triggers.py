import logging

from markupsafe import escape

from odoo import api, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .followup_sequence import REENGAGEMENT_TRIGGERS
from .tools import note_lang

_logger = logging.getLogger(__name__)


class FollowupSequence(models.Model):
    """Triggers: the automatic enrollments fired by a document's event (an order
    confirmed, an opportunity lost), each sequence isolated, and what a failing one
    says on its form."""

    _inherit = "followup.sequence"

    @api.model
    def _followup_reengagement_domain(self):
        """Domain (on sequences) of those that try to win a customer back: a new
        confirmed order ends them. Override to add one."""
        return [
            "|",
            ("trigger", "in", list(REENGAGEMENT_TRIGGERS)),
            "&",
            ("trigger", "=", "stage_reached"),
            ("trigger_stage", "=", "inactive"),
        ]

    @api.model
    def _followup_fire(self, trigger, targets_by_company, domain=None):
        """Enroll in every active sequence with ``trigger``.

        A trigger is a reaction to the user's own act (an order confirmed, an
        opportunity won): a sequence whose configuration fails is skipped, never the
        act. Each sequence enrolls in its own savepoint; a failure is logged on the
        sequence (its chatter and a warning on its form) and the others go on.

        :param targets_by_company: {company id or False: [(partner_id, origin_model,
            origin_id)]}; targets without a company enter the sequences of every company.
        :param domain: more conditions on the sequences (the stage of stage_reached)
        """
        if not any(targets_by_company.values()):
            return self.env["followup.enrollment"]
        sequences = self.search([("trigger", "=", trigger)] + list(domain or []))
        enrollments = self.env["followup.enrollment"]
        for sequence in sequences:
            targets = targets_by_company.get(sequence.company_id.id, []) + targets_by_company.get(
                False, []
            )
            if not targets:
                continue
            try:
                with self.env.cr.savepoint():
                    enrollments |= sequence._followup_enroll(targets)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                # Not a configuration error: the whole transaction is retried.
                raise
            except Exception as error:  # noqa: BLE001 - any failure of one sequence is isolated
                sequence._followup_log_enroll_error(trigger, error)
                continue
            if sequence.followup_error:
                sequence.followup_error = False
        return enrollments

    def _followup_log_enroll_error(self, trigger, error):
        """Say on the sequence why an automatic enrollment was skipped: in its
        chatter (the history) and on its form (until edited or successful)."""
        self.ensure_one()
        _logger.warning("Follow-up sequence %s skipped on trigger %s: %s", self.id, trigger, error)
        # Read later by its managers: in the company's language when a job failed.
        sequence = self.with_context(lang=note_lang(self.env, company=self.company_id))
        triggers = dict(self._fields["trigger"]._description_selection(sequence.env))
        text = sequence.env._(
            "Partners could not be enrolled automatically (%(trigger)s): %(error)s. The "
            "sequence was skipped and the action that triggered it went through; fix "
            "the sequence's configuration.",
            trigger=triggers.get(trigger, trigger),
            error=self._followup_error_sentence(error),
        )
        self.followup_error = text
        # A note without notification: nobody is mailed at every failing trigger.
        self._message_log(body=escape(text))

    @api.model
    def _followup_error_sentence(self, error):
        """The first line of an error's message, for a person to read (a database
        error repeats the query after it)."""
        message = error.args[0] if isinstance(error, UserError) and error.args else str(error)
        return (str(message).strip().splitlines() or [type(error).__name__])[0]
