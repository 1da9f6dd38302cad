"""The sentences of the dispatch log: why a step was done, deferred, suppressed or failed.

Two halves, so that a sentence can be composed at any time in any language:

* ``_followup_describe(outcome)`` says what happened as a **code** and a dict of
  **plain values** (texts, numbers, codes: what ``fields.Json`` could store);
* ``_followup_note(code, details)`` composes the sentence from them, in the current
  language, with one small ``_followup_sentence_<code>`` method per code, in one mixin
  per family: ``followup.dispatch.sentence.done`` (done, failed, skipped before the
  policy; ``followup_dispatch_sentence_done.py``), ``.deferred``, ``.suppressed`` (and
  the "allowed" answer), ``.register`` (the Italian opt-out register, suppressed or
  deferred). ``_followup_sentences`` names every code and its method. To add a reason,
  add its method to its family and to that mapping.

What people steered is said as well: a step resumed after a pause (said first), a
step skipped by its condition, a user's daily limit.

Channels are carried as codes and named in the sentence's language; the policy's own
details (``policy.decision.Decision.details``) are passed on as they are.

The row stores the code and the details (``note_code``, ``note_data``); ``note`` is
composed when it is read, in the reader's language, dates and times in the reader's
locale and time zone (Odoo's ``format_date``, ``format_datetime``, ``format_time``), the
partner's local time where the sentence speaks of it.
A plain copy in the company's language (``note_text``) is written with the row, for
full-text search; rows written before 18.0.1.2.0 have only that copy and show it.
"""

import functools
from datetime import time as dt_time

from odoo import api, fields, models, tools
from odoo.tools import format_list
from odoo.tools.misc import (
    babel_locale_parse,
    format_date,
    format_datetime,
    format_time,
    get_lang,
)

from ..policy import vocabulary
from ..policy.text import strip_bidi_controls
from ..policy.vocabulary import DEFERRED, DONE, FAILED
from .followup_outcome import ALREADY_DONE


@functools.lru_cache(maxsize=64)
def _datetime_pattern(lang):
    """The pattern ``format_datetime`` is given for ``lang``: its medium date and short
    time ("Nov 30, 2026, 9:00 AM"; "30 nov 2026, 09:00"), from the CLDR data babel
    carries (no named format says "medium date, short time")."""
    locale = babel_locale_parse(lang)
    return str(locale.datetime_formats["medium"]).format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )


# Errors of the planner that mean "the facts of this person could not be read".
_FACTS_ERRORS = ("missing_facts", "missing_settings")
# Deferrals with a sentence of their own; any other says "outside the sending hours".
_DEFER_CODES = (
    vocabulary.CAP,
    vocabulary.WEEKEND,
    vocabulary.PREFERRED_HOURS,
    vocabulary.AWAY,
    vocabulary.SOFT_BOUNCE,
    vocabulary.USER_LIMIT,
    vocabulary.HOLIDAY,
)


