import base64

from odoo import api, fields, models


class FollowupRpoExport(models.TransientModel):
    """The file of Italian numbers and addresses to check against the opt-out register
    (Registro Pubblico delle Opposizioni), for the chosen contacts or a sequence's
    audience. The layout is ``followup.rpo.layout``'s."""

    _name = "followup.rpo.export"
    _description = "Export for the Opt-out Register"

    partner_ids = fields.Many2many("res.partner", string="Contacts", readonly=True)
    sequence_id = fields.Many2one("followup.sequence", readonly=True)
    file = fields.Binary(readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    number_count = fields.Integer(string="Numbers", readonly=True)
    address_count = fields.Integer(string="Addresses", readonly=True)
    skipped_count = fields.Integer(
        string="Contacts Without Italian Numbers",
        readonly=True,
        help="Contacts with no Italian number and no address in Italy: nothing to check.",
    )

    @api.model
    def _followup_open(self, partners, sequence=None):
        """Build the file for ``partners`` and open it to download."""
        wizard = self.create(
            {"partner_ids": [(6, 0, partners.ids)], "sequence_id": sequence and sequence.id}
        )
        wizard._followup_build()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Export for the Opt-out Register"),
        }

    def _followup_build(self):
        self.ensure_one()
        targets = self.partner_ids._followup_rpo_targets()
        entries = sorted({target for found in targets.values() for target in found})
        layout = self.env["followup.rpo.layout"]._followup_rpo_layout()
        today = fields.Date.context_today(self)
        self.write(
            {
                "file": base64.b64encode(layout.export(entries)),
                "file_name": layout.file_name.format(date=today.isoformat()),
                "number_count": sum(1 for kind, _v in entries if kind == "phone"),
                "address_count": sum(1 for kind, _v in entries if kind == "post"),
                "skipped_count": sum(1 for found in targets.values() if not found),
            }
        )
