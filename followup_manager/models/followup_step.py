from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .tools import check_integer_vals

# The longest wait of a step, per unit: five years. A longer one is a typo, and a
# date that far would stop the dispatch of the enrollments that reach it.
MAX_DELAY = {"hours": 5 * 365 * 24, "days": 5 * 365, "business_days": 5 * 261, "weeks": 5 * 52}


#: What a step does (followup.step.action; the step preview shows the same). Another
#: add-on adds its action with ``selection_add`` on both (followup_manager_sms: "sms").
STEP_ACTIONS = [
    ("activity", "Activity for a salesperson"),
    ("email", "E-mail from a template"),
    ("server_action", "Server action"),
]


class FollowupStep(models.Model):
    """A step of a follow-up sequence: when it comes, what it does, who carries it out.
    Its channel is followup.step.channels, its condition followup.step.condition, its
    line on the timeline followup.step.timeline, its preview and test send
    followup.step.rendering, how it performs followup.step.performance."""

    _name = "followup.step"
    _description = "Follow-up Step"
    _inherit = [
        "followup.step.channels",
        "followup.step.condition",
        "followup.step.timeline",
        "followup.step.rendering",
        "followup.step.performance",
    ]
    _order = "sequence_id, sequence, id"
    _check_company_auto = True

    sequence_id = fields.Many2one(
        "followup.sequence",
        string="Follow-up Sequence",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        related="sequence_id.company_id", store=True, precompute=True, index=True
    )
    origin_model = fields.Char(related="sequence_id.origin_model")
    delay = fields.Integer(
        default=0,
        help="Time to wait after the previous step (after the enrollment for the first "
        "step). 0 means at once.",
    )
    delay_unit = fields.Selection(
        [
            ("hours", "Hours"),
            ("days", "Days"),
            ("business_days", "Business Days"),
            ("weeks", "Weeks"),
        ],
        required=True,
        default="days",
        help="Business days skip the weekend of the partner's country, in the partner's "
        "time zone.",
    )
    action = fields.Selection(
        STEP_ACTIONS,
        required=True,
        default="activity",
    )
    urgent = fields.Boolean(
        help="Service sequences only, for a crisis (a complaint): the step goes at once, "
        "through the contact cap and outside the sending hours. Consent, objections, "
        "blacklists, invalid addresses and channels the person refused still stop it; "
        "it counts in the cap afterwards.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        default=lambda self: self.env.ref(
            "mail.mail_activity_data_todo", raise_if_not_found=False
        ),
    )
    activity_summary = fields.Char(string="Summary", translate=True)
    note = fields.Html(translate=True)
    responsible_type = fields.Selection(
        [
            ("origin_salesperson", "Salesperson of the document"),
            ("partner_salesperson", "Salesperson of the partner"),
            ("fixed_user", "A given user"),
        ],
        string="Assigned To",
        required=True,
        default="origin_salesperson",
        help="Who receives the activity. Falls back to the partner's salesperson, then to "
        "the sequence's creator, when the document has nobody.",
    )
    responsible_id = fields.Many2one("res.users", string="User", check_company=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', 'in', [origin_model, 'res.partner'])]",
    )
    server_action_id = fields.Many2one(
        "ir.actions.server",
        domain="[('model_name', 'in', [origin_model, 'res.partner'])]",
    )
    # Wait for the task: an activity step can hold the next step until its activity is
    # done (the next delay counts from the completion), and say what happens if the
    # activity is cancelled instead (go on, or stop). Salespeople's calls come before the
    # next e-mail.
    wait_for_activity = fields.Boolean(
        string="Wait Until Done",
        help="The next step waits until this step's activity is marked as done; its delay "
        "counts from that moment.",
    )
    activity_cancel_action = fields.Selection(
        [("go_on", "Go on with the next step"), ("stop", "Stop the follow-up")],
        string="If Cancelled",
        required=True,
        default="go_on",
        help="What happens when the awaited activity is cancelled (deleted without being done).",
    )

    # ------------------------------------------------------------------ ORM

    @api.model_create_multi
    def create(self, vals_list):
        check_integer_vals(self, vals_list, ("delay", "sequence"))
        vals_list = [self._followup_clean_condition(vals) for vals in vals_list]
        if any(vals.get("server_action_id") for vals in vals_list):
            self._followup_check_server_action_rights()
        return super().create(vals_list)

    def write(self, vals):
        check_integer_vals(self, [vals], ("delay", "sequence"))
        vals = self._followup_clean_condition(vals)
        if vals.get("server_action_id") and any(
            step.server_action_id.id != vals["server_action_id"] for step in self
        ):
            self._followup_check_server_action_rights()
        return super().write(vals)

    def unlink(self):
        # Refused before anything moves when the user may not delete these steps.
        self.check_access("unlink")
        self._followup_move_waiting_enrollments()
        return super().unlink()

    def _followup_check_server_action_rights(self):
        """Only administrators (Settings rights) choose the server action of a step.

        The dispatch cron runs as superuser and runs the step's server action with its
        rights, as base_automation runs the actions of its rules: choosing one is
        choosing code that runs with every right, which Odoo reserves to the
        administrators who may write server actions. Follow-up managers configure every
        other kind of step."""
        if self.env.su or self.env.user.has_group("base.group_system"):
            return
        raise AccessError(
            self.env._(
                "Only administrators may choose the server action of a follow-up step: "
                "it runs with full rights when the step is carried out."
            )
        )

    # ------------------------------------------------------------------ constraints

    @api.constrains(
        "action",
        "channel_choice",
        "activity_type_id",
        "mail_template_id",
        "server_action_id",
    )
    def _check_action_target(self):
        """A step on a fixed channel needs what its action uses (a preferred-channel
        step, what each of its channels uses: see followup_step_channels.py)."""
        labels = dict(self._fields["action"]._description_selection(self.env))
        required = self._followup_action_targets()
        for step in self.filtered(lambda s: s.channel_choice != "preferred"):
            field_name, what = required[step.action]
            if not step[field_name]:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” (%(action)s) needs %(what)s.",
                        step=step.name,
                        action=labels[step.action],
                        what=what,
                    )
                )
        self._check_action_target_model()

    @api.model
    def _followup_action_targets(self):
        """{action: (the step's field naming what it uses, that thing in words)}: what
        a step of each action needs to be carried out; override to add an action."""
        return {
            "activity": ("activity_type_id", self.env._("an activity type")),
            "email": ("mail_template_id", self.env._("an e-mail template")),
            "server_action": ("server_action_id", self.env._("a server action")),
        }

    def _followup_action_records(self):
        """[(record, the model it is written for)] of the templates, actions and
        activity types this step uses; override to add one."""
        self.ensure_one()
        return [
            (self.mail_template_id, self.mail_template_id.model),
            (self.server_action_id, self.server_action_id.model_name),
            (self.activity_type_id, self.activity_type_id.res_model),
        ]

    def _check_action_target_model(self):
        for step in self:
            allowed = step.sequence_id._followup_template_models()
            for record, model in step._followup_action_records():
                # Activity types without a model fit any document.
                if record and model and model not in allowed:
                    raise ValidationError(
                        self.env._(
                            "The step “%(step)s” uses “%(record)s”, made for %(model)s "
                            "records, but the sequence “%(sequence)s” follows up "
                            "%(allowed)s records: use one made for them or for contacts "
                            "(res.partner).",
                            step=step.name,
                            record=record.display_name,
                            model=model,
                            sequence=step.sequence_id.name,
                            allowed=step.sequence_id._followup_trigger_model(),
                        )
                    )

    @api.constrains("delay", "delay_unit")
    def _check_delay(self):
        units = dict(self._fields["delay_unit"]._description_selection(self.env))
        for step in self:
            if step.delay < 0:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” has a negative delay (%(delay)s): a step can "
                        "only come after the previous one.",
                        step=step.name,
                        delay=step.delay,
                    )
                )
            if step.delay > MAX_DELAY[step.delay_unit]:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” waits %(delay)s %(unit)s: a step waits at most "
                        "five years (%(max)s %(unit)s).",
                        step=step.name,
                        delay=step.delay,
                        unit=units[step.delay_unit].lower(),
                        max=MAX_DELAY[step.delay_unit],
                    )
                )

    @api.constrains("urgent", "sequence_id")
    def _check_urgent(self):
        for step in self:
            if step.urgent and step.sequence_id.purpose != "service":
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” is urgent, but the sequence “%(sequence)s” is "
                        "for marketing: only service follow-ups (a complaint, a question) "
                        "may go through the contact cap and the sending hours.",
                        step=step.name,
                        sequence=step.sequence_id.name,
                    )
                )

    @api.constrains("responsible_type", "responsible_id")
    def _check_responsible(self):
        for step in self:
            if step.responsible_type == "fixed_user" and not step.responsible_id:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” is assigned to a given user: choose the user.",
                        step=step.name,
                    )
                )
            # Activities are for employees: a portal user cannot open them.
            if step.responsible_id and step.responsible_id.share:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” is assigned to %(user)s, who is not an "
                        "employee: choose an internal user.",
                        step=step.name,
                        user=step.responsible_id.name,
                    )
                )

    @api.constrains("wait_for_activity", "action")
    def _check_wait_for_activity(self):
        for step in self:
            if step.wait_for_activity and step.action != "activity":
                raise ValidationError(
                    self.env._(
                        "Step “%(name)s” can only wait until its task is done if it schedules "
                        "an activity.",
                        name=step.name,
                    )
                )

    # ------------------------------------------------------------------ helpers

    def _followup_remaining_steps(self):
        """This step and the ones after it in its sequence."""
        self.ensure_one()
        steps = self.sequence_id.step_ids
        return steps[list(steps).index(self) :] if self in steps else self

    # ------------------------------------------------------------------ removal

    def _followup_waiting_enrollments(self):
        """The running or paused enrollments whose next step is one of these.
        Override to move other enrollments too."""
        # sudo: the enrollments of every salesperson wait for the step; the user may
        # delete it (checked above), and they only move on in its own sequence.
        return (
            self.env["followup.enrollment"]
            .sudo()
            .search([("next_step_id", "in", self.ids), ("state", "in", ("active", "paused"))])
        )

    def _followup_move_waiting_enrollments(self):
        """A step deleted while enrollments wait for it: they go on with the next step.

        The enrollment's ``next_step_id`` would otherwise be emptied by the database
        (``ondelete="set null"``), and an enrollment without a next step ends "done" at
        its next dispatch: the rest of the sequence silently skipped. Instead, before
        the steps go, each enrollment waiting for one of them (running or paused) moves
        on to the step that follows in the sequence's order, at the date it had (no step
        comes sooner than planned); when none follows, it ends there. Either way its
        chatter says which step was deleted and what became of the follow-up."""
        waiting = self._followup_waiting_enrollments()
        if not waiting:
            return
        following = {}
        for sequence in waiting.sequence_id:
            ordered = sequence.step_ids  # in the sequence's order (_order)
            for index, step in enumerate(ordered):
                if step in self:
                    later = ordered[index + 1 :] - self
                    following[step.id] = later[:1]
        moves, bodies, finished = {}, {}, waiting.browse()
        for enrollment in waiting:
            deleted, step = enrollment.next_step_id, following.get(enrollment.next_step_id.id)
            if step:
                moves.setdefault(step, enrollment.browse())
                moves[step] |= enrollment
                bodies[enrollment.id] = self.env._(
                    "The step “%(deleted)s” this follow-up was waiting for was deleted: it "
                    "goes on with the next step, “%(step)s”.",
                    deleted=deleted.name,
                    step=step.name,
                )
            else:
                finished |= enrollment
                bodies[enrollment.id] = self.env._(
                    "The step “%(deleted)s” this follow-up was waiting for was deleted, and "
                    "no step follows it: the follow-up ends here.",
                    deleted=deleted.name,
                )
        for step, enrollments in moves.items():
            enrollments.write({"next_step_id": step.id})
        for enrollment in finished:
            enrollment.write(
                {
                    "state": "done",
                    "next_step_id": False,
                    "next_date": False,
                    "date_stop": fields.Datetime.now(),
                    "stop_note": bodies[enrollment.id],
                }
            )
        waiting._message_log_batch(
            bodies={res_id: escape(body) for res_id, body in bodies.items()}
        )
