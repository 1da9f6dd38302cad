"""The channel a step reaches the person on: the one its action fixes (an e-mail goes by
e-mail), the one the user chooses (an activity: a call, a visit), or the person's preferred
channel among those the step offers.

The person's preferred channel: a step can offer an e-mail and a call (an activity for
the salesperson), and the channels other add-ons carry out (followup_manager_sms: a text
message), in an order of fallback, and let the person's preferred
channel (``res.partner.followup_preferred_channel``) decide which one goes. The choice is
the policy's (``policy.choice``, through ``policy.planner.plan``): the dispatch and the
forecast only say which channels a step offers (:meth:`_followup_channels`) and what
carries each one out (:meth:`_followup_action_for`)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..policy import vocabulary

# The channel each action reaches the person on, when it is not the user's choice
# (followup.step._followup_action_channels adds the actions of other add-ons).
ACTION_CHANNELS = {"email": "email"}
DEFAULT_CHANNELS = {"activity": "phone", "server_action": "none"}

# The orders of fallback: every order of the channels (the codes name them, joined by
# "_"); an add-on that adds a channel adds its orders with selection_add.
CHANNEL_ORDERS = [
    ("email_phone", "E-mail, then a call"),
    ("phone_email", "A call, then e-mail"),
]


class FollowupStepChannels(models.AbstractModel):
    """The channel a step reaches the person on (see the module's docstring)."""

    _name = "followup.step.channels"
    _description = "Follow-up Step: Channels"

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
    channel_choice = fields.Selection(
        [("fixed", "The step's channel"), ("preferred", "The person's preferred channel")],
        required=True,
        default="fixed",
        help="The person's preferred channel: the step offers an e-mail, a call and/or "
        "another channel, and goes by the channel the person prefers when it is allowed "
        "now, else by the first allowed channel of its order.",
    )
    channel_order = fields.Selection(
        CHANNEL_ORDERS,
        required=True,
        default="email_phone",
        help="The channels the step offers, in the order tried when the person's "
        "preferred channel is not one of them or is not allowed now (consent, opt-outs, "
        "address, hours...). Each needs its template or activity type.",
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

    def _followup_channels(self):
        """The channels this step may contact the person on, in its order: its own
        channel, or the channels of a preferred-channel step that are configured."""
        self.ensure_one()
        if self.channel_choice != "preferred":
            return (self.channel or vocabulary.INTERNAL,)
        parts = self._followup_preferred_parts()
        order = tuple(self.channel_order.split("_"))
        configured = tuple(
            channel for channel in order if channel in parts and self[parts[channel][1]]
        )
        # Nothing configured any more (a template deleted): the first channel, whose
        # adapter then fails the step visibly rather than skipping it in silence.
        return configured or order[:1]

    def _followup_action_for(self, channel):
        """The action that carries this step out on ``channel`` (its own action for a
        step with a fixed channel)."""
        self.ensure_one()
        if self.channel_choice != "preferred":
            return self.action
        part = self._followup_preferred_parts().get(channel)
        return part[0] if part else self.action

    @api.model
    def _followup_preferred_parts(self):
        """{channel: (the action that carries it out, the step's field that configures
        it, that thing in words)} of the channels a preferred-channel step can offer;
        override to add one (with its orders in ``channel_order``)."""
        return {
            "email": ("email", "mail_template_id", self.env._("an e-mail template")),
            "phone": ("activity", "activity_type_id", self.env._("an activity type for the call")),
        }

    @api.constrains(
        "channel_choice",
        "channel_order",
        "mail_template_id",
        "activity_type_id",
    )
    def _check_preferred_channels(self):
        labels = dict(self._fields["channel_order"]._description_selection(self.env))
        parts = self._followup_preferred_parts()
        for step in self.filtered(lambda s: s.channel_choice == "preferred"):
            missing = [
                parts[channel][2]
                for channel in step.channel_order.split("_")
                if channel in parts and not step[parts[channel][1]]
            ]
            if missing:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” goes by the person's preferred channel among "
                        "“%(order)s”: it needs %(what)s. Fill it in, or choose an order "
                        "without that channel; a preferred-channel step offers at least two "
                        "channels.",
                        step=step.name,
                        order=labels[step.channel_order],
                        what=missing[0],
                    )
                )
