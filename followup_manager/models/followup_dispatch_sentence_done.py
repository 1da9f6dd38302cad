from odoo import models


class FollowupDispatchSentenceDone(models.AbstractModel):
    """The sentences of the steps carried out, failed, or skipped before the policy
    was asked (see followup_dispatch_sentence.py for how a sentence is composed)."""

    _name = "followup.dispatch.sentence.done"
    _description = "Follow-up Dispatch: Sentences of Steps Done, Failed or Skipped"

    # --- done and failed

    def _followup_sentence_urgent(self, details):
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        return self.env._(
            "Urgent: sent outside the usual limits (%(limit)s).",
            limit=reasons.get(details["bypassed"], details["bypassed"]),
        )

    def _followup_sentence_done_activity(self, details):
        return self.env._(
            "Done: activity “%(summary)s” scheduled for %(user)s on %(document)s.", **details
        )

    def _followup_sentence_done_email(self, details):
        return self.env._(
            "Done: e-mail “%(template)s” queued for %(partner)s <%(email)s> on %(document)s.",
            **details,
        )

    def _followup_sentence_done_server_action(self, details):
        return self.env._("Done: server action “%(action)s” run on %(document)s.", **details)

    def _followup_sentence_failed_facts(self, details):
        return self.env._(
            "Failed: the contact data of %(partner)s could not be read; this step is skipped.",
            partner=details["partner"],
        )

    def _followup_sentence_failed(self, details):
        return self.env._(
            "Failed: step “%(step)s” (%(what)s) raised an error and is skipped: %(error)s",
            **details,
        )

    # --- stopped or skipped before the policy

    def _followup_sentence_origin_cancelled(self, details):
        return self.env._(
            "Stopped: the document followed up (%(model)s #%(id)s) no longer exists.", **details
        )

    def _followup_sentence_already_done(self, details):
        return self.env._(
            "Skipped: step “%(step)s” was already carried out for %(partner)s on "
            "%(date)s; a step is never carried out twice.",
            step=details.get("step"),
            partner=details.get("partner"),
            date=self._followup_format_datetime(details.get("date")),
        )

    # --- skipped by the step's condition

    def _followup_sentence_condition(self, details):
        return self.env._(
            "Skipped: the condition of step “%(step)s” does not hold for the document "
            "followed up; the next step is planned.",
            step=details.get("step") or "",
        )
