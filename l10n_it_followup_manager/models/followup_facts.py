from collections import defaultdict
from dataclasses import replace

from odoo import api, fields, models

from odoo.addons.followup_manager.policy import register as policy_register


class FollowupFacts(models.AbstractModel):
    """The facts of the Italian opt-out register rule (policy/register.py): the
    company's use of the register in its Settings, and for every partner with an Italian
    number to call or an address in Italy, the register's answers, when the consents for
    calls and letters were given, and the contracts that exempt (the last confirmed
    order, a running subscription). A fixed number of queries per batch, none when no
    company applies the rule."""

    _inherit = "followup.facts"

    @api.model
    def _settings(self, partners, company=None):
        result = super()._settings(partners, company)
        if company is None:
            # Per company, through the recursive call above.
            return result
        register = company._followup_register_settings()
        if register is None:
            return result
        return {pid: replace(settings, register=register) for pid, settings in result.items()}

    @api.model
    def _gather(self, partners, now=None):
        facts = super()._gather(partners, now)
        if not facts:
            return facts
        # sudo: as in _gather, facts only feed decisions.
        companies = self.env["res.company"].sudo().search_fetch([], ["followup_rpo_enabled"])
        if not any(companies.mapped("followup_rpo_enabled")):
            return facts
        partners = partners.sudo().with_context(active_test=False)
        register = self._register_facts(partners, now or fields.Datetime.now())
        return {
            partner_id: replace(partner_facts, register=register[partner_id])
            if partner_id in register
            else partner_facts
            for partner_id, partner_facts in facts.items()
        }

    @api.model
    def _register_facts(self, partners, now):
        """{partner id: policy.register.RegisterFacts} of those of ``partners`` (sudo)
        with an Italian number to call or an address in Italy."""
        partners.fetch(["followup_call_number", "followup_rpo_address", "commercial_partner_id"])
        wanted = {}
        for partner in partners:
            number = partner.followup_call_number
            phone = ("phone", number) if policy_register.is_italian_number(number) else None
            post = ("post", partner.followup_rpo_address) if partner.followup_rpo_address else None
            if phone or post:
                wanted[partner.id] = (phone, post)
        if not wanted:
            return {}
        targeted = partners.browse(list(wanted))
        answers = self.env["followup.rpo.entry"]._followup_answers(
            {target for pair in wanted.values() for target in pair if target}
        )
        consent_dates = self._register_consent_dates(targeted)
        last_order, running = self._register_contracts(targeted)

        def target(pair):
            return pair and policy_register.RegisterTarget(pair[1], answers.get(pair))

        return {
            partner.id: policy_register.RegisterFacts(
                phone=target(wanted[partner.id][0]),
                post=target(wanted[partner.id][1]),
                consent_dates=consent_dates[partner.id],
                last_order=last_order.get(partner.commercial_partner_id.id),
                contract_running=partner.commercial_partner_id.id in running,
            )
            for partner in targeted
        }

    @api.model
    def _register_consent_dates(self, partners):
        """{partner id: {channel: when the current consent was given}} for calls and
        letters."""
        dates = defaultdict(dict)
        # sudo: facts for the register's rule (see followup_facts._gather); only dates.
        for consent in (
            self.env["followup.consent"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("channel", "in", list(policy_register.REGISTER_CHANNELS)),
                ],
                ["partner_id", "channel", "date"],
            )
        ):
            dates[consent.partner_id.id][consent.channel] = consent.date
        return dates

    @api.model
    def _register_contracts(self, partners):
        """``({commercial partner id: date of the last confirmed order}, {commercial
        partner ids with a running subscription})``: the contracts that exempt from the
        register, whichever contact of the company or person signed them. Read from
        confirmed sale orders when Sales is installed (this add-on does not depend on
        it); none otherwise. Override for another kind of contract."""
        if "sale.order" not in self.env:
            return {}, set()
        commercial = partners.commercial_partner_id
        # sudo: facts for the register's rule; only dates of orders are read.
        Order = self.env["sale.order"].sudo()
        domain = [("partner_id", "child_of", commercial.ids), ("state", "=", "sale")]
        last_order, running = {}, set()
        for partner, last in Order._read_group(domain, ["partner_id"], ["date_order:max"]):
            owner = partner.commercial_partner_id.id
            last_order[owner] = max(last, last_order.get(owner, last))
        running_domain = self._register_running_domain()
        if running_domain:
            for (partner,) in Order._read_group(domain + running_domain, ["partner_id"]):
                running.add(partner.commercial_partner_id.id)
        return last_order, running

    @api.model
    def _register_running_domain(self):
        """Domain on confirmed sale orders that are running subscriptions; False when no
        subscription add-on adds ``subscription_state`` to sale orders. Override for
        another kind of contract."""
        if "subscription_state" not in self.env["sale.order"]._fields:
            return False
        return [("subscription_state", "in", ["3_progress", "4_paused"])]
