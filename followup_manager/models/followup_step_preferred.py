"""The person's preferred channel: a step can offer an e-mail, a text message and a call
(an activity for the salesperson) in an order of fallback, and let the person's preferred
channel (``res.partner.followup_preferred_channel``) decide which one goes. The choice is
the policy's (``policy.choice``, through ``policy.planner.plan``): the dispatch and the
forecast only say which channels a step offers (:meth:`_followup_channels`) and what
carries each one out (:meth:`_followup_action_for`)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..policy import vocabulary

# What carries out each channel a preferred-channel step can offer, and the field that
# configures it.
PREFERRED_ACTIONS = {"email": "email", "sms": "sms", "phone": "activity"}
PREFERRED_TARGETS = {
    "email": "mail_template_id",
    "sms": "sms_template_id",
    "phone": "activity_type_id",
}
# The orders of fallback: every order of two or three of the channels (the codes name
# them, joined by "_").
CHANNEL_ORDERS = [
    ("email_sms", "E-mail, then SMS"),
    ("email_phone", "E-mail, then a call"),
    ("sms_email", "SMS, then e-mail"),
    ("sms_phone", "SMS, then a call"),
    ("phone_email", "A call, then e-mail"),
    ("phone_sms", "A call, then SMS"),
    ("email_sms_phone", "E-mail, then SMS, then a call"),
    ("email_phone_sms", "E-mail, then a call, then SMS"),
    ("sms_email_phone", "SMS, then e-mail, then a call"),
    ("sms_phone_email", "SMS, then a call, then e-mail"),
    ("phone_email_sms", "A call, then e-mail, then SMS"),
    ("phone_sms_email", "A call, then SMS, then e-mail"),
]


class FollowupStep(models.Model):
    _inherit = "followup.step"

    channel_choice = fields.Selection(
        [("fixed", "The step's channel"), ("preferred", "The person's preferred channel")],
        required=True,
        default="fixed",
        help="The person's preferred channel: the step offers an e-mail, an SMS and/or a "
        "call, and goes by the channel the person prefers when it is allowed now, else by "
        "the first allowed channel of its order.",
    )
    channel_order = fields.Selection(
        CHANNEL_ORDERS,
        required=True,
        default="email_sms",
        help="The channels the step offers, in the order tried when the person's "
        "preferred channel is not one of them or is not allowed now (consent, opt-outs, "
        "address, hours...). Each needs its template or activity type.",
    )

    def _followup_channels(self):
        """The channels this step may contact the person on, in its order: its own
        channel, or the channels of a preferred-channel step that are configured."""
        self.ensure_one()
        if self.channel_choice != "preferred":
            return (self.channel or vocabulary.INTERNAL,)
        order = tuple(self.channel_order.split("_"))
        configured = tuple(channel for channel in order if self[PREFERRED_TARGETS[channel]])
        # Nothing configured any more (a template deleted): the first channel, whose
        # adapter then fails the step visibly rather than skipping it in silence.
        return configured or order[:1]

    def _followup_action_for(self, channel):
        """The action that carries this step out on ``channel`` (its own action for a
        step with a fixed channel)."""
        self.ensure_one()
        if self.channel_choice != "preferred":
            return self.action
        return PREFERRED_ACTIONS.get(channel, self.action)

    @api.constrains(
        "channel_choice",
        "channel_order",
        "mail_template_id",
        "sms_template_id",
        "activity_type_id",
    )
    def _check_preferred_channels(self):
        labels = dict(self._fields["channel_order"]._description_selection(self.env))
        what = {
            "email": self.env._("an e-mail template"),
            "sms": self.env._("an SMS template"),
            "phone": self.env._("an activity type for the call"),
        }
        for step in self.filtered(lambda s: s.channel_choice == "preferred"):
            missing = [
                what[channel]
                for channel in step.channel_order.split("_")
                if not step[PREFERRED_TARGETS[channel]]
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
