"""The sentences of the dispatch log: why a step was done, deferred, suppressed or failed.

Two halves, so that a sentence can be composed at any time in any language:

* ``_followup_describe(outcome)`` says what happened as a **code** and a dict of
  **plain values** (texts, numbers, codes: what ``fields.Json`` could store);
* ``_followup_note(code, details)`` composes the sentence from them, in the current
  language, with one small ``_followup_sentence_<code>`` method per code. To add a reason,
  add its method.

Channels are carried as codes and named in the sentence's language; the policy's own
details (``policy.decision.Decision.details``) are passed on as they are.
"""

from odoo import api, fields, models

from ..policy import decision as policy_decision
from .followup_outcome import ALREADY_DONE, DEFERRED, DONE, FAILED

# Errors of the planner that mean "the facts of this person could not be read".
_FACTS_ERRORS = ("missing_facts", "missing_settings")
# Deferrals with a sentence of their own; any other says "outside the sending hours".
_DEFER_CODES = (
    policy_decision.CAP,
    policy_decision.WEEKEND,
    policy_decision.PREFERRED_HOURS,
    policy_decision.USER_LIMIT,
    policy_decision.HOLIDAY,
)


class FollowupDispatch(models.Model):
    _inherit = "followup.dispatch"

    # ------------------------------------------------------------------ rows

    @api.model
    def _followup_log_vals(self, outcome):
        """Values of the row logging ``outcome`` (a followup_outcome.StepOutcome)."""
        vals = {
            "enrollment_id": outcome.enrollment.id,
            "step_id": outcome.step.id,
            "user_id": outcome.user.id if outcome.user else False,
            "purpose": outcome.step.sequence_id.purpose,
            "channel": outcome.step.channel,
            "state": outcome.log_state,
            "reason": outcome.log_reason,
            "note": self._followup_note(*self._followup_describe(outcome)),
            "next_try": outcome.next_try or False,
        }
        if outcome.performs:
            vals["idempotency_key"] = self._followup_idempotency_key(
                outcome.enrollment, outcome.step
            )
        return vals

    # ------------------------------------------------------------------ what happened

    @api.model
    def _followup_describe(self, outcome):
        """(code, details) of the sentence for ``outcome``; details are plain values."""
        partner = outcome.partner.display_name
        if outcome.state == DONE:
            return self._followup_describe_done(outcome)
        if outcome.state == FAILED:
            return self._followup_describe_failure(outcome)
        if outcome.stop_reason == "origin_cancelled":
            return "origin_cancelled", {
                "model": outcome.enrollment.origin_model,
                "id": outcome.enrollment.origin_id,
            }
        if outcome.state == ALREADY_DONE:
            return "already_done", {
                "step": outcome.step.name,
                "partner": partner,
                "date": fields.Datetime.to_string(outcome.done_before)[:16],
            }
        details = dict(outcome.decision.details) if outcome.decision else {}
        details.update(partner=partner, channel=outcome.step.channel or "")
        if outcome.state == DEFERRED:
            details.update(
                next_try=fields.Datetime.to_string(outcome.next_try),
                country_name=outcome.partner.country_id.name or details.get("country") or "",
            )
            if outcome.reason in _DEFER_CODES:
                return outcome.reason, details
            return policy_decision.QUIET_HOURS, details
        details["reason"] = outcome.log_reason or ""
        return outcome.reason or "suppressed", details

    @api.model
    def _followup_describe_done(self, outcome):
        step, partner, origin = outcome.step, outcome.partner, outcome.origin
        if step.action == "activity":
            return "done_activity", {
                "summary": step.activity_summary or step.name,
                "user": outcome.user.partner_id.name or outcome.user.display_name,
                "document": origin.display_name,
            }
        if step.action == "email":
            return "done_email", {
                "template": step.mail_template_id.display_name,
                "partner": partner.display_name,
                "email": partner.email or "",
                "document": origin.display_name,
            }
        if step.action == "sms":
            return "done_sms", {
                "template": step.sms_template_id.display_name,
                "partner": partner.display_name,
                "number": self.env["followup.channel.sms"]._followup_number(partner) or "",
            }
        return "done_server_action", {
            "action": step.server_action_id.display_name,
            "document": origin.display_name,
        }

    @api.model
    def _followup_describe_failure(self, outcome):
        step = outcome.step
        if outcome.error in _FACTS_ERRORS:
            return "failed_facts", {"partner": outcome.partner.display_name}
        what = {
            "email": step.mail_template_id.display_name,
            "sms": step.sms_template_id.display_name,
            "server_action": step.server_action_id.display_name,
            "activity": step.activity_type_id.display_name,
        }.get(step.action)
        details = {"step": step.name, "what": what or step.name, "error": outcome.error or ""}
        return "failed", details

    # ------------------------------------------------------------------ sentences

    @api.model
    def _followup_note(self, code, details):
        """The sentence a person reads in the log, in the current language."""
        sentence = getattr(self, f"_followup_sentence_{code}", None)
        if sentence is None:
            return self._followup_sentence_suppressed({"reason": code, **details})
        return sentence(details)

    @api.model
    def _followup_channel_label(self, channel):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        return labels.get(channel, channel or "")

    @api.model
    def _followup_when(self, details):
        """ "2026-11-30 09:00 (Europe/Rome)": the next try in the partner's time."""
        local, tz = details.get("local_time"), details.get("tz")
        if local and tz:
            return self.env._("%(time)s (%(tz)s)", time=local, tz=tz)
        return self.env._("%(time)s (UTC)", time=details.get("next_try") or "")

    # --- done and failed

    def _followup_sentence_done_activity(self, details):
        return self.env._(
            "Done: activity “%(summary)s” scheduled for %(user)s on %(document)s.", **details
        )

    def _followup_sentence_done_email(self, details):
        return self.env._(
            "Done: e-mail “%(template)s” queued for %(partner)s <%(email)s> on %(document)s.",
            **details,
        )

    def _followup_sentence_done_sms(self, details):
        return self.env._(
            "Done: text message “%(template)s” queued for %(partner)s (%(number)s).", **details
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
            "%(date)s (UTC); a step is never carried out twice.",
            **details,
        )

    # --- deferred

    def _followup_sentence_cap(self, details):
        contacts = details.get("contacts") or 0
        times = (
            self.env._("once") if contacts == 1 else self.env._("%(count)s times", count=contacts)
        )
        return self.env._(
            "Deferred: %(partner)s was already contacted %(times)s in the last "
            "%(days)s days; next try on %(when)s.",
            partner=details["partner"],
            times=times,
            days=details.get("days"),
            when=self._followup_when(details),
        )

    def _followup_sentence_weekend(self, details):
        if details.get("country_name"):
            return self.env._(
                "Deferred: it is the weekend in %(country)s for %(partner)s; next "
                "try on %(when)s.",
                country=details["country_name"],
                partner=details["partner"],
                when=self._followup_when(details),
            )
        return self.env._(
            "Deferred: it is the weekend for %(partner)s; next try on %(when)s.",
            partner=details["partner"],
            when=self._followup_when(details),
        )

    def _followup_sentence_preferred_hours(self, details):
        return self.env._(
            "Deferred: %(partner)s prefers to be contacted between %(start)s and "
            "%(end)s; next try on %(when)s.",
            partner=details["partner"],
            start=details.get("preferred_start"),
            end=details.get("preferred_end"),
            when=self._followup_when(details),
        )

    def _followup_sentence_quiet_hours(self, details):
        return self.env._(
            "Deferred: it is %(now)s for %(partner)s (%(tz)s), outside the sending hours "
            "%(start)s-%(end)s; next try on %(when)s.",
            now=(details.get("now_local") or "")[-5:],
            partner=details["partner"],
            tz=details.get("tz") or "UTC",
            start=details.get("window_start"),
            end=details.get("window_end"),
            when=self._followup_when(details),
        )

    def _followup_sentence_user_limit(self, details):
        if details.get("limit_kind") == "emails":
            return self.env._(
                "Deferred: %(user)s already sent %(count)s follow-up e-mails today, their "
                "daily limit; next try on %(when)s.",
                user=details.get("user") or "",
                count=details.get("limit"),
                when=self._followup_when(details),
            )
        return self.env._(
            "Deferred: %(user)s already has %(count)s follow-up tasks today, their daily "
            "limit; next try on %(when)s.",
            user=details.get("user") or "",
            count=details.get("limit"),
            when=self._followup_when(details),
        )

    def _followup_sentence_holiday(self, details):
        return self.env._(
            "Deferred: %(date)s is a public holiday in the company's working calendar; "
            "next try on %(when)s.",
            date=(details.get("now_local") or "")[:10],
            when=self._followup_when(details),
        )

    def _followup_sentence_resumed(self, details):
        return self.env._(
            "Resumed on %(date)s (UTC) after a pause.", date=details.get("resumed") or ""
        )

    # --- skipped by the step's condition

    def _followup_sentence_condition(self, details):
        return self.env._(
            "Skipped: the condition of step “%(step)s” does not hold for the document "
            "followed up; the next step is planned.",
            step=details.get("step") or "",
        )

    # --- suppressed: the person or the data says no

    def _followup_sentence_no_consent(self, details):
        return self.env._(
            "Suppressed: %(partner)s has not agreed to receive marketing by %(channel)s; "
            "this step is skipped.",
            partner=details["partner"],
            channel=self._followup_channel_label(details.get("channel")),
        )

    def _followup_sentence_withdrawn(self, details):
        return self.env._(
            "Suppressed: %(partner)s withdrew their consent for %(channel)s; this step "
            "is skipped.",
            partner=details["partner"],
            channel=self._followup_channel_label(details.get("channel")),
        )

    def _followup_sentence_channel_refused(self, details):
        return self.env._(
            "Suppressed: %(partner)s asked not to be contacted by %(channel)s; this step "
            "is skipped.",
            partner=details["partner"],
            channel=self._followup_channel_label(details.get("channel")),
        )

    def _followup_sentence_blacklisted(self, details):
        return self.env._(
            "Suppressed: the %(channel)s address of %(partner)s is on the opt-out list; "
            "this step is skipped.",
            partner=details["partner"],
            channel=self._followup_channel_label(details.get("channel")),
        )

    def _followup_sentence_invalid_address(self, details):
        return self.env._(
            "Suppressed: %(partner)s has no valid address for %(channel)s; this step is skipped.",
            partner=details["partner"],
            channel=self._followup_channel_label(details.get("channel")),
        )

    def _followup_sentence_stopped(self, details):
        return self.env._(
            "Stopped: %(partner)s is archived; the follow-up ends here.",
            partner=details["partner"],
        )

    def _followup_sentence_suppressed(self, details):
        return self.env._(
            "Suppressed (%(reason)s): this step is skipped.", reason=details.get("reason") or ""
        )
