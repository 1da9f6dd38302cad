from odoo import models


class FollowupDispatchSentenceDeferred(models.AbstractModel):
    """The sentences of the steps deferred: the cap, the person's local time, a hold
    (away, a soft bounce), a daily limit, a holiday; and of a resumed step."""

    _name = "followup.dispatch.sentence.deferred"
    _description = "Follow-up Dispatch: Sentences of Steps Deferred"

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
        country = self._followup_country_label(details)
        if country:
            return self.env._(
                "Deferred: it is the weekend in %(country)s for %(partner)s; next "
                "try on %(when)s.",
                country=country,
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
            start=self._followup_format_clock(details.get("preferred_start")),
            end=self._followup_format_clock(details.get("preferred_end")),
            when=self._followup_when(details),
        )

    def _followup_sentence_quiet_hours(self, details):
        return self.env._(
            "Deferred: it is %(now)s for %(partner)s (%(tz)s), outside the sending hours "
            "%(start)s-%(end)s; next try on %(when)s.",
            now=self._followup_format_clock(details.get("now_local")),
            partner=details["partner"],
            tz=details.get("tz") or "UTC",
            start=self._followup_format_clock(details.get("window_start")),
            end=self._followup_format_clock(details.get("window_end")),
            when=self._followup_when(details),
        )

    def _followup_sentence_away(self, details):
        if details.get("away_return"):
            return self.env._(
                "Deferred: %(partner)s is away according to their automatic reply, until "
                "%(date)s; next try on %(when)s.",
                partner=details["partner"],
                date=self._followup_format_date(details["away_return"]),
                when=self._followup_when(details),
            )
        return self.env._(
            "Deferred: %(partner)s is away according to their automatic reply, which gives "
            "no return date; next try on %(when)s.",
            partner=details["partner"],
            when=self._followup_when(details),
        )

    def _followup_sentence_soft_bounce(self, details):
        return self.env._(
            "Deferred: the last e-mail to %(partner)s could not be delivered for now "
            "(%(info)s); next try on %(when)s.",
            partner=details["partner"],
            info=details.get("bounce_info") or self.env._("no explanation from the server"),
            when=self._followup_when(details),
        )

    def _followup_sentence_user_limit(self, details):
        if details.get("limit_kind") == "emails":
            return self.env._(
                "Deferred: %(user)s already sent %(count)s follow-up e-mails today, their "
                "daily limit; next try on %(when)s.",
                user=details.get("user") or "",
                count=details.get("limit") or 0,
                when=self._followup_when(details),
            )
        return self.env._(
            "Deferred: %(user)s already has %(count)s follow-up tasks today, their daily "
            "limit; next try on %(when)s.",
            user=details.get("user") or "",
            count=details.get("limit") or 0,
            when=self._followup_when(details),
        )

    def _followup_sentence_holiday(self, details):
        return self.env._(
            "Deferred: %(date)s is a public holiday in the company's working calendar; "
            "next try on %(when)s.",
            date=self._followup_format_date(details.get("now_local")),
            when=self._followup_when(details),
        )

    def _followup_sentence_resumed(self, details):
        return self.env._(
            "Resumed on %(date)s after a pause.",
            date=self._followup_format_datetime(details.get("resumed")),
        )
