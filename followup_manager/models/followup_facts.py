from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..policy import ConsentFacts, PartnerFacts, Settings, email_key, email_variants
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
# The scalar fields of FOLLOWUP_FACT_FIELDS that the facts read as they are (see
# followup.facts._partner_rows; the company and the country are read apart).
FACT_COLUMNS = tuple(
    fname
    for fname in FOLLOWUP_FACT_FIELDS
    if fname not in ("company_id", "country_id", "state_id")
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
        """{partner id: policy.facts.Settings}: the company's contact policy,
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
        base = Settings(
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
        """{partner id: policy.facts.PartnerFacts} for the whole recordset, in
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
        inactive_days = self._inactive_days(partners)
        return {
            row["id"]: self._partner_facts(
                row,
                consents[row["id"]],
                email_blacklisted=row["email_normalized"] in email_blacklist,
                phone_blacklisted=bool(numbers[row["id"]] & phone_blacklist),
                recent_contacts=recent[row["id"]],
                soft_valid=(last_order.get(row["id"]) or datetime.min)
                >= now - timedelta(days=inactive_days[row["company_id"]]),
            )
            for row in self._partner_rows(partners)
        }

    @api.model
    def _partner_rows(self, partners):
        """[{field: value}] of the fields the facts read, for ``partners`` in order
        (``id``, ``company_id`` an id, ``country_code``, and FACT_COLUMNS). Read column
        by column: a pass over the batch per field costs far less than reading
        record by record (the forecast reads tens of thousands)."""
        columns = {fname: partners.mapped(fname) for fname in ("id", *FACT_COLUMNS)}
        codes = {country.id: country.code or None for country in partners.country_id}
        columns["country_code"] = [codes.get(p.country_id.id) for p in partners]
        columns["company_id"] = [p.company_id.id for p in partners]
        return [
            dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)
        ]

    @api.model
    def _inactive_days(self, partners):
        """{company id (False for shared partners): days without an order after
        which a soft opt-in lapses}: the partner's company's setting, the current
        company's for shared partners."""
        companies = partners.company_id
        days = {company.id: company.followup_inactive_days for company in companies}
        days[False] = self.env.company.followup_inactive_days
        return days

    @api.model
    def _consents(self, partners):
        """{partner id: {channel: (state, legal basis)}} (sudo, see _gather)."""
        consents = defaultdict(dict)
        # sudo: see _gather (facts feed decisions, never leave as records).
        records = (
            self.env["followup.consent"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", partners.ids)],
                ["partner_id", "channel", "state", "legal_basis"],
            )
        )
        # Column by column, as _partner_rows.
        for partner_id, channel, state, legal_basis in zip(
            [consent.partner_id.id for consent in records],
            records.mapped("channel"),
            records.mapped("state"),
            records.mapped("legal_basis"),
            strict=True,
        ):
            consents[partner_id][channel] = (state, legal_basis)
        return consents

    @api.model
    def _blacklisted_emails(self, partners):
        """The normalized addresses of ``partners`` on Odoo's e-mail blacklist, in
        whichever form either was written: a domain and its ASCII (IDNA) form are
        one address (``policy.contact.email_key``)."""
        emails = {email for email in partners.mapped("email_normalized") if email}
        if not emails:
            return set()
        forms = sorted(set().union(*(email_variants(email) for email in emails)))
        # sudo: only system administrators read the blacklist; only the
        # membership of these addresses is read.
        listed = {
            email_key(email)
            for email in self.env["mail.blacklist"]
            .sudo()
            .search_fetch([("email", "in", forms)], ["email"])
            .mapped("email")
        }
        return {email for email in emails if email_key(email) in listed}

    @api.model
    def _blacklisted_numbers(self, numbers):
        """The E.164 ``numbers`` on Odoo's phone blacklist."""
        if not numbers:
            return set()
        # In SQL: a search on phone.blacklist.number formats every value again with
        # the phone library (a millisecond each), and these are E.164 already, as
        # Odoo stores them. Only the membership of active entries is read.
        self.env["phone.blacklist"].flush_model(["number", "active"])
        rows = self.env.execute_query(
            SQL(
                "SELECT number FROM phone_blacklist WHERE active AND number = ANY(%s)",
                sorted(numbers),
            )
        )
        return {number for (number,) in rows}

    @api.model
    def _recent_contacts(self, partners, now):
        """{partner id: [dates]} of the contacts made (done dispatch rows) inside
        the largest window any company's cap or any person's frequency can ask
        for: the dispatch decides with the settings of each partner's company."""
        recent = defaultdict(list)
        # sudo: see _gather; only the cap settings of the partners' companies.
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
        # sudo: see _gather; the contacts of other users' steps count for the cap too.
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
        """{partner id: date of the last confirmed purchase} of the partners with a
        consent on the soft opt-in basis (it lapses without recent purchases)."""
        soft_ids = [
            partner_id
            for partner_id, by_channel in consents.items()
            if any(basis == "soft_opt_in" for _state, basis in by_channel.values())
        ]
        if not soft_ids:
            return {}
        return self._last_purchases(soft_ids)

    @api.model
    def _last_purchases(self, partner_ids):
        """{partner id: date of their last confirmed purchase}, for the soft opt-in
        (it lapses without a recent one). None without a companion add-on that knows
        purchases (followup_manager_sale reads the confirmed orders): override to
        give them, in one query."""
        return {}

    @api.model
    def _partner_facts(
        self,
        row,
        consents,
        email_blacklisted,
        phone_blacklisted,
        recent_contacts,
        soft_valid,
    ):
        """The PartnerFacts of one partner: its fields (``row``, see
        _partner_rows), its consents ({channel: (state, legal basis)}) and what
        _gather read for the batch."""
        start, end = row["followup_hours_start"], row["followup_hours_end"]
        return PartnerFacts(
            partner_id=row["id"],
            tz=row["followup_tz"] or "UTC",
            country_code=row["country_code"],
            active=row["active"],
            email_valid=bool(row["followup_email_valid"]),
            email_blacklisted=email_blacklisted,
            phone_valid=bool(row["followup_call_number"]),
            phone_blacklisted=phone_blacklisted,
            sms_valid=bool(row["followup_sms_number"]),
            email_bounced=bool(row["followup_email_bounced_date"]),
            email_bounce_date=row["followup_email_bounced_date"] or None,
            email_bounce_info=row["followup_email_bounce_info"] or None,
            email_retry_after=row["followup_email_retry_after"] or None,
            away_until=row["followup_away_until"] or None,
            away_return=row["followup_away_return"] or None,
            refused_channels={
                channel for channel, _label in CONSENT_CHANNELS if row[f"followup_no_{channel}"]
            },
            preferred_hours=(start, end) if start != end else None,
            consents={
                channel: ConsentFacts(
                    state=state,
                    legal_basis=legal_basis or None,
                    soft_opt_in_valid=soft_valid,
                )
                for channel, (state, legal_basis) in consents.items()
            },
            recent_contacts=recent_contacts,
            preferred_channel=row["followup_preferred_channel"] or None,
        )
