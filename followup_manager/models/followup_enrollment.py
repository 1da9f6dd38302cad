from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..policy import vocabulary
from .tools import by_note_lang, int_param, note_lang

STOP_REASONS = [
    ("replied", "The partner replied"),
    ("new_order", "New confirmed order"),
    ("consent_withdrawn", "Consent withdrawn"),
    ("partner_archived", "Partner archived"),
    ("partner_merged", "Partner merged"),
    ("origin_cancelled", "Document cancelled or lost"),
    ("origin_reopened", "Opportunity reopened or won"),
    ("sequence_archived", "Sequence archived"),
    ("manual", "Stopped by a user"),
    ("quotation_confirmed", "Quotation confirmed"),
    ("quotation_cancelled", "Quotation cancelled"),
    ("quotation_expired", "Quotation expired"),
    ("employee_replied", "An employee replied"),
    ("activity_cancelled", "Awaited activity cancelled"),
]


class FollowupEnrollment(models.Model):
    _name = "followup.enrollment"
    _description = "Follow-up Enrollment"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    sequence_id = fields.Many2one(
        "followup.sequence",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        # A partner of another company cannot enter this company's sequences.
        check_company=True,
    )
    company_id = fields.Many2one(
        related="sequence_id.company_id", store=True, precompute=True, index=True
    )
    purpose = fields.Selection(related="sequence_id.purpose")
    # The followed-up document is stored as (origin_model, origin_id): a stored
    # Reference would check each value's existence one query at a time when
    # thousands are enrolled at once. ``origin`` reads and writes the pair.
    origin_model = fields.Char(string="Followed-up Model", required=True, index=True)
    origin_id = fields.Many2oneReference(
        string="Followed-up Record", model_field="origin_model", required=True, index=True
    )
    origin = fields.Reference(
        selection="_selection_origin",
        string="Followed-up Document",
        compute="_compute_origin",
        inverse="_inverse_origin",
        search="_search_origin",
        help="The document followed up: notes and e-mails are posted on it, and a reply "
        "of the partner there can stop the sequence.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        help="Salesperson of the followed-up document (or of the partner).",
    )
    state = fields.Selection(
        vocabulary.selection(vocabulary.ENROLLMENT_STATE_LABELS),
        required=True,
        default="active",
        index=True,
        tracking=True,
    )
    next_step_id = fields.Many2one(
        "followup.step", ondelete="set null", tracking=True, check_company=True
    )
    next_date = fields.Datetime(string="Next Step Due", index=True)
    date_start = fields.Datetime(string="Started", required=True, default=fields.Datetime.now)
    date_stop = fields.Datetime(string="Ended")
    stop_reason = fields.Selection(STOP_REASONS, tracking=True)
    stop_note = fields.Text()
    dispatch_ids = fields.One2many("followup.dispatch", "enrollment_id", string="Steps Log")
    dispatch_count = fields.Integer(compute="_compute_dispatch_count")

    def init(self):
        # The duplicate guard of enroll(), enforced by the database even against
        # concurrent transactions: one running (active or paused) enrollment per
        # sequence, partner and followed-up document (finished ones may repeat). The
        # index of the first version only covered 'active': a paused enrollment would
        # have let a duplicate in.
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS followup_enrollment_active_unique;
            CREATE UNIQUE INDEX IF NOT EXISTS followup_enrollment_running_unique
                ON followup_enrollment (sequence_id, partner_id, origin_model, origin_id)
             WHERE state IN ('active', 'paused')
            """
        )

    @api.constrains("next_step_id", "sequence_id")
    def _check_next_step_in_sequence(self):
        # The dispatch (a superuser cron) carries out next_step_id: it must be a step
        # of the enrollment's own sequence, never one borrowed from another sequence.
        for enrollment in self:
            step = enrollment.next_step_id
            if step and step.sequence_id != enrollment.sequence_id:
                raise ValidationError(
                    self.env._(
                        "The next step “%(step)s” belongs to another sequence than "
                        "“%(sequence)s”.",
                        step=step.name,
                        sequence=enrollment.sequence_id.name,
                    )
                )

    # Fields that say who is followed up, on which document, by which sequence.
    _FOLLOWUP_TARGET_FIELDS = ("partner_id", "sequence_id", "origin_model", "origin_id", "origin")

    @api.model_create_multi
    def create(self, vals_list):
        enrollments = super().create(vals_list)
        if not self.env.su:
            enrollments._followup_check_targets()
        return enrollments

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su and set(vals) & set(self._FOLLOWUP_TARGET_FIELDS):
            self._followup_check_targets()
        return res

    def _followup_check_targets(self):
        """Raise unless the current user may follow these partners up on these documents:
        the same checks as ``followup.sequence.enroll()``, for enrollments created or
        re-pointed directly (RPC ``create``/``write``; users have those rights to enroll
        and stop). The dispatch runs as superuser and posts on the followed-up document,
        renders its templates on it and mails the result to the partner: a document the
        user cannot read must never become an origin. One query per model."""
        self.partner_id.check_access("read")
        ids_by_model = defaultdict(set)
        for enrollment in self:
            model = enrollment.origin_model
            if model not in self.env or not enrollment.sequence_id._followup_accepts_origin_model(
                model
            ):
                raise UserError(
                    self.env._(
                        "The sequence “%(name)s” cannot follow up documents of model %(model)s.",
                        name=enrollment.sequence_id.name,
                        model=model,
                    )
                )
            ids_by_model[model].add(enrollment.origin_id)
        for model, ids in ids_by_model.items():
            self.env[model].browse(ids).check_access("read")

    @api.model
    def _selection_origin(self):
        # No query: called for every value written to the field.
        return [
            (model, self.env[model]._description)
            for model in self.env["followup.sequence"]._followup_origin_models()
            if model in self.env
        ]

    @api.depends("origin_model", "origin_id")
    def _compute_origin(self):
        # One existence check per model: a deleted document reads as empty.
        ids_by_model = defaultdict(set)
        for enrollment in self:
            if enrollment.origin_model in self.env and enrollment.origin_id:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        existing = {
            model: set(self.env[model].browse(ids).exists()._ids)
            for model, ids in ids_by_model.items()
        }
        for enrollment in self:
            model, res_id = enrollment.origin_model, enrollment.origin_id
            found = res_id in existing.get(model, ())
            enrollment.origin = self.env[model].browse(res_id) if found else False

    def _inverse_origin(self):
        for enrollment in self:
            origin = enrollment.origin
            enrollment.origin_model = origin._name if origin else False
            enrollment.origin_id = origin.id if origin else False

    @api.model
    def _search_origin(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the followed-up document."))
        values = value if operator in ("in", "not in") else [value]
        pairs = []
        for item in values:
            if isinstance(item, models.BaseModel):
                pairs += [(item._name, res_id) for res_id in item.ids]
            elif isinstance(item, str) and "," in item:
                model, res_id = item.split(",", 1)
                pairs.append((model, int(res_id)))
        domain = expression.OR(
            [
                expression.AND([[("origin_model", "=", model)], [("origin_id", "=", res_id)]])
                for model, res_id in pairs
            ]
        ) or list(expression.FALSE_DOMAIN)
        return ["!", *domain] if operator in ("!=", "not in") else domain

    @api.depends("origin_model", "origin_id", "partner_id")
    def _compute_user_id(self):
        # Browse the origins of a model together so that reading their salesperson
        # costs one query per model, not one per enrollment.
        ids_by_model = defaultdict(set)
        for enrollment in self:
            if enrollment.origin_model:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        origins = {
            model: self.env[model].browse(ids).exists() for model, ids in ids_by_model.items()
        }
        for enrollment in self:
            user = False
            existing = origins.get(enrollment.origin_model)
            if existing and enrollment.origin_id in existing._ids:
                origin = existing.browse(enrollment.origin_id).with_prefetch(
                    existing._prefetch_ids
                )
                field = origin._fields.get("user_id")
                if field and field.comodel_name == "res.users":
                    user = origin.user_id
            enrollment.user_id = user or enrollment.partner_id.user_id

    def _compute_dispatch_count(self):
        counts = dict(
            self.env["followup.dispatch"]._read_group(
                [("enrollment_id", "in", self.ids)], ["enrollment_id"], ["__count"]
            )
        )
        for enrollment in self:
            enrollment.dispatch_count = counts.get(enrollment, 0)

    @api.depends("sequence_id", "partner_id")
    def _compute_display_name(self):
        for enrollment in self:
            enrollment.display_name = self.env._(
                "%(sequence)s: %(partner)s",
                sequence=enrollment.sequence_id.name,
                partner=enrollment.partner_id.display_name,
            )

    # ------------------------------------------------------------------ chatter

    def _followup_note_author(self):
        """Author of automatic notes: the user if internal, else OdooBot (a customer
        replying or unsubscribing must not appear as the author of our notes)."""
        if self.env.user._is_internal():
            return self.env.user.partner_id.id
        return self.env.ref("base.partner_root").id

    @api.model
    def _followup_note_limit(self):
        """Most followed-up documents noted one by one when enrollments start or stop
        together (system parameter ``followup_manager.note_per_document_limit``, default
        100). Beyond, each sequence gets one summary note instead: thousands of chatter
        messages would cost more than the enrollments themselves, and the partner's
        follow-ups stay visible on its form (smart button)."""
        return int_param(self.env, "followup_manager.note_per_document_limit", 100)

    def _followup_note_langs(self):
        """{enrollment id: the language of the notes about it}. Someone acting reads
        their own; when nobody is (a scheduled job): the followed-up document's
        salesperson's, else the partner's salesperson's, else the company's (see
        tools.note_lang). One query per model of followed-up documents."""
        if self.env.context.get("lang"):
            return dict.fromkeys(self.ids, self.env.lang)
        ids_by_model = defaultdict(set)
        for enrollment in self:
            if enrollment.origin_model in self.env and enrollment.origin_id:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        salespeople = {}
        for model, ids in ids_by_model.items():
            field = self.env[model]._fields.get("user_id")
            if field is None or field.comodel_name != "res.users":
                continue
            # Deleted documents are left out; the rest read with their salesperson.
            origins = (
                self.env[model]
                .with_context(active_test=False)
                .search_fetch([("id", "in", sorted(ids))], ["user_id"])
            )
            salespeople.update(((model, origin.id), origin.user_id) for origin in origins)
            origins.user_id.fetch(["lang"])
        return {
            enrollment.id: note_lang(
                self.env,
                [
                    salespeople.get((enrollment.origin_model, enrollment.origin_id)),
                    enrollment.partner_id.user_id,
                ],
                enrollment.company_id,
            )
            for enrollment in self
        }

    def _followup_log_on_origins(self, event):
        """Post one note per followed-up document about these enrollments
        (``event``: "started" or "stopped"), in the language of its readers, or one
        summary note per sequence when they are more than ``_followup_note_limit()``
        documents."""
        documents = {(enrollment.origin_model, enrollment.origin_id) for enrollment in self}
        if len(documents) > self._followup_note_limit():
            if self.env.context.get("followup_enroll_job"):
                # A batch of a background job: the job notes its whole count at the end.
                return None
            return self._followup_log_summary(event, len(documents))
        langs = self._followup_note_langs()
        for enrollments in by_note_lang(self, lambda e: langs[e.id]).values():
            enrollments._followup_log_on_origins_in_lang(event)
        return None

    def _followup_log_on_origins_in_lang(self, event):
        reasons = dict(self._fields["stop_reason"]._description_selection(self.env))
        lines = defaultdict(list)
        for enrollment in self:
            if event == "started":
                line = self.env._(
                    "Follow-up sequence “%(sequence)s” started for %(partner)s.",
                    sequence=enrollment.sequence_id.name,
                    partner=enrollment.partner_id.display_name,
                )
            else:
                line = self.env._(
                    "Follow-up sequence “%(sequence)s” stopped for %(partner)s: %(reason)s.",
                    sequence=enrollment.sequence_id.name,
                    partner=enrollment.partner_id.display_name,
                    reason=reasons.get(enrollment.stop_reason, enrollment.stop_reason or ""),
                )
                if enrollment.stop_note:
                    line = f"{line} {enrollment.stop_note}"
            lines[enrollment.origin_model, enrollment.origin_id].append(line)
        by_model = defaultdict(dict)
        for (model, res_id), texts in lines.items():
            by_model[model][res_id] = Markup("<br/>").join(escape(text) for text in texts)
        author_id = self._followup_note_author()
        for model, bodies in by_model.items():
            # Origins deleted since the enrollment started get no note.
            records = self.env[model].browse(list(bodies)).exists()
            # _message_log_batch writes as superuser: the notes only describe
            # enrollments the user just changed.
            records._message_log_batch(
                bodies={rid: bodies[rid] for rid in records.ids}, author_id=author_id
            )

    def _followup_log_summary(self, event, documents):
        """One note per sequence saying how many of these enrollments started or
        stopped (and why), instead of a note on each of ``documents`` (a count)."""
        reasons = dict(self._fields["stop_reason"]._description_selection(self.env))
        bodies = {}
        for sequence in self.sequence_id:
            enrollments = self.filtered(lambda e, s=sequence: e.sequence_id == s)
            if event == "started":
                text = self.env._(
                    "%(count)s enrollments started, on %(documents)s documents: too many "
                    "for a note on each of them (see the enrollments of the sequence).",
                    count=len(enrollments),
                    documents=documents,
                )
            else:
                counts = defaultdict(int)
                for enrollment in enrollments:
                    counts[enrollment.stop_reason] += 1
                text = self.env._(
                    "%(count)s enrollments stopped (%(reasons)s), on %(documents)s documents: "
                    "too many for a note on each of them (see the enrollments of the "
                    "sequence).",
                    count=len(enrollments),
                    reasons=", ".join(
                        f"{reasons.get(reason, reason or '')}: {n}" for reason, n in counts.items()
                    ),
                    documents=documents,
                )
            bodies[sequence.id] = escape(text)
        # _message_log_batch writes as superuser: the notes only describe enrollments
        # the user just changed.
        self.sequence_id._message_log_batch(bodies=bodies, author_id=self._followup_note_author())

    # ------------------------------------------------------------------ stopping

    def action_stop(self, reason="manual", note=False):
        """Stop these enrollments (public, works on many records). Returns True."""
        self.check_access("write")
        self._stop(reason, note)
        return True

    def _stop(self, reason, note=False):
        """Stop the running (active or paused) enrollments of ``self`` with a reason, in
        batch, and tell the followed-up documents."""
        active = self.filtered(lambda enrollment: enrollment.state in vocabulary.RUNNING_STATES)
        if not active:
            return active
        active.write(
            {
                "state": "stopped",
                "stop_reason": reason,
                "stop_note": note or False,
                "date_stop": fields.Datetime.now(),
                "next_date": False,
            }
        )
        active._followup_log_on_origins("stopped")
        return active

    def _followup_active_domain(self):
        """Domain of the enrollments still running (a paused one too: a reply or a
        withdrawal ends it as well); override to narrow every stop."""
        return [("state", "in", list(vocabulary.RUNNING_STATES))]

    @api.model
    def _followup_stop_for_origins(self, records, reason, note=False, triggers=None):
        """Stop the active enrollments following up ``records`` (any model), only
        those of sequences with one of ``triggers`` if given."""
        if not records:
            return self.browse()
        domain = self._followup_active_domain() + [
            ("origin_model", "=", records._name),
            ("origin_id", "in", records.ids),
        ]
        if triggers is not None:
            domain.append(("sequence_id.trigger", "in", list(triggers)))
        # sudo: a stop is the consequence of an event the user was allowed to cause
        # (cancelling, archiving); it only ends follow-ups and reads nothing back.
        return self.sudo().search(domain)._stop(reason, note).sudo(False)

    @api.model
    def _followup_stop_for_partners(self, partners, reason, note=False, triggers=None):
        """Stop the active enrollments of ``partners`` (only of sequences with one of
        ``triggers`` if given)."""
        if not partners:
            return self.browse()
        domain = self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        if triggers is not None:
            domain.append(("sequence_id.trigger", "in", list(triggers)))
        # sudo: see _followup_stop_for_origins.
        return self.sudo().search(domain)._stop(reason, note).sudo(False)

    @api.model
    def _followup_stop_reengagement(self, partners):
        """A new confirmed order: re-engagement sequences of these customers (their
        company and its contacts) have done their job."""
        commercial = partners.commercial_partner_id
        domain = self._followup_active_domain() + [
            ("partner_id.commercial_partner_id", "in", commercial.ids),
            ("sequence_id", "any", self.env["followup.sequence"]._followup_reengagement_domain()),
        ]
        # sudo: see _followup_stop_for_origins.
        return self.sudo().search(domain)._stop("new_order").sudo(False)

    @api.model
    def _followup_stop_for_withdrawn(self, partners, channels):
        """Stop the active enrollments of ``partners`` whose remaining steps only
        contact them on channels they withdrew their consent for.

        Called by ``res.partner.followup_set_consent`` after a withdrawal. ``channels``
        are the channels just withdrawn; channels withdrawn earlier count as well.
        Steps without a channel (internal tasks) do not contact anybody and are ignored;
        an enrollment whose remaining steps contact nobody keeps running.
        """
        if not partners or not channels:
            return self.browse()
        # sudo: called from consent changes made by the person (public preference page)
        # or a user; only stops follow-ups, reads nothing back.
        enrollments = self.sudo().search(
            self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        )
        if not enrollments:
            return self.browse()
        withdrawn = defaultdict(set)
        for partner in partners:
            withdrawn[partner.id].update(channels)
        if "followup.consent" in self.env:
            consents = (
                self.env["followup.consent"]
                .sudo()
                .search_fetch(
                    [("partner_id", "in", partners.ids), ("state", "=", "withdrawn")],
                    ["partner_id", "channel"],
                )
            )
            for consent in consents:
                withdrawn[consent.partner_id.id].add(consent.channel)
        to_stop = enrollments.browse()
        for enrollment in enrollments:
            remaining = (
                enrollment.next_step_id._followup_remaining_steps()
                if enrollment.next_step_id
                else enrollment.next_step_id
            )
            used = set().union(*(step._followup_channels() for step in remaining)) - {"none"}
            if used and used <= withdrawn[enrollment.partner_id.id]:
                to_stop |= enrollment
        return to_stop._stop("consent_withdrawn").sudo(False)

    @api.model
    def _followup_stop_on_reply(self, record, message):
        """A message was posted on ``record``: if its author is a partner followed up
        there by a sequence that stops on reply, stop following them up."""
        if not message.author_id:
            return self.browse()
        author = message.author_id
        # sudo: the author may be a customer (portal, incoming e-mail) without access
        # to enrollments; this only ends their own follow-ups on this document.
        enrollments = self.sudo().search(
            self._followup_active_domain()
            + [
                ("origin_model", "=", record._name),
                ("origin_id", "=", record.id),
                ("sequence_id.stop_on_reply", "=", True),
            ]
        )
        replied = enrollments.filtered(
            lambda enrollment: (
                enrollment.partner_id == author
                or enrollment.partner_id.commercial_partner_id == author.commercial_partner_id
            )
        )
        return replied._stop("replied").sudo(False)

    # ------------------------------------------------------------------ actions

    def action_open_stop_wizard(self):
        self.ensure_one()
        self.check_access("write")
        return self.env["followup.stop.wizard"]._followup_open(self)

    def action_view_origin(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.origin_model,
            "res_id": self.origin_id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _followup_action_for_origins(self, records):
        """The enrollments list of the documents ``records`` (smart buttons)."""
        # Public callers (action_view_followup_enrollments of partners, orders, leads)
        # need the right to read enrollments: say so now rather than in the list.
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_enrollment_action"
        )
        if records._name == "res.partner":
            action["domain"] = [("partner_id", "in", records.ids)]
        else:
            action["domain"] = [
                ("origin_model", "=", records._name),
                ("origin_id", "in", records.ids),
            ]
        action["context"] = {"search_default_filter_active": 1, "create": False}
        return action

    def action_view_dispatches(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_dispatch_action"
        )
        action["domain"] = [("enrollment_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ dispatch
    # The dispatch engine (_cron_dispatch) lives below this line.

    @api.model
    def _cron_dispatch(self):
        """Cron entry point (followup_manager.ir_cron_followup_dispatch): dispatch the
        due steps batch after batch, committing after each one (see
        followup.dispatcher, which does the work)."""
        self.env["followup.dispatcher"]._dispatch_due(auto_commit=True)
        return True
