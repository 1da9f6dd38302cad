from odoo import models


class FollowupDispatchSentenceSuppressed(models.AbstractModel):
    """The sentences of the steps suppressed (the person or the data says no), and
    the answer of ``res.partner.followup_check`` when it says yes."""

    _name = "followup.dispatch.sentence.suppressed"
    _description = "Follow-up Dispatch: Sentences of Steps Suppressed or Allowed"

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
        if details.get("bounced"):
            return self._followup_sentence_bounced(details)
        return self.env._(
            "Suppressed: %(partner)s has no valid address for %(channel)s; this step is skipped.",
            partner=details["partner"],
            channel=self._followup_channel_label(details.get("channel")),
        )

    def _followup_sentence_bounced(self, details):
        """A hard bounce: the address is unusable (reason ``invalid_address``); the
        follow-up stops when only e-mails were left."""
        date = self._followup_format_datetime(details.get("bounce_date"), "UTC")
        if details.get("stop_reason") == "bounced" and details.get("bounce_info"):
            return self.env._(
                "Stopped: the e-mail address of %(partner)s bounced on %(date)s (UTC): "
                "%(info)s; only e-mails were left, the follow-up ends here.",
                partner=details["partner"],
                date=date,
                info=details["bounce_info"],
            )
        if details.get("stop_reason") == "bounced":
            return self.env._(
                "Stopped: the e-mail address of %(partner)s bounced on %(date)s (UTC); only "
                "e-mails were left, the follow-up ends here.",
                partner=details["partner"],
                date=date,
            )
        if details.get("bounce_info"):
            return self.env._(
                "Suppressed: the e-mail address of %(partner)s bounced on %(date)s (UTC): "
                "%(info)s; this step is skipped.",
                partner=details["partner"],
                date=date,
                info=details["bounce_info"],
            )
        return self.env._(
            "Suppressed: the e-mail address of %(partner)s bounced on %(date)s (UTC); this "
            "step is skipped.",
            partner=details["partner"],
            date=date,
        )

    def _followup_sentence_stopped(self, details):
        return self.env._(
            "Stopped: %(partner)s is archived; the follow-up ends here.",
            partner=details["partner"],
        )

    def _followup_sentence_suppressed(self, details):
        """Any reason without a sentence of its own: named by its label."""
        reason = details.get("reason") or ""
        labels = dict(self._fields["reason"]._description_selection(self.env))
        return self.env._(
            "Suppressed (%(reason)s): this step is skipped.", reason=labels.get(reason, reason)
        )

    def _followup_sentence_error(self, details):
        return self.env._(
            "Failed: the contact data of %(partner)s could not be read; this step is skipped.",
            partner=details.get("partner") or "",
        )

    # --- allowed (res.partner.followup_check's answer)

    def _followup_sentence_allowed(self, details):
        return self.env._(
            "Allowed: %(partner)s may be contacted by %(channel)s now.",
            partner=details.get("partner") or "",
            channel=self._followup_channel_label(details.get("channel")),
        )
