from odoo import api, fields, models
from odoo.osv import expression

from ..policy import vocabulary
from .followup_delivery import DELIVERY_STATES, QUEUED, STATE_OF_STATUS

DISPATCH_DELIVERY_STATES = [(QUEUED, "Queued"), *DELIVERY_STATES]


class FollowupDispatch(models.Model):
    """One row per decision taken on a due step: done, deferred (and until when),
    suppressed or failed, with the reason in words. The "why" log of follow-ups.

    The sentence is composed when it is read, by the named mixins
    ``followup.dispatch.sentence`` (what happened as a code and plain details, and how
    a sentence is composed from them) and one per family of sentences:
    ``followup.dispatch.sentence.done`` (done, failed, skipped), ``.deferred``,
    ``.suppressed`` (and "allowed"), ``.register`` (the Italian opt-out register).

    The delivery of a decision: the row stays as decided ("done: e-mail queued"); what
    Odoo's queues learnt since is read from Odoo's notification of its message
    (``notification_id``) and what its ``followup.delivery`` adds (followup_delivery.py).
    A done row that queued an e-mail or a text message (it links the chatter message) is
    *Queued* until Odoo learns more; rows of other steps have no delivery.
    """

    _name = "followup.dispatch"
    _description = "Follow-up Dispatch"
    _inherit = [
        "followup.dispatch.sentence",
        "followup.dispatch.sentence.done",
        "followup.dispatch.sentence.deferred",
        "followup.dispatch.sentence.suppressed",
        "followup.dispatch.sentence.register",
    ]
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
    # Odoo's queues find the decision of a mail or a message by these links.
    mail_id = fields.Many2one(
        "mail.mail", string="E-mail", ondelete="set null", index="btree_not_null"
    )
    message_id = fields.Many2one("mail.message", ondelete="set null", index="btree_not_null")
    notification_id = fields.Many2one(
        "mail.notification",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="Odoo's notification of the message to the partner: where Odoo tracks its "
        "delivery (queued, sent, not sent, bounced; the failure and its reason).",
    )
    mail_sending_started = fields.Datetime(
        readonly=True,
        copy=False,
        help="Set, and committed on its own, right before the mail queue hands this "
        "decision's e-mail to the mail server; cleared once the queue has recorded the "
        "outcome. Still set on an e-mail still queued: the sending was interrupted (a "
        "worker killed, the database restarted) and the e-mail is not sent again "
        "(mail_mail.py).",
    )
    idempotency_key = fields.Char(
        readonly=True,
        copy=False,
        help="Set on the row that performs a step, to <enrollment id>-<step id> "
        "(see _followup_idempotency_key): the database refuses a second one, so a step "
        "of an enrollment is done at most once even when two workers race. Rows that "
        "only record a decision (deferred, suppressed) leave it empty.",
    )
    delivery_ids = fields.One2many(
        "followup.delivery", "dispatch_id", string="Deliveries", readonly=True
    )
    delivery_state = fields.Selection(
        DISPATCH_DELIVERY_STATES,
        string="Delivery",
        compute="_compute_delivery",
        search="_search_delivery_state",
        help="What became of the e-mail or text message this step queued, as Odoo's "
        "queues learnt it (its notification): queued, sent, not sent (failed) or bounced.",
    )
    delivery_reason = fields.Text(
        compute="_compute_delivery", help="Why it was not delivered, as Odoo learnt it."
    )
    delivery_date = fields.Datetime(
        compute="_compute_delivery", help="When Odoo learnt the delivery state."
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
    def _followup_name_copies(self, sequence, step):
        """The values of ``sequence_name`` and ``step_name`` for a new row about ``step``
        of ``sequence``, as ``_compute_names`` gives them (in this environment's
        language), read from memory: a create given every precomputed field builds no
        draft record per row to compute them (``_add_precomputed_values``)."""
        return {
            "sequence_name": sequence.with_env(self.env).name,
            "step_name": step.with_env(self.env).name,
        }

    @api.model
    def _followup_idempotency_key(self, enrollment, step):
        """The key of "this step of this enrollment" (records or ids)."""
        enrollment_id = enrollment if isinstance(enrollment, int) else enrollment.id
        step_id = step if isinstance(step, int) else step.id
        return f"{enrollment_id}-{step_id}"

    # ------------------------------------------------------------------ rows

    @api.model
    def _followup_log_vals(self, outcome):
        """Values of the row logging ``outcome`` (a followup_outcome.StepOutcome)."""
        vals = {
            "enrollment_id": outcome.enrollment.id,
            # The enrollment's copies, from the claimed enrollment in memory.
            **self._followup_enrollment_copies(outcome.enrollment),
            **self._followup_name_copies(outcome.enrollment.sequence_id, outcome.step),
            "step_id": outcome.step.id,
            "user_id": outcome.user.id if outcome.user else False,
            "purpose": outcome.step.sequence_id.purpose,
            "channel": outcome.channel,
            "state": outcome.log_state,
            "reason": outcome.log_reason,
            "next_try": outcome.next_try or False,
            **self._followup_note_vals(outcome),
        }
        if outcome.performs:
            vals["idempotency_key"] = self._followup_idempotency_key(
                outcome.enrollment, outcome.step
            )
        return vals

    @api.model
    def _followup_note_vals(self, outcome):
        """The stored half of the sentence of ``outcome``: its code, its details, and
        the plain copy in the company's language (for full-text search)."""
        code, details = self._followup_describe(outcome)
        company = outcome.enrollment.company_id or self.env.company
        return {
            "note_code": code,
            "note_data": details,
            "note_text": self._followup_company_note(company, code, details),
        }

    @api.model
    def _followup_company_note(self, company, code, details):
        """The sentence as the company reads it: its partner's language and time zone."""
        partner = company.partner_id
        company_reader = self.with_context(
            lang=partner.lang or self.env.lang or "en_US", tz=partner.tz or False
        )
        return company_reader._followup_note(code, details)

    # ------------------------------------------------------------------ read

    @api.depends("note_code", "note_data", "note_text")
    @api.depends_context("lang", "tz", "uid")
    def _compute_note(self):
        reader = self._followup_reader_self()
        for row in self:
            if row.note_code:
                row.note = reader._followup_note(row.note_code, row.note_data or {})
            else:
                # Written before 18.0.1.2.0, or given as a plain sentence.
                row.note = row.note_text

    def _inverse_note(self):
        """A sentence written as such (by a script, an import) is kept as it is."""
        for row in self:
            row.write({"note_text": row.note, "note_code": False, "note_data": False})

    @api.model
    def _search_note(self, operator, value):
        """Search the plain copy in the company's language: the sentence composed for
        each reader exists only when read."""
        return [("note_text", operator, value)]

    # ------------------------------------------------------------------ delivery

    @api.model
    def _followup_delivery_tracked_domain(self):
        """Rows whose delivery is followed: done rows that queued a message (the e-mail
        and text message adapters link it)."""
        return [("state", "=", "done"), ("message_id", "!=", False)]

    @api.depends(
        "state",
        "message_id",
        "notification_id.notification_status",
        "notification_id.failure_type",
        "notification_id.failure_reason",
        "delivery_ids.bounce_what",
        "delivery_ids.bounce_reason",
        "delivery_ids.kept_state",
        "delivery_ids.date",
    )
    def _compute_delivery(self):
        facts = self.env["followup.delivery"]._followup_facts(self)
        for dispatch in self:
            state, _failure_type, reason = facts.get(dispatch.id, (False, False, False))
            dispatch.delivery_state = state
            dispatch.delivery_reason = reason
            dispatch.delivery_date = (
                dispatch.delivery_ids[:1].date if state not in (False, QUEUED) else False
            )

    @api.model
    def _search_delivery_state(self, operator, value):
        """The rows in these states, read as ``followup.delivery._followup_facts`` reads
        them: a bounce the add-on read, else Odoo's notification, else what it said when
        Odoo deleted it, else queued for a row that queued a message."""
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(operator)
        values = set(value) if isinstance(value, (list, tuple, set)) else {value}
        read_bounce = [("delivery_ids", "any", [("bounce_what", "!=", False)])]
        no_read_bounce = [("delivery_ids", "not any", [("bounce_what", "!=", False)])]
        gone = [("notification_id", "=", False)]

        def told(state):
            statuses = [status for status, read in STATE_OF_STATUS.items() if read == state]
            return [("notification_id.notification_status", "in", statuses)]

        def kept(states):
            return [*gone, ("delivery_ids", "any", [("kept_state", "in", states)])]

        nothing_kept = [*gone, ("delivery_ids", "not any", [("kept_state", "!=", False)])]
        tracked = self._followup_delivery_tracked_domain()
        domains = []
        if "bounced" in values:
            domains += [read_bounce, told("bounced"), kept(["bounced"])]
        for state in sorted(values & {"sent", "failed"}):
            domains.append(
                expression.AND([no_read_bounce, expression.OR([told(state), kept([state])])])
            )
        if QUEUED in values:
            domains.append(
                expression.AND(
                    [
                        no_read_bounce,
                        expression.OR([told(QUEUED), expression.AND([tracked, nothing_kept])]),
                    ]
                )
            )
        if False in values or None in values:
            domains.append(
                expression.AND(
                    [
                        no_read_bounce,
                        nothing_kept,
                        ["!", *expression.normalize_domain(tracked)],
                    ]
                )
            )
        domain = expression.OR(domains) if domains else expression.FALSE_DOMAIN
        if operator in ("!=", "not in"):
            return ["!", *expression.normalize_domain(domain)]
        return domain

    # ------------------------------------------------------------------ finders

    @api.model
    def _followup_of_mails(self, mail_ids):
        """{mail.mail id: dispatch row} of the follow-up e-mails among ``mail_ids``."""
        # sudo: only the links are read, to record the delivery of our own e-mails,
        # whoever sends the queue.
        rows = self.sudo().search([("mail_id", "in", list(mail_ids))])
        return {row.mail_id.id: row for row in rows}

    @api.model
    def _followup_of_messages(self, message_ids):
        """{mail.message id: dispatch row} of the follow-up messages among
        ``message_ids``."""
        # sudo: as above, for the gateway (bounces) and other queues' delivery reports.
        rows = self.sudo().search([("message_id", "in", list(message_ids))])
        return {row.message_id.id: row for row in rows}
