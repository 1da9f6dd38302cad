from datetime import datetime, time

from odoo import fields, models

from ..policy import calendar, replies
from .tools import FOLLOWUP_READERS


class ResPartner(models.Model):
    """The person is away: an automatic reply said so (and maybe until when)."""

    _inherit = "res.partner"

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