class FollowupDispatchSentence(models.AbstractModel):
    _name = "followup.dispatch.sentence"
    _description = "Follow-up Dispatch: Sentences"

    # ------------------------------------------------------------------ the reader

    @api.model
    def _followup_reader(self):
        """(language, time zone) of whoever reads: the context's, else the user's."""
        lang = self.env.lang or self.env.user.lang or "en_US"
        # A tz given in the context wins, even empty (the company copy without one).
        tz = self.env.context.get("tz", self.env.user.tz)
        return lang, tz or False

    @api.model
    def _followup_reader_self(self):
        """This model in the reader's language (a job or an RPC call without a
        language in its context reads in the user's)."""
        lang, _tz = self._followup_reader()
        return self if self.env.lang == lang else self.with_context(lang=lang)

    # ------------------------------------------------------------------ what happened

    @api.model
    def _followup_describe(self, outcome):
        """(code, details) of the sentence for ``outcome``; details are plain values.
        What people steered is added to them: a step resumed after a pause, the step
        its condition skipped, the user whose daily limit held it back."""
        code, details = self._followup_describe_outcome(outcome)
        resumed = getattr(outcome.enrollment, "resumed_date", False)
        if resumed:
            details = dict(details, resumed=fields.Datetime.to_string(resumed)[:16])
        if outcome.reason == vocabulary.CONDITION and code == vocabulary.CONDITION:
            details = dict(details, step=outcome.step.name)
        if code == vocabulary.USER_LIMIT and outcome.user:
            details = dict(details, user=outcome.user.partner_id.name or outcome.user.name)
        return code, details

    @api.model
    def _followup_describe_outcome(self, outcome):
        """(code, details) of what was decided for ``outcome``: done, failed, stopped,
        skipped, deferred or suppressed."""
        partner = outcome.partner.display_name
        if outcome.state == DONE:
            code, details = self._followup_describe_done(outcome)
            # An urgent step let through a limit (the cap, the sending hours) says so.
            bypassed = outcome.decision and outcome.decision.details.get("bypassed")
            if bypassed:
                details["bypassed"] = bypassed
            # A step that let the person's preferred channel decide says which it took.
            choice = outcome.decision and outcome.decision.details.get("choice")
            if choice:
                details["choice"] = dict(choice)
            return code, details
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
        if outcome.state == DEFERRED:
            return self._followup_describe_decision(
                outcome.partner, outcome.channel, outcome.decision, outcome.next_try
            )
        details = dict(outcome.decision.details) if outcome.decision else {}
        details.update(partner=partner, channel=outcome.channel or "")
        details["reason"] = outcome.log_reason or ""
        details["stop_reason"] = outcome.stop_reason or False
        return outcome.reason or "suppressed", details

    @api.model
    def _followup_describe_decision(self, partner, channel, decision, next_try=None):
        """(code, details) of a policy ``decision`` (``policy.decision.Decision``) on
        contacting ``partner`` by ``channel``: the dispatch's deferrals and
        ``res.partner.followup_check``'s sentence."""
        details = dict(decision.details) if decision else {}
        details.update(partner=partner.display_name, channel=channel or "")
        if decision is not None and decision.allowed:
            code = "allowed"
        elif decision is not None and decision.deferred:
            details.update(
                next_try=fields.Datetime.to_string(next_try or decision.next_allowed),
                country_name=partner.country_id.name or details.get("country") or "",
            )
            if decision.reason in _DEFER_CODES:
                code = decision.reason
            else:
                code = vocabulary.QUIET_HOURS
        else:
            reason = decision.reason if decision is not None else None
            details["reason"] = reason or ""
            code = reason or "suppressed"
        if decision is not None and decision.reason == vocabulary.REGISTER:
            # The Italian opt-out register: one sentence, suppressed or deferred
            # (followup.dispatch.sentence.register).
            code = vocabulary.REGISTER
            details["deferred"] = decision.deferred
        return code, details

    @api.model
    def _followup_describe_done(self, outcome):
        step, partner, origin = outcome.step, outcome.partner, outcome.origin
        action = outcome.action
        if action == "activity":
            # The activity's title as its assignee got it (in their language).
            step = self.env["followup.channel.activity"]._followup_step_for(outcome)
            return "done_activity", {
                "summary": step.activity_summary or step.name,
                "user": outcome.user.partner_id.name or outcome.user.display_name,
                "document": origin.display_name,
            }
        if action == "email":
            return "done_email", {
                "template": step.mail_template_id.display_name,
                "partner": partner.display_name,
                "email": partner.email or "",
                "document": origin.display_name,
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
            "server_action": step.server_action_id.display_name,
            "activity": step.activity_type_id.display_name,
        }.get(outcome.action)
        details = {"step": step.name, "what": what or step.name, "error": outcome.error or ""}
        return "failed", details

    # ------------------------------------------------------------------ sentences

    @api.model
    def _followup_sentences(self):
        """{note code: the method composing its sentence from the details}, written out
        so that a search finds who calls each method (each in its family's mixin,
        ``followup_dispatch_sentence_*.py``); override to add one."""
        return {
            # done and failed, skipped before the policy (followup.dispatch.sentence.done)
            "done_activity": self._followup_sentence_done_activity,
            "done_email": self._followup_sentence_done_email,
            "done_server_action": self._followup_sentence_done_server_action,
            "failed_facts": self._followup_sentence_failed_facts,
            "failed": self._followup_sentence_failed,
            "origin_cancelled": self._followup_sentence_origin_cancelled,
            "already_done": self._followup_sentence_already_done,
            "condition": self._followup_sentence_condition,
            # deferred (followup.dispatch.sentence.deferred)
            "cap": self._followup_sentence_cap,
            "weekend": self._followup_sentence_weekend,
            "preferred_hours": self._followup_sentence_preferred_hours,
            "quiet_hours": self._followup_sentence_quiet_hours,
            "away": self._followup_sentence_away,
            "soft_bounce": self._followup_sentence_soft_bounce,
            "user_limit": self._followup_sentence_user_limit,
            "holiday": self._followup_sentence_holiday,
            # suppressed, and allowed (followup.dispatch.sentence.suppressed)
            "no_consent": self._followup_sentence_no_consent,
            "withdrawn": self._followup_sentence_withdrawn,
            "channel_refused": self._followup_sentence_channel_refused,
            "blacklisted": self._followup_sentence_blacklisted,
            "invalid_address": self._followup_sentence_invalid_address,
            "stopped": self._followup_sentence_stopped,
            "suppressed": self._followup_sentence_suppressed,
            "error": self._followup_sentence_error,
            "allowed": self._followup_sentence_allowed,
            # the Italian opt-out register (followup.dispatch.sentence.register)
            "register": self._followup_sentence_register,
        }

    @api.model
    def _followup_note(self, code, details):
        """The sentence a person reads in the log, in the current language. Names come
        without bidirectional controls: a right-to-left override in a contact's name
        must not turn the rest of the sentence around (``policy.text``). A step that
        fell due while its follow-up was paused says so first."""
        details = strip_bidi_controls(details)
        sentence = self._followup_sentences().get(code)
        if sentence is None:
            sentences = [self._followup_sentence_suppressed({"reason": code, **details})]
        else:
            sentences = [sentence(details)]
            if isinstance(details.get("choice"), dict):
                sentences.insert(0, self._followup_sentence_choice(details))
            if details.get("bypassed"):
                sentences.insert(0, self._followup_sentence_urgent(details))
        if details.get("resumed"):
            sentences.insert(0, self._followup_sentence_resumed(details))
        return " ".join(sentences)

    @api.model
    def _followup_channel_label(self, channel):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        return labels.get(channel, channel or "")

    @api.model
    def _followup_when(self, details):
        """ "Nov 30, 2026, 9:00 AM (Europe/Rome)": the next try in the partner's time,
        in the reader's locale; followed by the reader's own time when it differs."""
        moment, tz = details.get("next_try"), details.get("tz")
        if not moment:
            # Details without the UTC moment: the partner's local time as it was stored.
            moment, tz = details.get("local_time"), None
            if moment and details.get("tz"):
                return self.env._(
                    "%(time)s (%(tz)s)",
                    time=self._followup_format_datetime(moment, "UTC"),
                    tz=details["tz"],
                )
        if not tz:
            return self.env._(
                "%(time)s (UTC)", time=self._followup_format_datetime(moment or "", "UTC")
            )
        partner_time = self._followup_format_datetime(moment, tz)
        _lang, reader_tz = self._followup_reader()
        reader_time = self._followup_format_datetime(moment, reader_tz) if reader_tz else ""
        if reader_time and reader_time != partner_time:
            return self.env._(
                "%(time)s (%(tz)s; %(reader_time)s your time)",
                time=partner_time,
                tz=tz,
                reader_time=reader_time,
            )
        return self.env._("%(time)s (%(tz)s)", time=partner_time, tz=tz)

    @api.model
    def _followup_format_datetime(self, value, tz=None):
        """``value`` (UTC, a datetime or "YYYY-MM-DD HH:MM[:SS]") as the reader writes a
        date and a time (the locale's medium date, short time), in ``tz`` (default: the
        reader's time zone, else UTC; an unknown zone reads as UTC)."""
        if not value:
            return ""
        lang, reader_tz = self._followup_reader()
        # The pattern of the language Odoo formats in (an installed one).
        lang = get_lang(self.env, lang).code
        return format_datetime(
            self.env,
            fields.Datetime.to_datetime(value),
            tz=tz or reader_tz or "UTC",
            dt_format=_datetime_pattern(lang),
            lang_code=lang,
        )

    @api.model
    def _followup_format_date(self, value):
        """A calendar day ("YYYY-MM-DD", the partner's local day) as the reader writes
        it (the locale's medium date); anything else is left as it is."""
        text = (value or "")[:10]
        try:
            day = fields.Date.to_date(text)
        except ValueError:
            return text
        if not day:
            return text
        lang, _tz = self._followup_reader()
        return format_date(self.env, day, lang_code=lang, date_format="medium")

    @api.model
    def _followup_format_clock(self, value):
        """A time of day ("20:30", "09:00") as the reader writes it ("8:30 PM" in
        English); "24:00" (the end of a day) and anything else is left as it is."""
        text = (value or "")[-5:]
        hours, _sep, minutes = text.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24):
            return text
        lang, _tz = self._followup_reader()
        clock = dt_time(int(hours), int(minutes))
        return format_time(self.env, clock, time_format="short", lang_code=lang)

    @api.model
    def _followup_country_label(self, details):
        """The partner's country in the reader's language (its code is in the
        details), else the name stored with them."""
        country_id = self._followup_country_id(details.get("country") or "")
        if country_id:
            return self.env["res.country"].browse(country_id).name
        return details.get("country_name") or ""

    @api.model
    @tools.ormcache("code")
    def _followup_country_id(self, code):
        """The id of the country of ISO ``code`` (countries are reference data)."""
        if not isinstance(code, str) or not code:
            return False
        return self.env["res.country"].search([("code", "=", code.upper())], limit=1).id

    def _followup_sentence_choice(self, details):
        """Which channel a step that lets the person's preferred channel decide took,
        and why (``policy.choice``); said before what the step did."""
        choice = details["choice"]
        channel = self._followup_channel_label(choice.get("channel"))
        preferred = self._followup_channel_label(choice.get("preferred"))
        refused = [tuple(pair) for pair in choice.get("refused") or ()]
        why = choice.get("why")
        if why == "preferred":
            return self.env._("By %(channel)s, the person's preferred channel.", channel=channel)
        if why == "none_allowed":
            return self.env._(
                "None of the step's channels is allowed now: %(refused)s.",
                refused=self._followup_refusals(refused),
            )
        if why == "fallback" and refused:
            sentence = self.env._(
                "By %(channel)s: %(preferred)s, the person's preferred channel, is not "
                "allowed (%(reason)s).",
                channel=channel,
                preferred=preferred,
                reason=self._followup_reason_label(refused[0][1]),
            )
            if refused[1:]:
                sentence += " " + self.env._(
                    "Not allowed either: %(refused)s.",
                    refused=self._followup_refusals(refused[1:]),
                )
            return sentence
        if why == "not_offered":
            sentence = self.env._(
                "By %(channel)s, the first channel of the step allowed now: the step does "
                "not offer %(preferred)s, the person's preferred channel.",
                channel=channel,
                preferred=preferred,
            )
        else:
            sentence = self.env._(
                "By %(channel)s, the first channel of the step allowed now (the person has "
                "no preferred channel).",
                channel=channel,
            )
        if refused:
            sentence += " " + self.env._(
                "Not allowed: %(refused)s.", refused=self._followup_refusals(refused)
            )
        return sentence

    @api.model
    def _followup_refusals(self, refused):
        """ "SMS (Blacklisted) and Phone (No consent)": channels and the reasons they
        were not allowed, as a list in the reader's language."""
        lang, _tz = self._followup_reader()
        items = [
            f"{self._followup_channel_label(channel)} ({self._followup_reason_label(reason)})"
            for channel, reason in refused
        ]
        return format_list(self.env, items, lang_code=lang) if items else ""

    @api.model
    def _followup_reason_label(self, reason):
        labels = dict(self._fields["reason"]._description_selection(self.env))
        return labels.get(reason, reason or "")
