from odoo import api, fields, models

from ..policy import decision as policy_decision
from ..policy import register as policy_register
from .followup_outcome import DEFERRED


class FollowupDispatch(models.Model):
    """The sentences of the Italian opt-out register in the dispatch log: which number
    or address, which answer and which date (see policy/register.py)."""

    _inherit = "followup.dispatch"

    @api.model
    def _followup_describe(self, outcome):
        if outcome.reason != policy_decision.REGISTER or not outcome.decision:
            return super()._followup_describe(outcome)
        details = dict(outcome.decision.details)
        details.update(
            partner=outcome.partner.display_name,
            deferred=outcome.state == DEFERRED,
            next_try=fields.Datetime.to_string(outcome.next_try) if outcome.next_try else "",
        )
        return policy_decision.REGISTER, details

    def _followup_register_target(self, details):
        value = details.get("register_value") or ""
        if details.get("register_kind") == "post":
            return self.env._("the address %(address)s", address=value)
        return self.env._("the number %(number)s", number=value)

    def _followup_sentence_register(self, details):
        target, partner = self._followup_register_target(details), details["partner"]
        if not details.get("deferred"):
            return self.env._(
                "Suppressed: %(target)s of %(partner)s is in the Registro Pubblico delle "
                "Opposizioni (answer of %(date)s, registered since %(since)s) and no consent "
                "was given after that nor is a contract running; this marketing step is "
                "skipped.",
                target=target,
                partner=partner,
                date=details.get("register_date"),
                since=details.get("registered_since"),
            )
        when = self._followup_when(details)
        if details.get("check") == policy_register.CHECK_STALE:
            return self.env._(
                "Deferred: the last answer of the Registro Pubblico delle Opposizioni for "
                "%(target)s of %(partner)s is of %(date)s, older than %(days)s days; a new "
                "check is needed. Next try on %(when)s, or as soon as the answer is imported.",
                target=target,
                partner=partner,
                date=details.get("register_date"),
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
