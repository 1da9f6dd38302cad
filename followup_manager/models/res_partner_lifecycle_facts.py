from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from odoo import models


class FollowupLifecycleFacts(NamedTuple):
    """What the database says about one commercial partner's relationship."""

    orders: int  # confirmed sale orders, ever
    last_order: datetime | None  # date of the latest one
    order_dates: tuple  # dates of the confirmed orders since the earliest cutoff
    interest: str | None  # "opportunity" or "subscription": the latest prospect fact
    interest_date: datetime | None


class ResPartner(models.Model):
    """The facts the lifecycle stage is computed from, read for a whole recordset of
    commercial partners in a fixed number of queries: confirmed orders, opportunities,
    mailing-list subscriptions."""

    _inherit = "res.partner"

    def _followup_lifecycle_settings(self):
        """{commercial partner id: (inactive days, loyal orders)}: the
        thresholds of the partner's company, else of the current company."""
        return {
            partner.id: (
                (partner.company_id or self.env.company).followup_inactive_days,
                (partner.company_id or self.env.company).followup_loyal_orders,
            )
            for partner in self
        }

    def _followup_lifecycle_families(self):
        """{commercial partner id: partner ids sharing it (itself included,
        archived ones too)}, in one query."""
        members = self.with_context(active_test=False).search_fetch(
            [("commercial_partner_id", "in", self.ids)],
            ["commercial_partner_id", "email_normalized"],
        )
        families = defaultdict(list)
        for member in members:
            families[member.commercial_partner_id.id].append(member.id)
        return families

    def _followup_lifecycle_facts(self, families, since):
        """{commercial partner id: FollowupLifecycleFacts}, read in a fixed
        number of queries for the whole recordset.

        :param dict families: result of :meth:`_followup_lifecycle_families`
        :param datetime since: earliest inactivity cutoff among the partners;
            order dates are collected from there on to count recent orders
        """
        owner = {member: cp for cp, ids in families.items() for member in ids}
        member_ids = list(owner)
        # sudo: the stage follows the family's orders, whoever may read them; only
        # counts and dates are read.
        Order = self.env["sale.order"].sudo()
        order_domain = [("state", "=", "sale"), ("partner_id", "in", member_ids)]
        orders, last_order = defaultdict(int), {}
        for partner, last, count in Order._read_group(
            order_domain, ["partner_id"], ["date_order:max", "__count"]
        ):
            cp = owner[partner.id]
            orders[cp] += count
            last_order[cp] = max(last, last_order.get(cp, last))
        recent = defaultdict(list)
        for partner, dates in Order._read_group(
            order_domain + [("date_order", ">=", since)], ["partner_id"], ["date_order:array_agg"]
        ):
            recent[owner[partner.id]].extend(dates)
        interest = self._followup_lifecycle_interest(families, owner)
        return {
            cp: FollowupLifecycleFacts(
                orders=orders[cp],
                last_order=last_order.get(cp),
                order_dates=tuple(recent[cp]),
                interest=interest.get(cp, (None, None))[0],
                interest_date=interest.get(cp, (None, None))[1],
            )
            for cp in families
        }

    def _followup_lifecycle_interest(self, families, owner):
        """{commercial partner id: (reason, latest date)} of the facts that make
        a prospect: active opportunities and, when mass_mailing is installed,
        mailing-list subscriptions. Override to add a source of interest."""
        found = {}

        def note(cp, reason, date):
            if cp not in found or date > found[cp][1]:
                found[cp] = (reason, date)

        # sudo: as above, for opportunities; only dates are read.
        for partner, created in (
            self.env["crm.lead"]
            .sudo()
            ._read_group(
                [("type", "=", "opportunity"), ("partner_id", "in", list(owner))],
                ["partner_id"],
                ["create_date:max"],
            )
        ):
            note(owner[partner.id], "opportunity", created)
        for cp, created in self._followup_lifecycle_subscriptions(families).items():
            note(cp, "subscription", created)
        return found

    def _followup_lifecycle_subscriptions(self, families):
        """{commercial partner id: latest subscription date} of the partners
        whose e-mail is subscribed (not opted out) to a mailing list. Empty
        when mass_mailing, not a dependency of this add-on, is not installed."""
        if "mailing.contact" not in self.env or "mailing.subscription" not in self.env:
            return {}
        by_email = defaultdict(set)
        for cp, ids in families.items():
            for member in self.browse(ids):
                if member.email_normalized:
                    by_email[member.email_normalized].add(cp)
        if not by_email:
            return {}
        result = {}
        # sudo: mailing lists belong to marketing users; only the latest date of
        # an active subscription per address is read, for the stage.
        groups = (
            self.env["mailing.subscription"]
            .sudo()
            ._read_group(
                [("opt_out", "=", False), ("contact_id.email_normalized", "in", list(by_email))],
                ["contact_id"],
                ["create_date:max"],
            )
        )
        contacts = self.env["mailing.contact"].sudo().browse([c.id for c, _d in groups])
        contacts.fetch(["email_normalized"])
        for contact, created in groups:
            for cp in by_email.get(contact.email_normalized, ()):
                result[cp] = max(created, result.get(cp, created))
        return result
