from odoo import api, fields, models

from odoo.addons.followup_manager.policy import register as policy_register
from odoo.addons.followup_manager.policy import vocabulary

#: What is checked against the register.
RPO_KINDS = [("phone", "Phone number"), ("post", "Postal address")]
#: The register's answers (the partner's state adds "not checked").
RPO_ANSWERS = [
    pair for pair in vocabulary.REGISTER_STATE_LABELS if pair[0] in policy_register.STATES
]


class FollowupRpoEntry(models.Model):
    """One Italian number or address and the opt-out register's last answer for it.

    An answer is a fact about the number, not about a partner or a company: every
    partner with that number follows it, including partners created later. The history
    of the answers is ``followup.rpo.answer``; this row is its current state, changed
    only by an import (``_followup_record``).
    """

    _name = "followup.rpo.entry"
    _description = "Opt-out Register Entry"
    _order = "date desc, id desc"
    _rec_name = "value"

    kind = fields.Selection(RPO_KINDS, required=True, readonly=True)
    value = fields.Char(
        string="Number or Address",
        required=True,
        readonly=True,
        index=True,
        help="The number in E.164, or the address on one line, as sent to the register.",
    )
    state = fields.Selection(RPO_ANSWERS, string="Answer", required=True, readonly=True)
    date = fields.Date(string="Answer Date", required=True, readonly=True)
    registered_since = fields.Date(
        readonly=True,
        help="Date of the first answer that found it registered, since the last answer "
        "that found it clear: the registration is no later than that. A consent given "
        "after this day counts despite the registration.",
    )
    import_id = fields.Many2one(
        "followup.rpo.import", string="Last Import", readonly=True, ondelete="restrict"
    )
    answer_ids = fields.One2many("followup.rpo.answer", "entry_id", string="History")
    partner_ids = fields.Many2many(
        "res.partner", string="Contacts", compute="_compute_partner_ids"
    )

    _sql_constraints = [
        ("value_unique", "UNIQUE(kind, value)", "A number or address is checked once."),
    ]

    def _compute_partner_ids(self):
        found = self.env["res.partner"]._followup_rpo_partners_by_target(
            [(entry.kind, entry.value) for entry in self]
        )
        for entry in self:
            # Shown as the user: partners they may not read are left out.
            partners = found[(entry.kind, entry.value)].with_env(self.env)
            entry.partner_ids = partners._filtered_access("read")

    @api.model
    def _followup_answers(self, targets):
        """{(kind, value): policy.register.RegisterAnswer} for the targets with an
        answer. One query (none for no target)."""
        targets = set(targets)
        if not targets:
            return {}
        # sudo: the register's answers are read for decisions only (the policy's
        # facts); nothing is returned to the user as records.
        entries = self.sudo().search_fetch(
            [("value", "in", list({value for _kind, value in targets}))],
            ["kind", "value", "state", "date", "registered_since"],
        )
        return {
            (entry.kind, entry.value): policy_register.RegisterAnswer(
                entry.state, entry.date, entry.registered_since or None
            )
            for entry in entries
            if (entry.kind, entry.value) in targets
        }

    @api.model
    def _followup_record(self, rows, answer_date, rpo_import):
        """Record the answers ``rows`` (``policy.register_file.AnswerRow``) of the day
        ``answer_date``: one history line each, and the current state when the answer is
        not older than the one known. Returns the entries.

        Written as superuser: nobody may write the register's answers but an import;
        callers check that the user may import (create ``followup.rpo.import``).
        """
        # sudo: see the docstring; the callers checked the user may import.
        return self.sudo()._followup_record_su(rows, answer_date, rpo_import)

    @api.model
    def _followup_record_su(self, rows, answer_date, rpo_import):
        existing = {
            (entry.kind, entry.value): entry
            for entry in self.search([("value", "in", [row.value for row in rows])])
        }
        new_vals = []
        for row in rows:
            entry = existing.get((row.kind, row.value))
            if entry is None:
                new_vals.append(self._followup_entry_vals(row, answer_date, rpo_import))
            elif entry.date <= answer_date:
                since = entry.registered_since if entry.state == "registered" else False
                entry.write(
                    {
                        "state": row.state,
                        "date": answer_date,
                        "registered_since": (since or answer_date)
                        if row.state == "registered"
                        else False,
                        "import_id": rpo_import.id,
                    }
                )
            elif row.state == entry.state == "registered" and answer_date < entry.registered_since:
                # An older answer imported late: registered even earlier.
                entry.registered_since = answer_date
        created = self.create(new_vals)
        entries = {(entry.kind, entry.value): entry for entry in (*existing.values(), *created)}
        self.env["followup.rpo.answer"].create(
            [
                {
                    "entry_id": entries[(row.kind, row.value)].id,
                    "import_id": rpo_import.id,
                    "line": row.line,
                    "state": row.state,
                    "date": answer_date,
                }
                for row in rows
            ]
        )
        return self.browse([entries[(row.kind, row.value)].id for row in rows])

    @api.model
    def _followup_entry_vals(self, row, answer_date, rpo_import):
        return {
            "kind": row.kind,
            "value": row.value,
            "state": row.state,
            "date": answer_date,
            "registered_since": answer_date if row.state == "registered" else False,
            "import_id": rpo_import.id,
        }

    def action_followup_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("base.action_partner_form")
        action.update(domain=[("id", "in", self.partner_ids.ids)], view_mode="list,form")
        action["views"] = [(False, "list"), (False, "form")]
        return action
