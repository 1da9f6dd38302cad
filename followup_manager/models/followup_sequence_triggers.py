import logging

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .followup_sequence import TRIGGER_STOP_REASONS_ALWAYS
from .tools import note_lang

_logger = logging.getLogger(__name__)


class FollowupSequence(models.Model):
    """Triggers: the automatic enrollments fired by a document's event (a meeting
    done, a question received, a stage reached), each sequence isolated, and what a
    failing one says on its form."""

    _inherit = "followup.sequence"

    trigger_rules = fields.Html(
        string="Starts and Stops",
        compute="_compute_trigger_rules",
        sanitize=False,
        help="When a person enters this sequence by itself, and what ends their "
        "follow-up before its last step, for the chosen trigger.",
    )

    @api.depends("trigger", "trigger_stage", "stop_on_reply")
    @api.depends_context("lang")
    def _compute_trigger_rules(self):
        starts = self._followup_start_sentences()
        clauses = self._followup_stop_clauses()
        for sequence in self:
            if not sequence.trigger:
                sequence.trigger_rules = False
                continue
            reasons = [reason for reason in sequence._followup_stop_reasons() if reason in clauses]
            sequence.trigger_rules = Markup("<p>%s</p><p class='mb-0'>%s</p><ul>%s</ul>") % (
                starts[sequence.trigger],
                self.env._("Stops by itself when:"),
                Markup().join(Markup("<li>%s</li>") % clauses[reason] for reason in reasons),
            )

    def _followup_stop_reasons(self):
        """The stop reasons that end this sequence's enrollments by themselves, in
        the order the form lists them (TRIGGER_STOP_REASONS and what ends every
        enrollment)."""
        self.ensure_one()
        reasons = self._followup_own_stop_reasons()
        for reason in TRIGGER_STOP_REASONS_ALWAYS:
            if reason == "replied" and (
                not self.stop_on_reply or self.trigger == "question_received"
            ):
                continue
            reasons.append(reason)
        return reasons

    def _followup_own_stop_reasons(self):
        """The stop reasons of this sequence's trigger (and of what it is, such as
        a re-engagement sequence), before what ends every enrollment. Override to add
        one."""
        self.ensure_one()
        return list(self._followup_trigger_stop_reasons().get(self.trigger, ()))

    @api.model
    def _followup_start_sentences(self):
        """What starts an enrollment, per trigger, as said on the form."""
        return {
            "manual": self.env._(
                "Starts when a user enrolls people by hand, from a contact or a "
                "followed-up document."
            ),
            "partner_inactive": self.env._(
                "Starts when a customer becomes inactive (no confirmed order for the "
                "inactivity period)."
            ),
            "question_received": self.env._(
                "Starts when a customer asks a question on a document that takes questions."
            ),
            "stage_reached": self.env._(
                "Starts when a contact reaches the chosen lifecycle stage."
            ),
        }

    @api.model
    def _followup_stop_clauses(self):
        """What each stop reason of TRIGGER_STOP_REASONS means, as said on the form."""
        return {
            "origin_cancelled": self.env._("the followed-up document is cancelled or deleted"),
            "employee_replied": self.env._("an employee answers on the document"),
            "replied": self.env._(
                "the person replies on the followed-up document (Stop On Reply)"
            ),
            "consent_withdrawn": self.env._(
                "the person withdraws their consent for every channel the remaining steps use"
            ),
            "bounced": self.env._("their e-mail address bounces and only e-mails are left"),
            "partner_archived": self.env._("the contact is archived"),
            "partner_merged": self.env._("the contact is merged into another"),
        }

    @api.model
    def _followup_reengagement_domain(self):
        """Domain (on sequences) of those that try to win a customer back (a new
        purchase ends them, when a companion add-on knows purchases). Override to add
        one."""
        return [
            "|",
            ("trigger", "=", "partner_inactive"),
            "&",
            ("trigger", "=", "stage_reached"),
            ("trigger_stage", "=", "inactive"),
        ]

    @api.model
    def _followup_fire(self, trigger, targets_by_company, domain=None):
        """Enroll in every active sequence with ``trigger``.

        A trigger is a reaction to the user's own act (a document confirmed, a
        meeting done): a sequence whose configuration fails is skipped, never the
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
