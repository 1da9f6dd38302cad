from odoo import api, models

from odoo.addons.followup_manager.policy.register_file import RegisterLayout


class FollowupRpoLayout(models.AbstractModel):
    """The one place that says which file layout the opt-out register uses.

    The layout itself (columns, separators, status words) is
    ``policy.register_file.RegisterLayout``, documented there and in the README. To
    follow another layout, subclass it and override ``_followup_rpo_layout`` in an
    add-on; the export, the import and the tests use whatever it returns.
    """

    _name = "followup.rpo.layout"
    _description = "Opt-out Register File Layout"

    @api.model
    def _followup_rpo_layout(self):
        return RegisterLayout()
