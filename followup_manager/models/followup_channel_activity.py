from odoo import api, models

from ..policy import calendar


class FollowupChannelActivity(models.AbstractModel):
    """Activity steps: a to-do for the responsible user on the followed-up document, all
    of a batch in one ``mail.activity.create`` (the batch context keeps Odoo from
    mailing each assignee)."""

    _name = "followup.channel.activity"
    _inherit = "followup.channel"
    _description = "Follow-up Channel: Activities"

    @api.model
    def _followup_activity_vals(self, outcome, now, model_ids=None):
        """Values of the activity of ``outcome``; ``model_ids``: {model: ir.model id}
        already known (a batch reads each once)."""
        origin, user = outcome.origin, outcome.user
        step = self._followup_step_for(outcome)
        model_ids = model_ids if model_ids is not None else {}
        if origin._name not in model_ids:
            model_ids[origin._name] = self.env["ir.model"]._get_id(origin._name)
        tz_name, _source = calendar.resolve_tz(user.tz, None, None, self.env.user.tz)
        return {
            "res_model_id": model_ids[origin._name],
            "res_id": origin.id,
            "activity_type_id": step.activity_type_id.id,
            "summary": step.activity_summary or step.name,
            "note": step.note or False,
            "user_id": user.id,
            # "Today" for the assignee, wherever they are.
            "date_deadline": calendar.to_local(now, tz_name).date(),
            "automated": True,
        }

    @api.model
    def _followup_step_for(self, outcome):
        """The step as its assignee reads it: summary and note in their language
        (one read per language for the whole batch, the steps being prefetched
        together)."""
        lang = outcome.user.lang or self.env.lang
        if not lang or lang == self.env.lang:
            return outcome.step
        return outcome.step.with_context(lang=lang)

    @api.model
    def _perform(self, outcomes, now):
        model_ids = {}

        def create_all(batch):
            activities = self.env["mail.activity"].create(
                [self._followup_activity_vals(outcome, now, model_ids) for outcome in batch]
            )
            return [
                outcome.link(activity_id=activity.id)
                for outcome, activity in zip(batch, activities, strict=True)
            ]

        return self._followup_isolate(outcomes, create_all)
