from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from odoo import models


class FollowupLifecycleFacts(NamedTuple):
    """What the database says about one commercial partner's relationship."""

    orders: int  # confirmed sale orders, ever
    last_order: datetime | None  # date of the latest one
    order_dates: tuple  # dates of the confirmed orders since the earliest cutoff
    interest: str | None  # the latest prospect fact ("subscription", or a companion's)
    interest_date: datetime | None


class FollowupPartnerLifecycleFacts(models.AbstractModel):
    """The facts the lifecycle stage is computed from, read for a whole recordset of
    commercial partners in a fixed number of queries: confirmed orders and the facts
    of interest the companion add-ons give, mailing-list subscriptions.

    A mixin of res.partner: the companions override its methods on res.partner
    (``_followup_lifecycle_orders``, ``_followup_lifecycle_interests``...), super()
    first."""

    _name = "followup.partner.lifecycle.facts"
    _description = "Partner: Lifecycle Facts"

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
        orders, last_order, recent = self._followup_lifecycle_orders(owner, since)
        interest = self._followup_lifecycle_interest(families, owner)
        return {
            cp: FollowupLifecycleFacts(
                orders=orders.get(cp, 0),
                last_order=last_order.get(cp),
                order_dates=tuple(recent.get(cp, ())),
                interest=interest.get(cp, (None, None))[0],
                interest_date=interest.get(cp, (None, None))[1],
            )
            for cp in families
        }

    def _followup_lifecycle_orders(self, owner, since):
        """``({commercial partner id: confirmed orders, ever}, {commercial partner
        id: date of the latest}, {commercial partner id: [dates of those since
        ``since``]})`` of the family members in ``owner`` ({member id: commercial
        partner id}). Empty without a companion add-on that knows orders
        (followup_manager_sale): override to give them, in a fixed number of queries."""
        return {}, {}, {}

    def _followup_lifecycle_interest(self, families, owner):
        """{commercial partner id: (reason, latest date)} of the facts that make
        a prospect: those of the companion add-ons (_followup_lifecycle_interests)
        and, when mass_mailing is installed, mailing-list subscriptions."""
        found = {}

        def note(cp, reason, date):
            if cp not in found or date > found[cp][1]:
                found[cp] = (reason, date)

        for cp, (reason, date) in self._followup_lifecycle_interests(owner).items():
            note(cp, reason, date)
        for cp, created in self._followup_lifecycle_subscriptions(families).items():
            note(cp, "subscription", created)
        return found

    def _followup_lifecycle_interests(self, owner):
        """{commercial partner id: (reason, latest date)} of the facts that make a
        prospect, beside subscriptions: the reason is a key of
        _followup_lifecycle_interest_notes. Override to add a source of interest
        (followup_manager_crm: opportunities), super() first."""
        return {}

    def _followup_lifecycle_interest_notes(self):
        """{interest reason: the chatter note of a visitor it makes a prospect}."""
        return {"subscription": self.env._("Subscribed to a mailing list.")}

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
