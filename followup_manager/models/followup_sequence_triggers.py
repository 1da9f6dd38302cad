import logging

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .tools import note_lang

_logger = logging.getLogger(__name__)

# The document a sequence follows up, per trigger: its mail templates, SMS templates
# and server actions must be written for this model (or for res.partner, which every
# enrollment has). Manual sequences follow the partner up: their templates are on
# res.partner, so they can be used from any document. The core's triggers; a companion
# add-on adds its own (followup.sequence._followup_trigger_models).
TRIGGER_MODELS = {
    "manual": "res.partner",
    "partner_inactive": "res.partner",
    # A question arrives on any document that takes questions: its templates are on
    # the partner, the one model every document shares.
    "question_received": "res.partner",
    "stage_reached": "res.partner",
}

# What ends the enrollments of a sequence by itself, per trigger (stop reasons of
# vocabulary.STOP_REASON_LABELS), beside what ends every enrollment (a reply, a
# withdrawal, a bounce: TRIGGER_STOP_REASONS_ALWAYS). The code that stops enrollments
# takes its triggers from here (followup.sequence._followup_stop_triggers) and the
# sequence form says it in words (followup.sequence.trigger_rules): the two cannot
# drift apart. "origin_cancelled" ends the follow-ups of a cancelled or deleted
# document; it is listed for the triggers whose enrollments are still running when
# their document can be cancelled. A companion add-on adds its triggers and reasons
# (followup.sequence._followup_trigger_stop_reasons).
TRIGGER_STOP_REASONS = {
    "manual": ("origin_cancelled",),
    "partner_inactive": (),
    "question_received": ("employee_replied", "origin_cancelled"),
    "stage_reached": (),
}
TRIGGER_STOP_REASONS_ALWAYS = (
    "replied",
    "consent_withdrawn",
    "bounced",
    "partner_archived",
    "partner_merged",
)


class FollowupSequenceTriggers(models.AbstractModel):
    """Triggers: the automatic enrollments fired by a document's event (a meeting
    done, a question received, a stage reached), each sequence isolated, and what a
    failing one says on its form; the model of the documents each trigger follows up."""

    _name = "followup.sequence.triggers"
    _description = "Follow-up Sequence: Triggers"

    # Chosen for a sequence started by hand; a trigger's documents are the trigger's
    # (_followup_trigger_models), whatever this says. Not computed from the trigger:
    # the triggers of companions not loaded yet would read as contacts during an update.
    document_model = fields.Selection(
        selection="_selection_document_model",
        string="Follows",
        default="res.partner",
        help="The documents this sequence follows up: its steps' conditions filter "
        "them, its templates are written for them (or for contacts), and people enter "
        "it from them. A trigger sets it (a confirmed order follows sales orders); a "
        "sequence started by hand follows what you choose.",
    )
    document_label = fields.Char(
        string="Follows Up",
        compute="_compute_document_label",
        help="The documents this sequence follows up, those of its trigger.",
    )
    trigger_rules = fields.Html(
        string="Starts and Stops",
        compute="_compute_trigger_rules",
        sanitize=False,
        help="When a person enters this sequence by itself, and what ends their "
        "follow-up before its last step, for the chosen trigger.",
    )

    # ------------------------------------------------------------------ followed-up models

    def _followup_trigger_model(self):
        """Model of the documents this sequence follows up: its trigger's, or the one
        chosen for a sequence started by hand (``document_model``)."""
        self.ensure_one()
        if self.trigger == "manual" and self.document_model:
            return self.document_model
        return self._followup_trigger_models().get(self.trigger, "res.partner")

    @api.depends("trigger", "document_model")
    @api.depends_context("lang")
    def _compute_document_label(self):
        labels = dict(self._selection_document_model())
        for sequence in self:
            model = sequence._followup_trigger_model() if sequence.trigger else False
            sequence.document_label = labels.get(model, model) if model else False

    @api.model
    def _selection_document_model(self):
        """The documents a sequence may follow up (``_followup_origin_models`` and the
        triggers' models), named as the menus name them."""
        labels = self._followup_document_labels()
        models = dict.fromkeys(
            [*self._followup_origin_models(), *self._followup_trigger_models().values()]
        )
        return [
            (model, labels.get(model) or self.env[model]._description)
            for model in models
            if model in self.env
        ]

    @api.model
    def _followup_document_labels(self):
        """{model: what its documents are called, in the plural}; a companion add-on
        that adds a followed-up model names it here."""
        return {"res.partner": self.env._("Contacts")}

    @api.model
    def _followup_trigger_models(self):
        """{trigger: model of the documents it follows up} (TRIGGER_MODELS); a
        companion add-on that adds a trigger adds its model here."""
        return dict(TRIGGER_MODELS)

    @api.model
    def _followup_trigger_stop_reasons(self):
        """{trigger: stop reasons that end its enrollments by themselves}
        (TRIGGER_STOP_REASONS); a companion add-on adds its triggers and the reasons
        its documents give."""
        return dict(TRIGGER_STOP_REASONS)

    @api.model
    def _followup_stop_triggers(self, reason):
        """The triggers whose enrollments ``reason`` ends."""
        return tuple(
            trigger
            for trigger, reasons in self._followup_trigger_stop_reasons().items()
            if reason in reasons
        )

    def _followup_template_models(self):
        """Models a step's template, SMS template or server action may be written for."""
        self.ensure_one()
        return {self._followup_trigger_model(), "res.partner"}

    def _followup_accepts_origin_model(self, model):
        """Whether documents of ``model`` can be followed up by this sequence: its
        templates are on the trigger's model, so only that one, unless they are on
        contacts (manual and inactivity sequences), which fit any document."""
        self.ensure_one()
        trigger_model = self._followup_trigger_model()
        if trigger_model == "res.partner":
            return model in self._followup_origin_models()
        return model == trigger_model

    @api.model
    def _followup_origin_models(self):
        """Models that may be followed up (an enrollment's origin); override to add one."""
        return ["res.partner"]

    @api.model
    def _followup_question_origin_models(self):
        """Models of the documents where a customer's question is answered by
        employees: an employee's message there stops the question_received
        sequences. Override to add one (the documents that take questions)."""
        return []

    # ------------------------------------------------------------------ starts and stops

    @api.depends("trigger", "trigger_stage", "stop_on_reply", "document_model")
    @api.depends_context("lang")
    def _compute_trigger_rules(self):
        starts = self._followup_start_sentences()
        clauses = self._followup_stop_clauses()
        documents = dict(self._selection_document_model())
        for sequence in self:
            if not sequence.trigger:
                sequence.trigger_rules = False
                continue
            start = starts[sequence.trigger]
            if sequence.trigger == "manual" and sequence.document_model not in (
                False,
                "res.partner",
            ):
                # Started by hand from the documents it follows: say which.
                start = self.env._(
                    "Starts when a user enrolls people by hand from their %(documents)s "
                    "(Enroll on the document); each follows up its document.",
                    documents=documents.get(sequence.document_model, sequence.document_model),
                )
            reasons = [reason for reason in sequence._followup_stop_reasons() if reason in clauses]
            sequence.trigger_rules = Markup("<p>%s</p><p class='mb-0'>%s</p><ul>%s</ul>") % (
                start,
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
