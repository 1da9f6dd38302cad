import logging
from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, clean_context, safe_eval

from ..policy import vocabulary
from .tools import check_integer_vals, note_lang

_logger = logging.getLogger(__name__)

# The document a sequence follows up, per trigger: its mail templates, SMS templates
# and server actions must be written for this model (or for res.partner, which every
# enrollment has). Manual sequences follow the partner up: their templates are on
# res.partner, so they can be used from any document.
TRIGGER_MODELS = {
    "manual": "res.partner",
    "sale_order_confirmed": "sale.order",
    "lead_won": "crm.lead",
    "lead_lost": "crm.lead",
    "partner_inactive": "res.partner",
    "quotation_sent": "sale.order",
    "meeting_done": "calendar.event",
    # A question arrives on an opportunity or on a sale order: its templates are on
    # the partner, the one model both documents share.
    "question_received": "res.partner",
    "stage_reached": "res.partner",
}

# Sequences that try to win a customer back: a new confirmed order ends them (and the
# sequences of the stage "inactive", which partner_inactive is an alias of).
REENGAGEMENT_TRIGGERS = ("lead_lost", "partner_inactive")
# The lifecycle stages a stage_reached sequence can start on (not "visitor": every
# contact starts there, nothing is reached).
TRIGGER_STAGES = [
    ("prospect", "Prospect"),
    ("customer", "Customer"),
    ("loyal", "Loyal"),
    ("inactive", "Inactive"),
]


