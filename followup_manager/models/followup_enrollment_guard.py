from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from .followup_arguments import check_choice, check_id, check_text

# Who is followed up, on which document, by which sequence: re-pointing an enrollment
# passes the door again, and only a manager may do it.
TARGET_FIELDS = ("partner_id", "sequence_id", "origin_model", "origin_id", "origin")
# Where an enrollment stands in its sequence: moved by the add-on (enroll, the
# dispatch, a stop) or by a manager, never by hand by a user.
PROGRESS_FIELDS = ("next_step_id", "next_date", "state", "date_start", "date_stop", "stop_reason")
# Steering (followup_enrollment_steering.py): set by the official actions (pause,
# resume, snooze) and by the dispatch, never by hand by a user.
STEERING_FIELDS = (
    "date_paused",
    "paused_by_sequence",
    "resumed_date",
    "snoozed_until",
    "snooze_reason",
    "waiting_activity_id",
)
# Values a user creating an enrollment directly may not choose (enroll() never does).
CHOSEN_ON_CREATE = ("next_date", "date_stop", "stop_reason", "stop_note", *STEERING_FIELDS)
# enroll() creates the enrollments it has checked with this context key holding
# DOOR_TOKEN, an object of this module: a caller can put any value under the key (an
# RPC context is JSON), never this very object, so the mark cannot be forged.
DOOR_KEY = "followup_enroll_door"
DOOR_TOKEN = object()


