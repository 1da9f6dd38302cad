from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Sections, in this order (each owned by one area of the add-on):
    # 1. Lifecycle stage
    # 2. Channel preferences, time zone and contact data
    # 3. Consent (followup_set_consent, followup_check)
    # 4. Enrollments