class FollowupSequence(models.Model):
    _name = "followup.sequence"
    _description = "Follow-up Sequence"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    purpose = fields.Selection(
        vocabulary.selection(vocabulary.PURPOSE_LABELS),
        required=True,
        default="marketing",
        tracking=True,
        help="Marketing: contacts need the person's consent (or a valid soft opt-in for "
        "e-mail). Service: after-sale care or complaint handling, based on the contract; "
        "objections and channel preferences are still honoured.",
    )
    trigger = fields.Selection(
        [
            ("manual", "Manual"),
            ("sale_order_confirmed", "Sale order confirmed"),
            ("lead_won", "Opportunity won"),
            ("lead_lost", "Opportunity lost"),
            ("partner_inactive", "Customer became inactive"),
            ("quotation_sent", "Quotation sent"),
            ("meeting_done", "Meeting done"),
            ("question_received", "Question received"),
            ("stage_reached", "Lifecycle stage reached"),
        ],
        required=True,
        default="manual",
        tracking=True,
        help="What enrolls partners automatically. Any sequence can also be started by "
        "hand from a partner, an opportunity or a sale order.",
    )
    trigger_stage = fields.Selection(
        TRIGGER_STAGES,
        string="Stage",
        tracking=True,
        help="The lifecycle stage whose reaching starts this sequence (trigger "
        "“Lifecycle stage reached”). “Inactive” is the same moment as the trigger "
        "“Customer became inactive”.",
    )
    origin_model = fields.Char(
        string="Followed-up Model",
        compute="_compute_origin_model",
        store=True,
        precompute=True,
        help="Model of the document this sequence follows up; its templates must be on "
        "this model or on Contact.",
    )
    partner_domain = fields.Char(
        string="Who May Enter",
        default="[]",
        help="Only partners matching this filter are enrolled.",
    )
    stop_on_reply = fields.Boolean(
        compute="_compute_stop_on_reply",
        store=True,
        precompute=True,
        readonly=False,
        help="Stop following a partner up as soon as they reply on the followed-up document. "
        "A question sequence never stops on the person's own messages (they are the "
        "question): it stops when an employee answers.",
    )
    step_ids = fields.One2many("followup.step", "sequence_id", string="Steps", copy=True)
    followup_error = fields.Text(
        string="Last Enrollment Error",
        readonly=True,
        copy=False,
        help="Why the last automatic enrollment (a confirmed order, a won or lost "
        "opportunity, an inactive customer) was skipped. Cleared when the sequence is "
        "edited or enrolls again.",
    )
    step_count = fields.Integer(compute="_compute_step_count")
    enrollment_ids = fields.One2many("followup.enrollment", "sequence_id")
    enrollment_active_count = fields.Integer(
        string="Active Enrollments", compute="_compute_enrollment_counts"
    )
    enrollment_done_count = fields.Integer(
        string="Finished Enrollments", compute="_compute_enrollment_counts"
    )
    enrollment_stopped_count = fields.Integer(
        string="Stopped Enrollments", compute="_compute_enrollment_counts"
    )

    @api.depends("trigger")
    def _compute_origin_model(self):
        for sequence in self:
            sequence.origin_model = sequence._followup_trigger_model()

    @api.depends("trigger")
    def _compute_stop_on_reply(self):
        # Another message of the person who asked is no answer; an employee's is.
        for sequence in self:
            sequence.stop_on_reply = sequence.trigger != "question_received"

    @api.depends("step_ids")
    def _compute_step_count(self):
        for sequence in self:
            sequence.step_count = len(sequence.step_ids)

    def _compute_enrollment_counts(self):
        counts = defaultdict(int)
        if self.ids:
            groups = self.env["followup.enrollment"]._read_group(
                [("sequence_id", "in", self.ids)], ["sequence_id", "state"], ["__count"]
            )
            for sequence, state, count in groups:
                counts[sequence.id, state] = count
        for sequence in self:
            sequence.enrollment_active_count = counts[sequence.id, "active"]
            sequence.enrollment_done_count = counts[sequence.id, "done"]
            sequence.enrollment_stopped_count = counts[sequence.id, "stopped"]

    # ------------------------------------------------------------------ constraints

    @api.constrains("active", "step_ids")
    def _check_steps_when_active(self):
        for sequence in self:
            if sequence.active and not sequence.step_ids:
                raise ValidationError(
                    self.env._(
                        "The sequence “%(name)s” has no steps: add at least one step "
                        "before activating it.",
                        name=sequence.name,
                    )
                )

    @api.constrains("trigger", "trigger_stage")
    def _check_trigger_stage(self):
        for sequence in self:
            if sequence.trigger == "stage_reached" and not sequence.trigger_stage:
                raise ValidationError(
                    self.env._(
                        "The sequence “%(name)s” starts when a lifecycle stage is reached: "
                        "choose the stage.",
                        name=sequence.name,
                    )
                )

    @api.constrains("purpose")
    def _check_purpose_of_urgent_steps(self):
        # A sequence turned to marketing cannot keep steps that pass the cap.
        self.step_ids._check_urgent()

    @api.constrains("trigger")
    def _check_trigger_templates(self):
        # Changing the trigger changes the followed-up model: the steps' templates
        # must still fit.
        self.step_ids._check_action_target_model()

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        """Run the filter once, as enrolling will: a filter that is valid Python but
        that the database rejects (``[('id', '=', 'abc')]``) is refused here, where the
        person who wrote it can fix it, not when a salesperson confirms an order."""
        # sudo: only whether the filter runs is checked; the count is discarded, and
        # the automatic enrollments run it with these rights too.
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        for sequence in self:
            try:
                with self.env.cr.savepoint():
                    Partner.search_count(sequence._followup_partner_domain(), limit=1)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The filter “Who May Enter” of the sequence “%(name)s” is not a "
                        "valid filter on contacts: %(error)s",
                        name=sequence.name,
                        error=self._followup_error_sentence(error),
                    )
                ) from error

    # ------------------------------------------------------------------ helpers

    def _followup_trigger_model(self):
        """Model of the documents this sequence follows up; override for new triggers."""
        self.ensure_one()
        return TRIGGER_MODELS.get(self.trigger, "res.partner")

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

    def _followup_partner_domain(self):
        """The sequence's partner filter as a domain list; override to add conditions."""
        self.ensure_one()
        eval_context = {
            "datetime": safe_eval.datetime,
            "dateutil": safe_eval.dateutil,
            "time": safe_eval.time,
            "relativedelta": safe_eval.dateutil.relativedelta.relativedelta,
            "context_today": lambda: fields.Date.context_today(self),
            "uid": self.env.uid,
            "user": self.env.user,
        }
        domain = safe_eval.safe_eval(self.partner_domain or "[]", eval_context)
        if not isinstance(domain, list | tuple):
            raise TypeError(self.env._("a filter must be a list of conditions"))
        return list(domain)

    @api.model
    def _followup_origin_models(self):
        """Models that may be followed up (an enrollment's origin); override to add one."""
        return ["res.partner", "sale.order", "crm.lead", "calendar.event"]

    # ------------------------------------------------------------------ enrollment

    def enroll(self, partner_ids, origin_model=False, origin_id=False):
        """Enroll partners in these sequences and return the enrollment ids.

        :param partner_ids: ids (or a recordset) of res.partner
        :param origin_model: model of the followed-up document; without it the
            partner itself is followed up (its thread receives the notes and replies)
        :param origin_id: id of the followed-up document
        :return: ids of the enrollments created (partners already active in a sequence
            for the same origin, or outside its filter, are skipped)
        """
        # Enrolling creates enrollments: refused upfront to whoever may not (auditors
        # read sequences), even when every partner turns out to be enrolled already.
        self.env["followup.enrollment"].check_access("create")
        if isinstance(partner_ids, models.BaseModel):
            partner_ids = partner_ids.ids
        partner_ids = [int(pid) for pid in partner_ids or []]
        if origin_model and not origin_id or origin_id and not origin_model:
            raise UserError(self.env._("Give both the origin model and the origin id, or none."))
        if origin_model:
            if origin_model not in self._followup_origin_models():
                raise UserError(
                    self.env._(
                        "Documents of model %(model)s cannot be followed up.", model=origin_model
                    )
                )
            origin = self.env[origin_model].browse(int(origin_id))
            # Following a document up means posting on it: the caller must see it.
            origin.check_access("read")
            if not origin.exists():
                raise UserError(self.env._("The document to follow up does not exist."))
            targets = [(pid, origin_model, origin.id) for pid in partner_ids]
        else:
            targets = [(pid, "res.partner", pid) for pid in partner_ids]
        return self._followup_enroll(targets).ids

    def _followup_check_enrollable(self, targets):
        """Raise unless ``targets`` [(partner id, origin model, origin id)] may enter
        every sequence of ``self``: the sequence is active and its templates fit the
        documents. No query per target: also run before queueing a mass enrollment."""
        models = {model for _pid, model, _oid in targets}
        for sequence in self:
            if not sequence.active:
                raise UserError(
                    self.env._(
                        "The sequence “%(name)s” is archived: activate it before enrolling "
                        "anyone.",
                        name=sequence.name,
                    )
                )
            wrong = {
                model for model in models if not sequence._followup_accepts_origin_model(model)
            }
            if wrong:
                raise UserError(
                    self.env._(
                        "The sequence “%(name)s” follows up %(expected)s documents, not "
                        "%(given)s: its templates would not fit.",
                        name=sequence.name,
                        expected=sequence._followup_trigger_model(),
                        given=", ".join(sorted(wrong)),
                    )
                )

    def _followup_enroll(self, targets):
        """Enroll ``(partner_id, origin_model, origin_id)`` triples in every sequence of
        ``self``, in a number of queries that does not depend on the number of triples.

        Partners outside a sequence's filter (or archived) are skipped, as well as
        triples already active in the sequence. Returns the new enrollments.
        """
        Enrollment = self.env["followup.enrollment"]
        targets = list(dict.fromkeys(targets))
        if not self or not targets:
            return Enrollment
        self._followup_check_enrollable(targets)
        partner_ids = list({pid for pid, _model, _oid in targets})
        origin_pairs = {(model, oid) for _pid, model, oid in targets}
        # One query per sequence for its filter, one for the duplicates of all sequences.
        allowed = {
            sequence: set(
                self.env["res.partner"]._search(
                    expression.AND(
                        [[("id", "in", partner_ids)], sequence._followup_partner_domain()]
                    )
                )
            )
            for sequence in self
        }
        existing = Enrollment.search_fetch(
            [
                ("sequence_id", "in", self.ids),
                ("state", "in", list(vocabulary.RUNNING_STATES)),
                ("partner_id", "in", partner_ids),
                ("origin_model", "in", list({model for model, _oid in origin_pairs})),
                ("origin_id", "in", list({oid for _model, oid in origin_pairs})),
            ],
            ["sequence_id", "partner_id", "origin_model", "origin_id"],
        )
        active_keys = {
            (e.sequence_id.id, e.partner_id.id, e.origin_model, e.origin_id) for e in existing
        }
        now = fields.Datetime.now()
        entries = []
        for sequence in self:
            first_step = sequence.step_ids[:1]
            entries += [
                (sequence, first_step, pid, model, oid)
                for pid, model, oid in targets
                if pid in allowed[sequence] and (sequence.id, pid, model, oid) not in active_keys
            ]
        if not entries:
            return Enrollment
        # The first due date goes in the values (no UPDATE after the INSERT), computed
        # once per step and partner calendar.
        dates = Enrollment._followup_due_dates(
            [(pid, step) for _s, step, pid, _m, _o in entries], now
        )
        vals_list = [
            {
                "sequence_id": sequence.id,
                "partner_id": pid,
                "origin_model": model,
                "origin_id": oid,
                "date_start": now,
                "next_step_id": step.id,
                "next_date": due,
                # A paused sequence takes people in, and keeps them in place.
                "state": vocabulary.PAUSED if sequence.paused else vocabulary.ACTIVE,
                "paused_by_sequence": sequence.paused,
            }
            for (sequence, step, pid, model, oid), due in zip(entries, dates, strict=True)
        ]
        # The chatter of the origin gets one note (below), not one per enrollment.
        # Without the caller's default_* keys: an enrollment is not what the screen or
        # the mail gateway that triggered it was creating (crm.lead.message_new sets
        # default_user_id=False, which would blank the salesperson).
        with Enrollment._followup_door_open():
            enrollments = Enrollment.with_context(
                clean_context(self.env.context),
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_notrack=True,
            ).create(vals_list)
        enrollments._followup_log_on_origins("started")
        enrollments._followup_wake_dispatch()
        return enrollments.with_env(self.env)

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

    # ------------------------------------------------------------------ ORM

    # Editing any of these may fix what made an automatic enrollment fail.
    _FOLLOWUP_CONFIG_FIELDS = (
        "active",
        "company_id",
        "partner_domain",
        "step_ids",
        "trigger",
        "trigger_stage",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_integer_vals(self, vals_list, ("sequence",))
        return super().create(vals_list)

    def write(self, vals):
        check_integer_vals(self, [vals], ("sequence",))
        if "followup_error" not in vals and vals.keys() & set(self._FOLLOWUP_CONFIG_FIELDS):
            vals = dict(vals, followup_error=False)
        res = super().write(vals)
        if "active" in vals and not vals["active"]:
            self.env["followup.enrollment"].search(
                [("sequence_id", "in", self.ids), ("state", "in", list(vocabulary.RUNNING_STATES))]
            )._stop("sequence_archived")
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "name" in default:
            return vals_list
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=sequence.name))
            for sequence, vals in zip(self, vals_list, strict=True)
        ]

    # ------------------------------------------------------------------ actions

    def action_view_enrollments(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_enrollment_action"
        )
        action["domain"] = [("sequence_id", "=", self.id)]
        action["context"] = {"default_sequence_id": self.id, "search_default_filter_active": 1}
        return action

    # --- Insight: forecast and performance (issue 7: forecast and reporting) ----
    contacted_count = fields.Integer(
        string="Contacted",
        compute="_compute_performance",
        help="Enrollments with at least one step done.",
    )
    replied_count = fields.Integer(
        string="Replied",
        compute="_compute_performance",
        help="Contacted enrollments whose partner wrote on the followed-up document after "
        "the first step was done.",
    )
    reply_rate = fields.Float(
        compute="_compute_performance", help="Replied divided by contacted enrollments."
    )
    converted_count = fields.Integer(
        string="Ordered",
        compute="_compute_performance",
        help="Enrollments after whose start the customer confirmed a sale order (the "
        "followed-up order itself not counted).",
    )
    conversion_rate = fields.Float(
        string="Order Rate",
        compute="_compute_performance",
        help="Enrollments followed by an order, divided by all enrollments.",
    )
    order_count = fields.Integer(
        string="Orders After Enrollment",
        compute="_compute_performance",
        help="Confirmed sale orders of the enrolled customers after their enrollment "
        "started (each order counted once).",
    )
    optout_count = fields.Integer(
        string="Opt-outs",
        compute="_compute_performance",
        help="Consent withdrawals blamed on the steps of this sequence (see the steps).",
    )

    def _compute_performance(self):
        stats = self._followup_performance()
        sequence_of_step = {step.id: step.sequence_id.id for step in self.step_ids}
        optouts = defaultdict(int)
        for step_id, values in self.step_ids._followup_performance().items():
            optouts[sequence_of_step[step_id]] += values[3]
        for sequence in self:
            enrolled, contacted, replied, converted, orders = stats.get(sequence.id, (0,) * 5)
            sequence.contacted_count = contacted
            sequence.replied_count = replied
            sequence.reply_rate = replied / contacted if contacted else 0.0
            sequence.converted_count = converted
            sequence.conversion_rate = converted / enrolled if enrolled else 0.0
            sequence.order_count = orders
            sequence.optout_count = optouts[sequence.id]

    def _followup_performance(self):
        """{sequence id: (enrolled, contacted, replied, converted, orders)}, in ONE query.

        Aggregates only, over the enrollments of sequences the user can read; the
        messages and orders are counted, never returned."""
        sequences = self.filtered("id")
        if not sequences:
            return {}
        for model in (
            "followup.dispatch",
            "followup.enrollment",
            "mail.message",
            "sale.order",
            "res.partner",
        ):
            self.env[model].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH enrollment AS (
                    SELECT e.id, e.sequence_id, e.origin_model, e.origin_id, e.date_start,
                           p.commercial_partner_id AS commercial_id,
                           (SELECT min(d.create_date) FROM followup_dispatch d
                             WHERE d.enrollment_id = e.id AND d.state = 'done') AS first_done
                      FROM followup_enrollment e
                      JOIN res_partner p ON p.id = e.partner_id
                     WHERE e.sequence_id = ANY(%(ids)s)
                ),
                ordered AS (
                    SELECT DISTINCT e.sequence_id, e.id AS enrollment_id, o.id AS order_id
                      FROM enrollment e
                      JOIN res_partner buyer ON buyer.commercial_partner_id = e.commercial_id
                      JOIN sale_order o ON o.partner_id = buyer.id
                     WHERE o.state = 'sale' AND o.date_order > e.date_start
                       AND NOT (e.origin_model = 'sale.order' AND o.id = e.origin_id)
                )
                SELECT e.sequence_id,
                       count(*),
                       count(e.first_done),
                       count(*) FILTER (WHERE e.first_done IS NOT NULL AND EXISTS (
                           SELECT 1
                             FROM mail_message m
                             JOIN res_partner author ON author.id = m.author_id
                            WHERE m.model = e.origin_model AND m.res_id = e.origin_id
                              AND m.message_type IN ('email', 'comment')
                              AND author.commercial_partner_id = e.commercial_id
                              AND m.date > e.first_done
                       )),
                       (SELECT count(DISTINCT o.enrollment_id) FROM ordered o
                         WHERE o.sequence_id = e.sequence_id),
                       (SELECT count(DISTINCT o.order_id) FROM ordered o
                         WHERE o.sequence_id = e.sequence_id)
                  FROM enrollment e
                 GROUP BY e.sequence_id
                """,
                ids=sequences.ids,
            )
        )
        return {sequence_id: tuple(values) for sequence_id, *values in rows}

    def action_view_dispatch_analysis(self):
        """The dispatch analysis (graph, pivot) of this sequence."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_dispatch_report_action"
        )
        action["domain"] = [("sequence_id", "=", self.id)]
        action["display_name"] = self.env._("Dispatch Analysis: %(name)s", name=self.name)
        return action

    def action_forecast(self):
        """Simulate the next 30 days of this sequence (nothing is sent) and open the
        forecast: see followup.forecast."""
        self.ensure_one()
        forecast = self.env["followup.forecast"]._followup_run(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "followup.forecast",
            "res_id": forecast.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
