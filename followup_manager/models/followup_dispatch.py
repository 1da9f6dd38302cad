from odoo import api, fields, models

from ..policy import vocabulary


class FollowupDispatch(models.Model):
    """One row per decision taken on a due step: done, deferred (and until when),
    suppressed or failed, with the reason in words. The "why" log of follow-ups."""

    _name = "followup.dispatch"
    _description = "Follow-up Dispatch"
    _order = "create_date desc, id desc"
    _rec_name = "step_id"
    _check_company_auto = True

    # The log outlives its enrollment: a deleted enrollment leaves its rows, with their
    # copies of the sequence, partner and company, for the contact cap counts them and
    # the "why" log keeps them. Every row is written with its enrollment.
    enrollment_id = fields.Many2one(
        "followup.enrollment", index=True, ondelete="set null", check_company=True
    )
    step_id = fields.Many2one("followup.step", index=True, ondelete="set null", check_company=True)
    # Copies of the enrollment's, kept current like stored related fields. Not
    # ``related=``: the ORM drops the values given for a read-only related field and
    # builds a draft record per row to compute them again, which the dispatch, writing
    # hundreds of rows at once from enrollments it already holds, need not pay
    # (``_followup_enrollment_copies``). Nobody may write the log (no access, no
    # editable view): ``readonly=False`` only keeps the values given at creation.
    sequence_id = fields.Many2one(
        "followup.sequence",
        compute="_compute_enrollment_copies",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        compute="_compute_enrollment_copies",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_enrollment_copies",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
    )
    # The names as they were when the row was written: the row still says which step
    # of which sequence it was about once they are deleted (step_id, sequence_id empty).
    sequence_name = fields.Char(
        compute="_compute_names", store=True, precompute=True, readonly=False
    )
    step_name = fields.Char(compute="_compute_names", store=True, precompute=True, readonly=False)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        help="Salesperson of the followed-up document, or the user the activity was assigned to.",
    )
    purpose = fields.Selection(vocabulary.selection(vocabulary.PURPOSE_LABELS))
    channel = fields.Selection(vocabulary.selection(vocabulary.STEP_CHANNEL_LABELS))
    state = fields.Selection(
        vocabulary.selection(vocabulary.DISPATCH_STATE_LABELS), required=True, index=True
    )
    reason = fields.Selection(vocabulary.selection(vocabulary.REASON_LABELS))
    # The sentence is composed when it is read, in the reader's language (see
    # followup_dispatch_sentence.py): the row keeps what was decided (note_code,
    # note_data) and a plain copy in its company's language (note_text) for full-text
    # search and for rows written before 18.0.1.2.0, which have no details.
    note = fields.Text(
        compute="_compute_note",
        inverse="_inverse_note",
        search="_search_note",
        help="What happened, in a sentence a person understands, in the reader's language.",
    )
    note_code = fields.Char(
        readonly=True, help="Which sentence tells what happened (followup_dispatch_sentence.py)."
    )
    note_data = fields.Json(
        readonly=True,
        help="The figures and names of the sentence (dates in UTC), to compose it in "
        "any language.",
    )
    note_text = fields.Text(
        string="Note (company language)",
        readonly=True,
        help="The sentence in the company's language, as written; searched when "
        "searching the note.",
    )
    next_try = fields.Datetime(help="When a deferred step will be tried again (UTC).")
    activity_id = fields.Many2one("mail.activity", ondelete="set null")
    mail_id = fields.Many2one("mail.mail", string="E-mail", ondelete="set null")
    message_id = fields.Many2one("mail.message", ondelete="set null")
    idempotency_key = fields.Char(
        readonly=True,
        copy=False,
        help="Set on the row that performs a step, to <enrollment id>-<step id> "
        "(see _followup_idempotency_key): the database refuses a second one, so a step "
        "of an enrollment is done at most once even when two workers race. Rows that "
        "only record a decision (deferred, suppressed) leave it empty.",
    )

    _sql_constraints = [
        (
            "idempotency_key_unique",
            "UNIQUE(idempotency_key)",
            "This step of this enrollment has already been dispatched.",
        ),
    ]

    #: {log field: enrollment field} of the copies above.
    _FOLLOWUP_ENROLLMENT_COPIES = {
        "sequence_id": "sequence_id",
        "partner_id": "partner_id",
        "company_id": "company_id",
    }

    @api.depends(
        "enrollment_id.sequence_id", "enrollment_id.partner_id", "enrollment_id.company_id"
    )
    def _compute_enrollment_copies(self):
        for row in self:
            if not row.enrollment_id and row.id:
                # The enrollment was deleted: the copies are all that is left of it.
                continue
            for name, source in self._FOLLOWUP_ENROLLMENT_COPIES.items():
                row[name] = row.enrollment_id[source]

    @api.depends("sequence_id", "step_id")
    def _compute_names(self):
        for row in self:
            for name, record in (("sequence_name", row.sequence_id), ("step_name", row.step_id)):
                if record or not row.id:
                    row[name] = record.name
                # else: deleted since; the copy is all that is left of its name.

    @api.model
    def _followup_enrollment_copies(self, enrollment):
        """The values of the copies for a row of ``enrollment`` (read from memory)."""
        return {
            name: enrollment[source].id
            for name, source in self._FOLLOWUP_ENROLLMENT_COPIES.items()
        }

    @api.model
    def _followup_idempotency_key(self, enrollment, step):
        """The key of "this step of this enrollment" (records or ids)."""
        enrollment_id = enrollment if isinstance(enrollment, int) else enrollment.id
        step_id = step if isinstance(step, int) else step.id
        return f"{enrollment_id}-{step_id}"
