from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..policy import decision as policy_decision
from .followup_consent import CONSENT_CHANNELS

# Partner fields the facts read, in one query (the dispatcher prefetches them too,
# through res.partner._FOLLOWUP_FACT_FIELDS).
FOLLOWUP_FACT_FIELDS = (
    "active",
    "company_id",
    "tz",
    "country_id",
    "state_id",
    "email_normalized",
    "phone_sanitized",
    "followup_tz",
    "followup_email_valid",
    "followup_phone_e164",
    "followup_mobile_e164",
    "followup_sms_number",
    "followup_call_number",
    "followup_hours_start",
    "followup_hours_end",
    "followup_frequency",
    "followup_no_email",
    "followup_no_sms",
    "followup_no_phone",
    "followup_no_whatsapp",
    "followup_no_post",
    "followup_email_bounced_date",
    "followup_email_bounce_info",
    "followup_email_retry_after",
    "followup_away_until",
    "followup_away_return",
    "followup_preferred_channel",
)
# The person's own frequency (res.partner.followup_frequency) as a cap window in days.
FOLLOWUP_FREQUENCY_DAYS = {"weekly": 7, "monthly": 30, "quarterly": 91}


class FollowupFacts(models.AbstractModel):
    """What the decisions about a batch of partners read from the database.

    The pure policy (policy.decision) decides from plain facts; this model reads
    them for a whole batch in a fixed number of queries: the company's contact
    settings narrowed by each person's frequency, and each partner's
    ``PartnerFacts`` (fields, consents, both blacklists, recent contacts, the
    last order behind a soft opt-in). The dispatch, the forecast and
    ``res.partner.followup_check`` all read them here, through
    ``res.partner._followup_facts`` and ``_followup_settings``.
    """

    _name = "followup.facts"
    _description = "Follow-up Facts of a Batch"

    @api.model
    def _settings(self, partners, company=None):
        """{partner id: policy.decision.Settings}: the company's contact policy,
        narrowed by each person's own frequency (weekly, monthly, quarterly: at
        most one contact in that many days, or the company's longer window).

        :param company: the company whose policy applies; by default each
            partner's own company, and the current company for partners shared
            between companies (followup_check answers for the caller's company)
        """
        if company is None:
            by_company = defaultdict(list)
            for partner in partners:
                by_company[partner.company_id or self.env.company].append(partner.id)
            result = {}
            for partner_company, partner_ids in by_company.items():
                result.update(self._settings(partners.browse(partner_ids), partner_company))
            return result
        base = policy_decision.Settings(
            cap_count=company.followup_cap_count,
            cap_days=company.followup_cap_days,
            window_start=company.followup_window_start,
            window_end=company.followup_window_end,
            business_days=company.followup_business_days,
            holidays=self._followup_known_holidays(company),
        )
        result = {}
        for partner in partners:
            days = FOLLOWUP_FREQUENCY_DAYS.get(partner.followup_frequency)
            if days:
                result[partner.id] = replace(
                    base,
                    cap_count=min(base.cap_count, 1) if base.capped else 1,
                    cap_days=max(days, base.cap_days if base.capped else 0),
                )
            else:
                result[partner.id] = base
        return result

    @api.model
    def _followup_known_holidays(self, company):
        """The public holidays of ``company``: the ones the forecast already read for
        its whole simulation (context ``followup_holidays``, ((company id, dates), ...)),
        else read now."""
        known = dict(self.env.context.get("followup_holidays") or ())
        if company.id in known:
            return known[company.id]
        return self.env["res.company"]._followup_holidays(company)[company.id]

    @api.model
    def _gather(self, partners, now=None):
        """{partner id: policy.decision.PartnerFacts} for the whole recordset, in
        a fixed number of queries: partner fields, consents, both blacklists,
        recent contacts (done dispatch rows inside the largest cap window) and the
        last confirmed order of soft opt-in partners.

        Read as superuser: facts only feed decisions and never leave the server
        as records. Public callers check access first (see followup_check).

        :param datetime now: naive UTC (default: now).
        """
        now = now or fields.Datetime.now()
        # sudo: see above; archived partners are facts too (their enrollments stop).
        partners = partners.sudo().with_context(active_test=False)
        if not partners:
            return {}
        partners.fetch(FOLLOWUP_FACT_FIELDS)
        consents = self._consents(partners)
        email_blacklist = self._blacklisted_emails(partners)
        numbers = partners._followup_phone_numbers()
        phone_blacklist = self._blacklisted_numbers(set().union(*numbers.values()))
        recent = self._recent_contacts(partners, now)
        last_order = self._soft_opt_in_orders(consents)
        return {
            partner.id: self._partner_facts(
                partner,
                consents[partner.id],
                email_blacklisted=partner.email_normalized in email_blacklist,
                phone_blacklisted=bool(numbers[partner.id] & phone_blacklist),
                recent_contacts=recent[partner.id],
                soft_valid=self._soft_opt_in_valid(partner, last_order.get(partner.id), now),
            )
            for partner in partners
        }

    @api.model
    def _consents(self, partners):
        """{partner id: {channel: followup.consent}} (sudo, see _gather)."""
        consents = defaultdict(dict)
        for consent in (
            self.env["followup.consent"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", partners.ids)],
                ["partner_id", "channel", "state", "legal_basis"],
            )
        ):
            consents[consent.partner_id.id][consent.channel] = consent
        return consents

    @api.model
    def _blacklisted_emails(self, partners):
        """The normalized addresses of ``partners`` on Odoo's e-mail blacklist."""
        emails = list({email for email in partners.mapped("email_normalized") if email})
        if not emails:
            return set()
        # sudo: only system administrators read the blacklist; only the
        # membership of these addresses is read.
        return set(
            self.env["mail.blacklist"]
            .sudo()
            .search_fetch([("email", "in", emails)], ["email"])
            .mapped("email")
        )

    @api.model
    def _blacklisted_numbers(self, numbers):
        """The E.164 ``numbers`` on Odoo's phone blacklist."""
        if not numbers:
            return set()
        # Read in SQL: a search would parse each number again to sanitize it
        # (phone.blacklist._condition_to_sql), and an E.164 number is its own
        # sanitized form. Only the membership is read (no record leaves), as the
        # search would with sudo, active entries unless the context says otherwise.
        self.env["phone.blacklist"].flush_model(["number", "active"])
        only_active = SQL("AND active") if self.env.context.get("active_test", True) else SQL()
        rows = self.env.execute_query(
            SQL(
                "SELECT number FROM phone_blacklist WHERE number = ANY(%s) %s",
                sorted(numbers),
                only_active,
            )
        )
        return {row[0] for row in rows}

    @api.model
    def _recent_contacts(self, partners, now):
        """{partner id: [dates]} of the contacts made (done dispatch rows) inside
        the largest window any company's cap or any person's frequency can ask
        for: the dispatch decides with the settings of each partner's company."""
        recent = defaultdict(list)
        companies = (
            self.env["res.company"]
            .sudo()
            .search_fetch(
                [], ["followup_cap_count", "followup_cap_days", "followup_inactive_days"]
            )
        )
        window = max(
            [c.followup_cap_days for c in companies if c.followup_cap_count]
            + [FOLLOWUP_FREQUENCY_DAYS.get(p.followup_frequency, 0) for p in partners]
        )
        if not window:
            return recent
        for dispatch in (
            self.env["followup.dispatch"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "done"),
                    ("channel", "!=", "none"),
                    ("create_date", ">", now - timedelta(days=window)),
                ],
                ["partner_id", "create_date"],
            )
        ):
            recent[dispatch.partner_id.id].append(dispatch.create_date)
        return recent

    @api.model
    def _soft_opt_in_orders(self, consents):
        """{partner id: date of the last confirmed order} of the partners with a
        consent on the soft opt-in basis (it lapses without recent orders)."""
        soft_ids = [
            partner_id
            for partner_id, by_channel in consents.items()
            if any(consent.legal_basis == "soft_opt_in" for consent in by_channel.values())
        ]
        if not soft_ids:
            return {}
        return {
            partner.id: last
            for partner, last in self.env["sale.order"]
            .sudo()
            ._read_group(
                [("partner_id", "in", soft_ids), ("state", "=", "sale")],
                ["partner_id"],
                ["date_order:max"],
            )
        }

    @api.model
    def _soft_opt_in_valid(self, partner, last_order, now):
        """The soft opt-in lapses after the inactivity period of the partner's
        company (or the current one for shared partners)."""
        inactive_days = (partner.company_id or self.env.company).followup_inactive_days
        return (last_order or datetime.min) >= now - timedelta(days=inactive_days)

    @api.model
    def _partner_facts(
        self,
        partner,
        consents,
        email_blacklisted,
        phone_blacklisted,
        recent_contacts,
        soft_valid,
    ):
        """The PartnerFacts of one partner: its fields, its consents
        ({channel: followup.consent}) and what _gather read for the batch."""
        start, end = partner.followup_hours_start, partner.followup_hours_end
        return policy_decision.PartnerFacts(
            partner_id=partner.id,
            tz=partner.followup_tz or "UTC",
            country_code=partner.country_id.code or None,
            active=partner.active,
            email_valid=bool(partner.followup_email_valid),
            email_blacklisted=email_blacklisted,
            phone_valid=bool(partner.followup_call_number),
            phone_blacklisted=phone_blacklisted,
            sms_valid=bool(partner.followup_sms_number),
            email_bounced=bool(partner.followup_email_bounced_date),
            email_bounce_date=partner.followup_email_bounced_date or None,
            email_bounce_info=partner.followup_email_bounce_info or None,
            email_retry_after=partner.followup_email_retry_after or None,
            away_until=partner.followup_away_until or None,
            away_return=partner.followup_away_return or None,
            refused_channels={
                channel
                for channel, _label in CONSENT_CHANNELS
                if partner[f"followup_no_{channel}"]
            },
            preferred_hours=(start, end) if start != end else None,
            consents={
                channel: policy_decision.ConsentFacts(
                    state=consent.state,
                    legal_basis=consent.legal_basis or None,
                    soft_opt_in_valid=soft_valid,
                )
                for channel, consent in consents.items()
            },
            recent_contacts=recent_contacts,
            preferred_channel=partner.followup_preferred_channel or None,
        )
