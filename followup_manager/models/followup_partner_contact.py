from collections import defaultdict
from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import email_normalize

from odoo.addons.phone_validation.tools import phone_validation

from ..policy import (
    calendar,
    email_variants,
    normalize_email,
    normalize_phone,
    replies,
    resolve_tz,
)
from ..policy.contact import MISSING
from .followup_consent import CONSENT_CHANNELS
from .tools import FOLLOWUP_READERS

# policy.contact error codes worth showing ("missing" is stored as no error).
FOLLOWUP_PHONE_ERRORS = [
    ("unparsable", "Not a phone number"),
    ("invalid", "Invalid number"),
    ("no_region", "National number without a country"),
]
# Where a partner's E.164 numbers are stored: Odoo's phone_sanitized (mobile first,
# read with the company's country when the partner has none) and ours.
FOLLOWUP_NUMBER_FIELDS = ("phone_sanitized", "followup_phone_e164", "followup_mobile_e164")


def _odoo_phone_parse(text, region):
    """Odoo's own reading of a number (the one behind ``phone_sanitized``): the
    valid ``phonenumbers.PhoneNumber``, or None where Odoo refuses it."""
    try:
        return phone_validation.phone_parse(text, region)
    except UserError:
        return None


def _number_fields(kind):
    """The stored reading of one of a partner's numbers, named after ``kind`` ("Phone",
    "Mobile"): its E.164 form, whether it is valid, and its problem if not."""
    stored = {"compute": "_compute_followup_contact_data", "store": True}
    return (
        fields.Char(string=f"{kind} (E.164)", **stored),
        fields.Boolean(string=f"{kind} Valid", **stored),
        fields.Selection(selection=FOLLOWUP_PHONE_ERRORS, string=f"{kind} Problem", **stored),
    )


