"""The person's preferred channel: a step can offer an e-mail and a call (an activity for
the salesperson), and the channels other add-ons carry out (followup_manager_sms: a text
message), in an order of fallback, and let the person's preferred
channel (``res.partner.followup_preferred_channel``) decide which one goes. The choice is
the policy's (``policy.choice``, through ``policy.planner.plan``): the dispatch and the
forecast only say which channels a step offers (:meth:`_followup_channels`) and what
carries each one out (:meth:`_followup_action_for`)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..policy import vocabulary

# The orders of fallback: every order of the channels (the codes name them, joined by
# "_"); an add-on that adds a channel adds its orders with selection_add.
CHANNEL_ORDERS = [
    ("email_phone", "E-mail, then a call"),
    ("phone_email", "A call, then e-mail"),
]


class FollowupStep(models.Model):
    _inherit = "followup.step"

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
