"""Text message steps: the step's SMS template rendered in batch, then posted on the
followed-up document with Odoo's own ``_message_sms`` (a chatter message of type SMS,
its ``sms.sms`` in the queue and its delivery notification), to the partner's number for
text messages. ``put_in_queue``: the SMS queue's cron sends after the commit."""

from odoo import api, models


class FollowupChannelSms(models.AbstractModel):
    _name = "followup.channel.sms"
    _inherit = "followup.channel"
    _description = "Follow-up Channel: Text Messages"

    @api.model
    def _followup_number(self, partner):
        """The number a text message to ``partner`` goes to."""
        number = partner._fields.get("followup_sms_number") and partner.followup_sms_number
        return number or partner.mobile or partner.phone or False

    @api.model
    def _perform(self, outcomes, now):
        return self._followup_render_then_send(
            outcomes,
            lambda outcome: outcome.step.sms_template_id,
            self._followup_render,
            self._followup_post,
        )

    @api.model
    def _followup_render(self, template, outcomes):
        """{outcome key: text} of ``template`` for the outcomes (one rendering per
        language)."""
        targets = {o.key: self._followup_render_target(o, template.model) for o in outcomes}
        texts = template._render_field(
            "body", list({record.id for record in targets.values()}), compute_lang=True
        )
        return {key: texts[target.id] for key, target in targets.items()}

    @api.model
    def _followup_post(self, outcomes, bodies):
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        results = []
        for outcome in outcomes:
            partner = outcome.partner
            # sudo: the cron runs as superuser anyway; the partners, documents and
            # templates were checked when the steps were configured and enrolled.
            message = outcome.origin.sudo()._message_sms(
                bodies[outcome.key],
                subtype_id=note,
                partner_ids=partner.ids,
                sms_pid_to_number={partner.id: self._followup_number(partner)},
                author_id=outcome.user.partner_id.id,
                put_in_queue=True,
            )
            # Odoo's notification of the text message to the partner, where the SMS
            # queue and the provider's delivery reports write its delivery.
            notification = message.notification_ids.filtered(
                lambda n, p=partner: n.notification_type == "sms" and n.res_partner_id == p
            )[:1]
            results.append(outcome.link(message_id=message.id, notification_id=notification.id))
        return results

    # ------------------------------------------------------------------ preview

    @api.model
    def _followup_preview(self, outcome):
        """The text as the dispatch would queue it, and the number it would go to (the
        step preview and the test send; nothing is queued)."""
        template = self._followup_preview_template(outcome.step.sms_template_id)
        return {
            "sms_body": self._followup_render(template, [outcome])[outcome.key],
            "sms_number": self._followup_number(outcome.partner),
        }
