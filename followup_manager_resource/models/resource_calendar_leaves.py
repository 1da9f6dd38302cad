"""Public holidays (leaves of a working calendar without a resource) are read by the
follow-ups as days without contacts: one lasting longer than a year is refused when it is
saved, where whoever typed it can fix it (an end in 9999 would hold every contact of the
company back for good)."""

from datetime import timedelta

from odoo import api, models
from odoo.exceptions import ValidationError

from odoo.addons.followup_manager.policy import calendar


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    @api.constrains("date_from", "date_to", "resource_id")
    def _check_followup_holiday_length(self):
        limit = timedelta(days=calendar.MAX_HOLIDAY_DAYS)
        for leave in self:
            if (
                not leave.resource_id
                and leave.date_from
                and leave.date_to
                and leave.date_to - leave.date_from > limit
            ):
                raise ValidationError(
                    self.env._(
                        "The public holiday “%(name)s” lasts more than %(days)s days (until "
                        "%(end)s): check its dates.",
                        name=leave.name or "",
                        days=calendar.MAX_HOLIDAY_DAYS,
                        end=leave.date_to.date().isoformat(),
                    )
                )
