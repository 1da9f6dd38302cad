from odoo import api, fields, models

from .tools import activity_vals


class FollowupChannelActivity(models.AbstractModel):
    """Activity steps: a to-do for the responsible user on the followed-up document, all
    of a batch in one ``mail.activity.create`` (the batch context keeps Odoo from
    mailing each assignee)."""

    _name = "followup.channel.activity"
    _inherit = "followup.channel"
    _description = "Follow-up Channel: Activities"

    @api.model
    def _followup_activity_vals(self, outcome, now):
        """Values of the activity of ``outcome``, due today for its assignee."""
        step = self._followup_step_for(outcome)
        return activity_vals(
            outcome.origin,
            outcome.user,
            step.activity_type_id,
            step.activity_summary or step.name,
            step.note or False,
            due=now,
            automated=True,
        )

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
        def create_all(batch):
            activities = self.env["mail.activity"].create(
                [self._followup_activity_vals(outcome, now) for outcome in batch]
            )
            return [
                outcome.link(activity_id=activity.id)
                for outcome, activity in zip(batch, activities, strict=True)
            ]

        return self._followup_isolate(outcomes, create_all)

    @api.model
    def _followup_preview(self, outcome):
        """The activity as the dispatch would schedule it today, in its assignee's
        language."""
        vals = self._followup_activity_vals(outcome, fields.Datetime.now())
        return {
            "activity_type": self.env["mail.activity.type"].browse(vals["activity_type_id"]),
            "activity_summary": vals["summary"],
            "activity_note": vals["note"],
            "activity_user": outcome.user,
        }
