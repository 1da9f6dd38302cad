from odoo import models

from .followup_arguments import check_choice, check_id, check_ids


class FollowupSequence(models.Model):
    """The arguments of enroll(), checked where they arrive: a UserError naming the
    argument instead of a Python or SQL error (``enroll('abc')``, ``[None]``, an
    origin id ``'x'``, an id beyond the database's integers)."""

    _inherit = "followup.sequence"

    def enroll(self, partner_ids, origin_model=False, origin_id=False):
        env = self.env
        if isinstance(partner_ids, models.BaseModel):
            if partner_ids._name != "res.partner":
                check_ids(env, "partner_ids", partner_ids._name)
            partner_ids = partner_ids.ids
        elif partner_ids not in (False, None):
            partner_ids = check_ids(env, "partner_ids", partner_ids)
        if origin_model not in (False, None, ""):
            origin_model = check_choice(
                env, "origin_model", origin_model, self._followup_origin_models()
            )
        if origin_id not in (False, None, 0):
            origin_id = check_id(env, "origin_id", origin_id)
        return super().enroll(partner_ids, origin_model or False, origin_id or False)
