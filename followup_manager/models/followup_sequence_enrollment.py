from odoo import fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import clean_context

from ..policy import vocabulary
from .followup_arguments import check_choice, check_id, check_ids


class FollowupSequenceEnrollment(models.AbstractModel):
    """Enrolling partners: the public ``enroll()`` and the batch behind it, which skips
    partners outside the sequence's filter and those already followed up there."""

    _name = "followup.sequence.enrollment"
    _description = "Follow-up Sequence: Enrollment"

    def enroll(self, partner_ids, origin_model=False, origin_id=False):
        """Enroll partners in these sequences and return the enrollment ids.

        :param partner_ids: ids (or a recordset) of res.partner
        :param origin_model: model of the followed-up document; without it the
            partner itself is followed up (its thread receives the notes and replies)
        :param origin_id: id of the followed-up document
        :return: ids of the enrollments created (partners already active in a sequence
            for the same origin, or outside its filter, are skipped)
        """
        partner_ids, origin_model, origin_id = self._followup_check_enroll_arguments(
            partner_ids, origin_model, origin_id
        )
        # Enrolling creates enrollments: refused upfront to whoever may not (auditors
        # read sequences), even when every partner turns out to be enrolled already.
        self.env["followup.enrollment"].check_access("create")
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
        # Enrolled by hand: the caller owns what has no salesperson.
        return self.with_context(followup_hand_enrollment=True)._followup_enroll(targets).ids

    def _followup_check_enroll_arguments(self, partner_ids, origin_model, origin_id):
        """The arguments of enroll(), checked where they arrive: a UserError naming the
        argument instead of a Python or SQL error (``enroll('abc')``, ``[None]``, an
        origin id ``'x'``, an id beyond the database's integers). Returns them cleaned
        (partner ids, origin model or False, origin id or False)."""
        env = self.env
        if isinstance(partner_ids, models.BaseModel):
            if partner_ids._name != "res.partner":
                check_ids(env, "partner_ids", partner_ids._name)
            partner_ids = partner_ids.ids
        elif partner_ids not in (False, None):
            partner_ids = check_ids(env, "partner_ids", partner_ids)
        if origin_model not in (False, None, ""):
            origin_model = check_choice(
                env, "origin_model", origin_model, self._followup_origin_models()
            )
        if origin_id not in (False, None, 0):
            origin_id = check_id(env, "origin_id", origin_id)
        return partner_ids, origin_model or False, origin_id or False

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

    def _followup_enroll(self, targets, now=None):
        """Enroll ``(partner_id, origin_model, origin_id)`` triples in every sequence of
        ``self``, in a number of queries that does not depend on the number of triples,
        as of ``now`` (naive UTC, default the clock: the demo's history enrolls in the
        past).

        Partners outside a sequence's filter (or archived) are skipped, as well as
        triples already active in the sequence. Returns the new enrollments.
        """
        Enrollment = self.env["followup.enrollment"]
        targets = list(dict.fromkeys(targets))
        if not self or not targets:
            return Enrollment
        self._followup_check_enrollable(targets)
        entries = self._followup_new_entries(targets)
        if not entries:
            return Enrollment
        vals_list = self._followup_enrollment_vals(entries, now or fields.Datetime.now())
        # The chatter of the origin gets one note (below), not one per enrollment.
        # Without the caller's default_* keys: an enrollment is not what the screen or
        # the mail gateway that triggered it was creating (a message_new that sets
        # default_user_id=False, which would blank the salesperson).
        enrollments = Enrollment.with_context(
            clean_context(self.env.context),
            **Enrollment._followup_door_context(),
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        ).create(vals_list)
        enrollments = enrollments.with_context(**Enrollment._followup_door_context(False))
        enrollments._followup_log_on_origins("started")
        enrollments._followup_wake_dispatch()
        return enrollments.with_env(self.env)

    def _followup_new_entries(self, targets):
        """[(sequence, first step, partner id, origin model, origin id)] of the
        ``targets`` that enter each sequence of ``self``: inside its filter, and not
        running there already. One query per sequence for its filter, one for the
        duplicates of all sequences."""
        Enrollment = self.env["followup.enrollment"]
        partner_ids = list({pid for pid, _model, _oid in targets})
        origin_pairs = {(model, oid) for _pid, model, oid in targets}
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
        entries = []
        for sequence in self:
            first_step = sequence.step_ids[:1]
            entries += [
                (sequence, first_step, pid, model, oid)
                for pid, model, oid in targets
                if pid in allowed[sequence] and (sequence.id, pid, model, oid) not in active_keys
            ]
        return entries

    def _followup_enrollment_vals(self, entries, now):
        """The values of the enrollments of ``entries`` (see _followup_new_entries),
        started at ``now``."""
        # The first due date goes in the values (no UPDATE after the INSERT), computed
        # once per step and partner calendar.
        dates = self.env["followup.enrollment"]._followup_due_dates(
            [(pid, step) for _s, step, pid, _m, _o in entries], now
        )
        return [
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