class FollowupPartnerContact(models.AbstractModel):
    """What the person asked for (channels refused, preferred hours and frequency),
    their time zone, whether their e-mail and numbers can be used, and whether they
    are away (an automatic reply said so, and maybe until when). A mixin of
    res.partner."""

    _name = "followup.partner.contact"
    _description = "Partner: Contact Data and Preferences"

    # What the person asked for binds every follow-up, whatever consent says:
    # refused channels and preferred hours are read by the dispatch into
    # policy.decision.PartnerFacts. Numbers are read by Odoo's own parser
    # (phone_validation, as for phone_sanitized) with the partner's country as
    # region, never another country's: policy.contact adds what Odoo does not say
    # (the line type, hence SMS, and why a number is unusable). The results are
    # stored so that a filter finds invalid data and the dispatch reads the E.164
    # numbers without parsing again. A number that cannot be parsed is stored as
    # invalid: it never blocks saving the partner.
    followup_preferred_channel = fields.Selection(
        selection=CONSENT_CHANNELS,
        string="Preferred Channel",
        help="How the person prefers to be contacted.",
    )
    followup_no_email = fields.Boolean(
        string="No E-mail", help="The person asked never to be contacted by e-mail."
    )
    followup_no_sms = fields.Boolean(
        string="No SMS", help="The person asked never to be contacted by text message."
    )
    followup_no_phone = fields.Boolean(
        string="No Calls", help="The person asked never to be called."
    )
    followup_no_whatsapp = fields.Boolean(
        string="No WhatsApp", help="The person asked never to be contacted on WhatsApp."
    )
    followup_no_post = fields.Boolean(
        string="No Post", help="The person asked never to be sent letters."
    )
    followup_hours_start = fields.Float(
        string="Contact From",
        help="Preferred contact hours, in the person's time zone (equal hours: no preference).",
    )
    followup_hours_end = fields.Float(
        string="Contact Until",
        help="Preferred contact hours, in the person's time zone (equal hours: no preference).",
    )
    followup_frequency = fields.Selection(
        selection=[
            ("default", "Company Default"),
            ("weekly", "At Most Weekly"),
            ("monthly", "At Most Monthly"),
            ("quarterly", "At Most Quarterly"),
        ],
        string="Contact Frequency",
        default="default",
        help="How often the person accepts to be contacted, on top of the company's cap.",
    )
    followup_tz = fields.Char(
        string="Follow-up Time Zone",
        compute="_compute_followup_tz",
        help="The time zone follow-ups use for this person: their own, else their "
        "country's (or state's), else the company's.",
    )
    followup_tz_source = fields.Selection(
        selection=[
            ("partner", "Set on the contact"),
            ("country", "Assumed from the country"),
            ("state", "Assumed from the state"),
            ("company", "Company's time zone"),
            ("default", "UTC (nothing known)"),
        ],
        string="Time Zone Source",
        compute="_compute_followup_tz",
    )
    followup_email_valid = fields.Boolean(
        string="E-mail Valid", compute="_compute_followup_contact_data", store=True
    )
    followup_phone_e164, followup_phone_valid, followup_phone_error = _number_fields("Phone")
    followup_mobile_e164, followup_mobile_valid, followup_mobile_error = _number_fields("Mobile")
    followup_sms_number = fields.Char(
        string="SMS Number",
        compute="_compute_followup_contact_data",
        store=True,
        help="The best valid number able to receive text messages (mobile first).",
    )
    followup_call_number = fields.Char(
        string="Number to Call",
        compute="_compute_followup_contact_data",
        store=True,
        help="The best valid number to call (phone first, then mobile).",
    )
    followup_contact_issue = fields.Boolean(
        string="Invalid Contact Data",
        compute="_compute_followup_contact_data",
        store=True,
        index=True,
        help="An e-mail, phone or mobile is filled in but cannot be used.",
    )

    @api.depends("phone", "mobile", "email", "country_id")
    def _compute_followup_contact_data(self):
        for partner in self:
            country = partner.country_id.code or None
            phone = normalize_phone(partner.phone, country, parse=_odoo_phone_parse)
            mobile = normalize_phone(partner.mobile, country, parse=_odoo_phone_parse)
            email_given = bool((partner.email or "").strip())
            # Both must accept it: Odoo's normalisation (what mail and the
            # blacklist use) and the stricter syntax check of the policy.
            email_valid = bool(
                email_given
                and email_normalize(partner.email)
                and normalize_email(partner.email).valid
            )
            partner.followup_email_valid = email_valid
            partner.followup_phone_e164 = phone.e164 or False
            partner.followup_phone_valid = phone.valid
            partner.followup_phone_error = phone.error if phone.error != MISSING else False
            partner.followup_mobile_e164 = mobile.e164 or False
            partner.followup_mobile_valid = mobile.valid
            partner.followup_mobile_error = mobile.error if mobile.error != MISSING else False
            partner.followup_sms_number = next(
                (info.e164 for info in (mobile, phone) if info.can_sms), False
            )
            partner.followup_call_number = next(
                (info.e164 for info in (phone, mobile) if info.can_call), False
            )
            partner.followup_contact_issue = (
                (email_given and not email_valid)
                or bool(partner.followup_phone_error)
                or bool(partner.followup_mobile_error)
            )

    @api.depends("tz", "country_id", "state_id", "company_id")
    @api.depends_context("company")
    def _compute_followup_tz(self):
        # Assigned per answer, not per partner: thousands share a few zones (the
        # dispatch and the forecast read it for whole batches).
        company_tz = {}
        by_answer = defaultdict(list)
        for partner in self:
            company = partner.company_id or self.env.company
            if company not in company_tz:
                company_tz[company] = company.partner_id.tz
            answer = resolve_tz(
                partner.tz, partner.country_id.code, partner.state_id.code, company_tz[company]
            )
            by_answer[answer].append(partner.id)
        for (tz, source), ids in by_answer.items():
            partners = self.browse(ids)
            partners.followup_tz = tz
            partners.followup_tz_source = source

    @api.constrains("followup_hours_start", "followup_hours_end")
    def _check_followup_hours(self):
        for partner in self:
            if not all(
                0 <= h <= 24 for h in (partner.followup_hours_start, partner.followup_hours_end)
            ):
                raise ValidationError(
                    self.env._("Preferred contact hours must be between 0:00 and 24:00.")
                )

    def _followup_phone_numbers(self):
        """{partner id: set of E.164 numbers} that reach each partner. Odoo's
        phone_sanitized is one of ours when the partner has a country (same
        parser, same country); without one, Odoo reads a national number with
        the company's country where ours refuse to guess (``no_region``), and the
        blacklists Odoo's other apps fill must still find that number."""
        # Column by column (one pass per field): batches of thousands read them.
        columns = [self.mapped(fname) for fname in FOLLOWUP_NUMBER_FIELDS]
        return {
            partner_id: {number for number in numbers if number}
            for partner_id, *numbers in zip(self.ids, *columns, strict=True)
        }

    def _followup_phone_domain(self, numbers):
        """Domain of the partners reached by one of ``numbers`` (E.164)."""
        numbers = list(numbers)
        return expression.OR([[(fname, "in", numbers)] for fname in FOLLOWUP_NUMBER_FIELDS])

    @api.model
    def _followup_partners_by_email(self, emails):
        # A domain and its ASCII (IDNA) form are one address: either form finds both.
        forms = sorted(set().union(*(email_variants(email) for email in emails if email)))
        if not forms:
            return self.browse()
        return self._followup_every_partner([("email_normalized", "in", forms)])

    @api.model
    def _followup_partners_by_number(self, numbers):
        numbers = [number for number in numbers if number]
        if not numbers:
            return self.browse()
        return self._followup_every_partner(self._followup_phone_domain(numbers))

    @api.model
    def _followup_every_partner(self, domain):
        """Every partner of ``domain`` (the users of an address), archived ones too,
        whoever may read them."""
        # sudo: the consent of every partner using the address follows the
        # blacklist, whoever added it, including archived partners.
        return self.sudo().with_context(active_test=False).search(domain)

    # ------------------------------------------------------------------ away

    # The person is away: an automatic reply said so (and maybe until when).
    followup_away_until = fields.Datetime(
        string="Away Until",
        readonly=True,
        copy=False,
        groups=FOLLOWUP_READERS,
        help="An automatic reply said the person is away: follow-ups wait until then "
        "(the day after the return date it stated, or the company's waiting days).",
    )
    followup_away_return = fields.Date(
        string="Stated Return Date",
        readonly=True,
        copy=False,
        groups=FOLLOWUP_READERS,
        help="The return date the automatic reply stated, if any.",
    )

    def _followup_record_away(self, text, received=None):
        """An automatic reply from these partners' address arrived at ``received``
        (naive UTC, default now): follow-ups wait until the day after the return
        date ``text`` states, read in each partner's language and zone, or the
        company's ``followup_away_days`` after it. A later answer replaces an
        earlier one."""
        received = received or fields.Datetime.now()
        # sudo: an automatic reply received by the gateway; only the partner's own
        # away date is written, from their language and zone.
        for partner in self.sudo():
            tz = partner.followup_tz or "UTC"
            received_local = calendar.to_local(received, tz).date()
            back = replies.return_date(text or "", received_local, partner.lang or "en_US")
            company = partner.company_id or self.env.company
            resume = replies.resume_date(received_local, back, company.followup_away_days)
            until = calendar.to_utc(datetime.combine(resume, time.min), tz)
            # sudo: the gateway's user records what the person's mail program said;
            # these fields are read-only for everybody else.
            partner.write(
                {
                    "followup_away_until": until,
                    "followup_away_return": back if back and back >= received_local else False,
                }
            )
        return True
