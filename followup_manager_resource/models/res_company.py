"""The company's public holidays, from its working calendar (``resource.calendar``
global leaves, i.e. leaves without a resource): no contact on those days and business-day
delays skip them, on top of the weekend of the partner's country."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.followup_manager.policy import calendar


class ResCompany(models.Model):
    _inherit = "res.company"

    def _followup_holidays_action(self):
        """The window action listing this company's public holidays (the global leaves
        of its working hours), where they are read and edited (Odoo's resource model;
        its access rights apply)."""
        self.ensure_one()
        calendar = self.resource_calendar_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Public Holidays: %(calendar)s", calendar=calendar.display_name),
            "res_model": "resource.calendar.leaves",
            "view_mode": "list,form,calendar",
            "views": [(False, "list"), (False, "form"), (False, "calendar")],
            "domain": [("calendar_id", "=", calendar.id), ("resource_id", "=", False)],
            "context": {"default_calendar_id": calendar.id, "default_company_id": self.id},
            "target": "current",
        }

    @api.model
    def _followup_holidays(self, companies, now=None):
        """{company id: frozenset of dates}: the public holidays of ``companies`` (the
        global leaves of their working hours) from yesterday on and up to
        ``calendar.HOLIDAY_LOOKAHEAD_DAYS`` ahead (in their calendar's time zone), for
        the companies that keep contacts to business days. ONE query for all."""
        now = now or fields.Datetime.now()
        calendars = {
            company.id: company.resource_calendar_id
            for company in companies
            if company.followup_business_days and company.resource_calendar_id
        }
        result = super()._followup_holidays(companies, now)
        if not calendars:
            return result
        # sudo: public holidays are no secret; only their dates are read.
        lookahead = calendar.HOLIDAY_LOOKAHEAD_DAYS
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "=", False),
                    ("calendar_id", "in", list({c.id for c in calendars.values()})),
                    ("date_to", ">=", now - timedelta(days=1)),
                    ("date_from", "<=", now + timedelta(days=lookahead + 1)),
                ],
                ["calendar_id", "date_from", "date_to"],
            )
        )
        days_by_calendar = defaultdict(set)
        for leave in leaves:
            tz_name, _source = calendar.resolve_tz(leave.calendar_id.tz)
            # Only the days up to the lookahead: a holiday typed as ending in 9999 costs
            # no more than a short one, for its company and for all the others.
            days_by_calendar[leave.calendar_id.id].update(
                calendar.holiday_days(leave.date_from, leave.date_to, tz_name, now, lookahead)
            )
        for company_id, resource_calendar in calendars.items():
            result[company_id] = frozenset(days_by_calendar[resource_calendar.id])
        return result
