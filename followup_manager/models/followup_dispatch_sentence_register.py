from odoo import models

from ..policy import register as policy_register


class FollowupDispatchSentenceRegister(models.AbstractModel):
    """The sentences of the Italian opt-out register in the dispatch log (and in
    ``followup_check``'s answer): which number or address, which answer and which date
    (see policy/register.py). Composed when read, like every sentence of the log. The
    reason is the policy's (policy/vocabulary.py), so its sentence is here; only an
    add-on that gathers the register's facts makes the policy give it."""

    _name = "followup.dispatch.sentence.register"
    _description = "Follow-up Dispatch: Sentences of the Italian Opt-out Register"

    def _followup_register_date(self, value):
        """An answer's date ("YYYY-MM-DD") as the reader writes a date."""
        return self._followup_format_date(str(value or ""))

    def _followup_register_target(self, details):
        value = details.get("register_value") or ""
        if details.get("register_kind") == "post":
            return self.env._("the address %(address)s", address=value)
        return self.env._("the number %(number)s", number=value)

    def _followup_sentence_register(self, details):
        target, partner = self._followup_register_target(details), details["partner"]
        date = self._followup_register_date(details.get("register_date"))
        if not details.get("deferred"):
            return self.env._(
                "Suppressed: %(target)s of %(partner)s is in the Registro Pubblico delle "
                "Opposizioni (answer of %(date)s, registered since %(since)s) and no consent "
                "was given after that nor is a contract running; this marketing step is "
                "skipped.",
                target=target,
                partner=partner,
                date=date,
                since=self._followup_register_date(details.get("registered_since")),
            )
        when = self._followup_when(details)
        if details.get("check") == policy_register.CHECK_STALE:
            return self.env._(
                "Deferred: the last answer of the Registro Pubblico delle Opposizioni for "
                "%(target)s of %(partner)s is of %(date)s, older than %(days)s days; a new "
                "check is needed. Next try on %(when)s, or as soon as the answer is imported.",
                target=target,
                partner=partner,
                date=date,
                days=details.get("register_max_age"),
                when=when,
            )
        return self.env._(
            "Deferred: %(target)s of %(partner)s has not been checked against the Registro "
            "Pubblico delle Opposizioni; a check is needed. Next try on %(when)s, or as soon "
            "as the answer is imported.",
            target=target,
            partner=partner,
            when=when,
        )
