from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..policy import vocabulary
from .tools import check_integer_vals, int_param, readable_query

# The channel each action reaches the person on, when it is not the user's choice
# (followup.step._followup_action_channels adds the actions of other add-ons).
ACTION_CHANNELS = {"email": "email"}
DEFAULT_CHANNELS = {"activity": "phone", "server_action": "none"}
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
    _name = "followup.step"
    _description = "Follow-up Step"
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
    channel = fields.Selection(
        vocabulary.selection(vocabulary.STEP_CHANNEL_LABELS),
        required=True,
        compute="_compute_channel",
        store=True,
        precompute=True,
        readonly=False,
        help="How the person is reached: consent and preferences are checked for this "
        "channel. None for internal tasks that do not contact anybody.",
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

    @api.depends("action", "channel_choice", "channel_order")
    def _compute_channel(self):
        action_channels = self._followup_action_channels()
        for step in self:
            if step.channel_choice == "preferred":
                # The channel tried first when the person has no preference; the
                # channels it may take are _followup_channels().
                step.channel = step.channel_order.split("_")[0]
            elif step.action in action_channels:
                step.channel = action_channels[step.action]
            elif not step.channel or step.channel in action_channels.values():
                step.channel = DEFAULT_CHANNELS.get(step.action, "none")

    @api.model
    def _followup_action_channels(self):
        """{action: the channel it reaches the person on} of the actions that fix their
        channel (the others let the user choose it); override to add one."""
        return dict(ACTION_CHANNELS)

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
        step, what each of its channels uses: see followup_step_preferred.py)."""
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

    @api.constrains("action", "channel", "channel_choice")
    def _check_channel(self):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        action_channels = self._followup_action_channels()
        for step in self.filtered(lambda s: s.channel_choice != "preferred"):
            expected = action_channels.get(step.action)
            if expected and step.channel != expected:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” sends %(expected)s, so its channel must be "
                        "%(expected)s, not %(channel)s.",
                        step=step.name,
                        expected=labels[expected],
                        channel=labels[step.channel],
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

    # ------------------------------------------------------------------ helpers

    def _followup_remaining_steps(self):
        """This step and the ones after it in its sequence."""
        self.ensure_one()
        steps = self.sequence_id.step_ids
        return steps[list(steps).index(self) :] if self in steps else self

    # --- Insight: how each step performs (issue 7: forecast and reporting) ------
    # Read from the dispatch log: done steps, replies of the person on the
    # followed-up thread after the step (until the next step was done), and
    # opt-outs (consent withdrawn) within a few days of the step when it was the
    # last contact before them, so users see which step annoys people.
    done_count = fields.Integer(
        string="Done", compute="_compute_performance", help="Times this step was carried out."
    )
    replied_count = fields.Integer(
        string="Replies",
        compute="_compute_performance",
        help="Times the person wrote on the followed-up document after this step (before "
        "the next step was done).",
    )
    reply_rate = fields.Float(
        compute="_compute_performance", help="Replies divided by the times the step was done."
    )
    optout_count = fields.Integer(
        string="Opt-outs",
        compute="_compute_performance",
        help="Times the person withdrew a consent within the opt-out window (system "
        "parameter followup_manager.optout_window_days, default 7 days) after this step, "
        "this step being their last contact.",
    )
    optout_rate = fields.Float(
        string="Opt-out Rate",
        compute="_compute_performance",
        help="Opt-outs divided by the times the step contacted the person.",
    )

    def _compute_performance(self):
        stats = self._followup_performance()
        for step in self:
            done, contacts, replied, optouts = stats.get(step.id, (0, 0, 0, 0))
            step.done_count = done
            step.replied_count = replied
            step.reply_rate = replied / done if done else 0.0
            step.optout_count = optouts
            step.optout_rate = optouts / contacts if contacts else 0.0

    @api.model
    def _followup_optout_window_days(self):
        """Days after a contact during which a withdrawal counts as caused by it
        (system parameter ``followup_manager.optout_window_days``, default 7)."""
        return int_param(self.env, "followup_manager.optout_window_days", 7)

    def _followup_performance(self):
        """{step id: (done, contacts, replied, opt-outs)} for these steps, in ONE query.

        Aggregates only; the log rows and the consent events come from ``_search``, so
        the user's record rules (companies) apply: a user counts what they may read.
        Replies are counted on the followed-up documents of those rows; messages and
        consent events are counted, never returned.
        (Longer than a screen: one SQL statement, kept whole so that it reads as one.)"""
        steps = self.filtered("id")
        if not steps:
            return {}
        done = readable_query(
            self.env,
            "followup.dispatch",
            [("state", "=", "done"), ("sequence_id", "in", steps.sequence_id.ids)],
        )
        contacts = readable_query(
            self.env, "followup.dispatch", [("state", "=", "done"), ("channel", "!=", "none")]
        )
        withdrawals = readable_query(
            self.env, "followup.consent.event", [("state", "=", "withdrawn")]
        )
        for model in (
            "followup.dispatch",
            "followup.enrollment",
            "followup.consent.event",
            "mail.message",
            "res.partner",
        ):
            self.env[model].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH done AS (
                    SELECT d.id, d.step_id, d.enrollment_id, d.partner_id, d.channel,
                           d.create_date,
                           lead(d.create_date) OVER (
                               PARTITION BY COALESCE(d.enrollment_id, -d.id)
                               ORDER BY d.create_date, d.id
                           ) AS next_done
                      FROM followup_dispatch d
                     WHERE d.id IN %(done)s
                ),
                replied AS (
                    SELECT done.id
                      FROM done
                      JOIN followup_enrollment e ON e.id = done.enrollment_id
                      JOIN res_partner p ON p.id = e.partner_id
                     WHERE done.step_id = ANY(%(step_ids)s)
                       AND EXISTS (
                           SELECT 1
                             FROM mail_message m
                             JOIN res_partner author ON author.id = m.author_id
                            WHERE m.model = e.origin_model AND m.res_id = e.origin_id
                              AND m.message_type IN ('email', 'comment')
                              AND author.commercial_partner_id = p.commercial_partner_id
                              AND m.date > done.create_date
                              AND (done.next_done IS NULL OR m.date <= done.next_done)
                       )
                ),
                -- Each withdrawal is blamed on the person's last contact before it (any
                -- sequence), if that contact was at most %(days)s days earlier.
                blamed AS (
                    SELECT DISTINCT ON (ev.id) last.id AS dispatch_id
                      FROM followup_consent_event ev
                      JOIN followup_dispatch last
                        ON last.partner_id = ev.partner_id
                       AND last.id IN %(contacts)s
                       AND last.create_date <= ev.create_date
                       AND last.create_date > ev.create_date - make_interval(days => %(days)s)
                     WHERE ev.id IN %(withdrawals)s
                       AND ev.partner_id IN (
                           SELECT partner_id FROM done WHERE step_id = ANY(%(step_ids)s)
                       )
                     ORDER BY ev.id, last.create_date DESC, last.id DESC
                )
                SELECT done.step_id,
                       count(*),
                       count(*) FILTER (WHERE done.channel != 'none'),
                       count(*) FILTER (WHERE done.id IN (SELECT id FROM replied)),
                       count(*) FILTER (WHERE done.id IN (SELECT dispatch_id FROM blamed))
                  FROM done
                 WHERE done.step_id = ANY(%(step_ids)s)
                 GROUP BY done.step_id
                """,
                done=done.subselect(),
                contacts=contacts.subselect(),
                withdrawals=withdrawals.subselect(),
                step_ids=steps.ids,
                days=self._followup_optout_window_days(),
            )
        )
        return {step_id: tuple(values) for step_id, *values in rows}
