"""Text message steps: the action "SMS from a template" (the step's ``sms_template_id``),
the text message among the channels a preferred-channel step offers, how such a step
reads on the timeline, and its test sent to the user's own mobile."""

from odoo import api, fields, models
from odoo.exceptions import UserError

# The orders of fallback with a text message, among the core's (an e-mail and a call;
# the 1-tuples place them, so that the list reads as before the split).
SMS_CHANNEL_ORDERS = [
    ("email_sms", "E-mail, then SMS"),
    ("email_phone",),
    ("sms_email", "SMS, then e-mail"),
    ("sms_phone", "SMS, then a call"),
    ("phone_email",),
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

    # Without this add-on, a text message step becomes an activity for the salesperson
    # and a preferred-channel step offers an e-mail and a call.
    action = fields.Selection(
        selection_add=[("sms", "SMS from a template"), ("server_action",)],
        ondelete={"sms": "set default"},
    )
    channel_order = fields.Selection(
        selection_add=SMS_CHANNEL_ORDERS,
        default="email_sms",
        ondelete={order[0]: "set default" for order in SMS_CHANNEL_ORDERS if len(order) > 1},
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', 'in', [origin_model, 'res.partner'])]",
    )

    # ------------------------------------------------------------------ the action

    @api.model
    def _followup_action_channels(self):
        return {**super()._followup_action_channels(), "sms": "sms"}

    @api.model
    def _followup_action_targets(self):
        return {
            **super()._followup_action_targets(),
            "sms": ("sms_template_id", self.env._("an SMS template")),
        }

    def _followup_action_records(self):
        return [
            *super()._followup_action_records(),
            (self.sms_template_id, self.sms_template_id.model),
        ]

    @api.model
    def _followup_preferred_parts(self):
        return {
            **super()._followup_preferred_parts(),
            "sms": ("sms", "sms_template_id", self.env._("an SMS template")),
        }

    @api.constrains("sms_template_id")
    def _check_sms_template(self):
        """The SMS template is what a text message step uses: the same checks as the
        core's other targets (the core's constraints do not watch this field)."""
        self._check_action_target()
        self._check_preferred_channels()

    # ------------------------------------------------------------------ timeline

    @api.depends("sms_template_id")
    def _compute_timeline(self):
        return super()._compute_timeline()

    def _followup_what_label(self):
        self.ensure_one()
        if self.channel_choice != "preferred" and self.action == "sms":
            name = self.sms_template_id.name
            kind = self.env._("SMS")
            return f"{kind} · “{name}”" if name else kind
        return super()._followup_what_label()

    # ------------------------------------------------------------------ test send

    def _followup_send_test_parts(self, parts, email_to=False):
        if parts["action"] == "sms":
            self._followup_send_test_sms(parts)
            return True
        return super()._followup_send_test_parts(parts, email_to)

    def _followup_send_test_sms(self, parts):
        partner = self.env.user.partner_id
        number = self.env["followup.channel.sms"]._followup_number(partner)
        number = number and (partner._phone_format(number=number) or number)
        if not number:
            raise UserError(
                self.env._("Add a mobile number to your preferences to receive a test.")
            )
        # sudo: sms.sms is technical; the text goes to the current user's number only,
        # outside any thread (no message, no notification, nothing to track).
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": number,
                    "partner_id": partner.id,
                    "body": self._followup_test_mark(parts["sms_body"]),
                }
            )
        )
        sms.send(unlink_failed=False, unlink_sent=True, raise_exception=False)
        if sms.state == "error":
            labels = dict(sms._fields["failure_type"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The test text message could not be sent: %(reason)s",
                    reason=labels.get(sms.failure_type) or sms.failure_type,
                )
            )
