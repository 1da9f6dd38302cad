from odoo import api, models


class FollowupChannelServerAction(models.AbstractModel):
    """Server action steps: the step's action run on its document (``active_model``,
    ``active_id``), one savepoint each: it is the user's own code, it may fail alone."""

    _name = "followup.channel.server_action"
    _inherit = "followup.channel"
    _description = "Follow-up Channel: Server Actions"

    @api.model
    def _perform(self, outcomes, now):
        results = []
        for outcome in outcomes:
            action = outcome.step.server_action_id
            try:
                target = self._followup_render_target(outcome, action.model_name)
                with self.env.cr.savepoint():
                    action.with_context(
                        active_model=target._name,
                        active_id=target.id,
                        active_ids=target.ids,
                        followup_enrollment_id=outcome.enrollment.id,
                        followup_partner_id=outcome.partner.id,
                        followup_step_id=outcome.step.id,
                    ).run()
            except Exception as error:  # noqa: BLE001 - the action's own error
                outcome = outcome.fail(self._followup_error_text(error))
            results.append(outcome)
        return results

    @api.model
    def _followup_preview(self, outcome):
        """A server action is code: it is named, never run by a preview."""
        return {"server_action": outcome.step.server_action_id}
