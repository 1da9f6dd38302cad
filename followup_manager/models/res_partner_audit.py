from odoo import fields, models

# Follow-up users and consent auditors: auditors stand alone (they are not
# follow-up users), and read what a contact's form shows of follow-ups.
READERS = (
    "followup_manager.followup_manager_group_user,followup_manager.followup_manager_group_auditor"
)


class ResPartner(models.Model):
    """What a consent auditor reads on a contact: the consents, the history count,
    the enrollments and the last decisions. Only the fields' groups are widened
    here (imported after the files that define them); nothing is writable through
    them (no access right lets an auditor change these models)."""

    _inherit = "res.partner"

    followup_consent_ids = fields.One2many(groups=READERS)
    followup_consent_event_count = fields.Integer(groups=READERS)
    followup_enrollment_ids = fields.One2many(groups=READERS)
    followup_enrollment_count = fields.Integer(groups=READERS)
    followup_last_dispatch_ids = fields.Many2many(groups=READERS)