class FollowupEnrollmentGuard(models.AbstractModel):
    """One door into a sequence.

    Users have create and write rights on enrollments (to enroll and to stop), and
    the dispatch carries an enrollment out as superuser, server-action steps
    included. So an enrollment created or re-pointed directly (RPC ``create`` /
    ``write``) passes the checks of ``followup.sequence.enroll()``: an active
    sequence, the partner inside its "Who may enter" filter, the company, and read
    access to the partner and the document (``_followup_check_targets``). A user who is
    not a follow-up manager starts at the sequence's first step and cannot choose
    where an enrollment stands (step, date, state, pause, snooze, the activity it
    waits for) nor re-point it: the add-on moves it (enroll, the dispatch,
    action_stop, action_pause, action_resume, snooze), and a manager may move it by
    hand, tracked in its chatter. A server-action step therefore runs only for an
    enrollment that entered through the door and walked the steps before it, or
    that a manager placed there.

    The model's ``create`` and ``write`` (followup_enrollment.py) call these checks;
    the add-on's own moves (``_followup_schedule_next``, ``_followup_advance``,
    ``_stop``) write as superuser.
    """

    _name = "followup.enrollment.guard"
    _description = "Follow-up Enrollment: the Door into a Sequence"

    @api.model
    def _followup_door_context(self, is_open=True):
        """The context under which enroll() creates the enrollments it has checked
        (filter, sequence, documents): its own values (the first step and its due
        date) pass (see DOOR_KEY); ``is_open=False`` closes it again on the result."""
        return {DOOR_KEY: DOOR_TOKEN if is_open else False}

    def _followup_door_is_open(self):
        return self.env.context.get(DOOR_KEY) is DOOR_TOKEN

    def _followup_is_manager(self):
        return self.env.user.has_group("followup_manager.followup_manager_group_manager")

    # ------------------------------------------------------------------ create and write

    @api.model
    def _followup_first_step_vals(self, vals_list):
        """An enrollment created without a step starts at its sequence's first."""
        missing = [vals for vals in vals_list if not vals.get("next_step_id")]
        sequences = self.env["followup.sequence"].browse(
            {vals["sequence_id"] for vals in missing if vals.get("sequence_id")}
        )
        first_steps = {sequence.id: sequence.step_ids[:1].id for sequence in sequences}
        return [
            vals
            if vals.get("next_step_id")
            else dict(vals, next_step_id=first_steps.get(vals.get("sequence_id")) or False)
            for vals in vals_list
        ]

    def _followup_check_moved_by_hand(self, vals):
        """The fields of ``vals`` that move these enrollments (where they stand, how
        they are steered, whom and what they follow up); raise unless a follow-up
        manager moves them (the model's ``write``, for a user)."""
        moved = set(vals) & set(PROGRESS_FIELDS + STEERING_FIELDS + TARGET_FIELDS + ("stop_note",))
        steered = set(vals) & set(STEERING_FIELDS)
        if steered and not self._followup_is_manager():
            raise AccessError(
                self.env._(
                    "Only follow-up managers can steer an enrollment by hand (%(fields)s). "
                    "Use Pause, Resume or Snooze: they keep the follow-up's place and "
                    "write why in its chatter.",
                    fields=", ".join(sorted(steered)),
                )
            )
        if moved and not self._followup_is_manager():
            raise AccessError(
                self.env._(
                    "Only follow-up managers can move an enrollment by hand (%(fields)s). "
                    "Stop it with Stop Follow-up, or enroll the contact in the sequence: "
                    "the follow-up then starts at the first step.",
                    fields=", ".join(sorted(moved)),
                )
            )
        return moved

    def _followup_log_moved_by_hand(self, fnames):
        """A note on each enrollment a manager moved by hand: who, what, to what."""
        labels = self.fields_get(list(fnames), ["string"])
        bodies = {}
        for enrollment in self:
            values = ", ".join(
                f"{labels[fname]['string']}: {enrollment._followup_value_text(fname)}"
                for fname in sorted(fnames)
            )
            bodies[enrollment.id] = escape(
                self.env._(
                    "Moved by hand by %(user)s: %(values)s.",
                    user=self.env.user.name,
                    values=values,
                )
            )
        self._message_log_batch(bodies=bodies)

    def _followup_value_text(self, fname):
        value = self[fname]
        if isinstance(value, models.BaseModel):
            return value.display_name or "-"
        if self._fields[fname].type == "selection":
            return dict(self._fields[fname]._description_selection(self.env)).get(value, "-")
        return str(value) if value else "-"

    # ------------------------------------------------------------------ checks

    @api.model
    def _followup_check_vals_types(self, vals):
        """A UserError naming the field for a value of the wrong kind (the ORM would
        answer with a Python or SQL error)."""
        env = self.env
        for fname in (
            "partner_id",
            "sequence_id",
            "next_step_id",
            "origin_id",
            "waiting_activity_id",
        ):
            if vals.get(fname) not in (None, False, 0):
                check_id(env, fname, vals[fname])
        # Which models may be followed up is checked with the document's access.
        check_text(env, "origin_model", vals.get("origin_model"), max_length=128)
        for fname in ("state", "stop_reason"):
            if fname in vals:
                check_choice(
                    env,
                    fname,
                    vals[fname],
                    self._fields[fname].get_values(env),
                    optional=fname == "stop_reason",
                )
        check_text(env, "stop_note", vals.get("stop_note"))
        check_text(env, "snooze_reason", vals.get("snooze_reason"))
        for fname in (
            "next_date",
            "date_start",
            "date_stop",
            "date_paused",
            "resumed_date",
            "snoozed_until",
        ):
            if vals.get(fname):
                try:
                    fields.Datetime.to_datetime(vals[fname])
                except (TypeError, ValueError):
                    raise UserError(
                        env._(
                            "Invalid value for %(argument)s: %(value)s. Expected a date and "
                            'time "YYYY-MM-DD HH:MM:SS" (UTC).',
                            argument=fname,
                            value=repr(vals[fname])[:80],
                        )
                    ) from None

    @api.model
    def _followup_check_create_choices(self, vals_list):
        for vals in vals_list:
            chosen = [fname for fname in CHOSEN_ON_CREATE if vals.get(fname)]
            if vals.get("state", "active") != "active":
                chosen.append("state")
            if chosen:
                raise AccessError(
                    self.env._(
                        "An enrollment starts active, at the first step of its sequence, "
                        "scheduled by the add-on: only follow-up managers can choose "
                        "%(fields)s.",
                        fields=", ".join(chosen),
                    )
                )

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

    def _followup_check_door(self):
        """The checks of followup.sequence.enroll() on these enrollments (created or
        re-pointed by a user): an active sequence, the partner inside its filter,
        and, for a user who is not a manager, the first step."""
        manager = self._followup_is_manager()
        for sequence in self.sequence_id:
            enrollments = self.filtered(lambda e, s=sequence: e.sequence_id == s)
            running = enrollments.filtered(lambda e: e.state == "active")
            if running and not sequence.active:
                raise UserError(
                    self.env._(
                        "The sequence “%(name)s” is archived: activate it before enrolling "
                        "anyone.",
                        name=sequence.name,
                    )
                )
            partners = enrollments.partner_id
            inside = set(
                self.env["res.partner"]._search(
                    expression.AND(
                        [[("id", "in", partners.ids)], sequence._followup_partner_domain()]
                    )
                )
            )
            outside = partners.filtered(lambda p, inside=inside: p.id not in inside)
            if outside:
                raise UserError(
                    self.env._(
                        "%(partners)s cannot enter the sequence “%(name)s”: outside its "
                        "“Who may enter” filter.",
                        partners=", ".join(outside.mapped("display_name")),
                        name=sequence.name,
                    )
                )
            first_step = sequence.step_ids[:1]
            if not manager and any(
                e.next_step_id and e.next_step_id != first_step for e in enrollments
            ):
                raise AccessError(
                    self.env._(
                        "An enrollment in “%(name)s” starts at its first step; only "
                        "follow-up managers can place it at another one.",
                        name=sequence.name,
                    )
                )
