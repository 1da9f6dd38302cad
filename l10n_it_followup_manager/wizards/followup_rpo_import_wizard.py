import base64
import binascii

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.followup_manager.policy import register_file


class FollowupRpoImportWizard(models.TransientModel):
    """Import the opt-out register's answer file: every line is read and checked first;
    if one is rejected nothing is imported and the report says which and why; else every
    answer is recorded with the answer's date, the contacts' register state follows, and
    steps waiting for this check are tried again."""

    _name = "followup.rpo.import.wizard"
    _description = "Import the Opt-out Register's Answer"

    file = fields.Binary(string="Answer File", required=True, attachment=False)
    file_name = fields.Char()
    date = fields.Date(
        string="Answer Date",
        required=True,
        default=fields.Date.context_today,
        help="The day the register answered: the answers hold as of that day.",
    )
    state = fields.Selection(
        [("draft", "To import"), ("rejected", "Rejected"), ("done", "Imported")],
        default="draft",
        readonly=True,
    )
    read_count = fields.Integer(string="Lines Read", readonly=True)
    matched_count = fields.Integer(string="Matched", readonly=True)
    unmatched_count = fields.Integer(string="Unmatched", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    report = fields.Text(readonly=True)
    import_id = fields.Many2one("followup.rpo.import", readonly=True)

    def _followup_reason_labels(self):
        return {
            register_file.BAD_FILE: self.env._("not a text file in the expected layout"),
            register_file.BAD_COLUMNS: self.env._("expected type, value and status"),
            register_file.BAD_TYPE: self.env._("unknown type (phone or post)"),
            register_file.BAD_NUMBER: self.env._("not a phone number"),
            register_file.FOREIGN_NUMBER: self.env._("not an Italian number"),
            register_file.BAD_ADDRESS: self.env._("empty address"),
            register_file.TOO_LONG: self.env._(
                "address longer than %(max)s characters",
                max=register_file.MAX_ADDRESS_LENGTH,
            ),
            register_file.BAD_STATUS: self.env._("unknown status"),
            register_file.CONFLICT: self.env._("contradicts an earlier line for the same number"),
        }

    def action_import(self):
        self.ensure_one()
        self.env["followup.rpo.import"].check_access("create")
        if self.date > fields.Date.context_today(self):
            raise UserError(self.env._("The answer date cannot be in the future."))
        try:
            data = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError):
            data = b"\x00"
        layout = self.env["followup.rpo.layout"]._followup_rpo_layout()
        result = layout.parse(data)
        found = self.env["res.partner"]._followup_rpo_partners_by_target(
            [(row.kind, row.value) for row in result.rows]
        )
        unmatched = [row.line for row in result.rows if not found.get((row.kind, row.value))]
        counts = {
            "read_count": result.read,
            "matched_count": len(result.rows) - len(unmatched),
            "unmatched_count": len(unmatched),
            "rejected_count": len(result.rejected),
        }
        report = self._followup_report(result, unmatched)
        if result.rejected or not result.rows:
            self.write({**counts, "state": "rejected", "report": report})
            return self._followup_reopen()
        # sudo: the matched partners are only counted and linked to the import; the
        # register's answers concern every partner with that number or address.
        partners = self.env["res.partner"].sudo().union(*found.values())
        rpo_import = self.env["followup.rpo.import"].create(
            {
                "partner_count": len(partners),
                "name": self.file_name or self.env._("Register answer"),
                "date": self.date,
                "read_count": result.read,
                "matched_count": counts["matched_count"],
                "unmatched_count": counts["unmatched_count"],
                "registered_count": sum(1 for row in result.rows if row.state == "registered"),
                "clear_count": sum(1 for row in result.rows if row.state == "clear"),
                "report": report,
            }
        )
        self.env["followup.rpo.entry"]._followup_record(result.rows, self.date, rpo_import)
        partners._followup_rpo_recompute()
        rpo_import._followup_wake_waiting(partners)
        self.write({**counts, "state": "done", "report": report, "import_id": rpo_import.id})
        return self._followup_reopen()

    def _followup_report(self, result, unmatched):
        """The report: counts, then the lines that matched no contact and the rejected
        lines, each with its number."""
        lines = [
            self.env._(
                "%(read)s line(s) read: %(matched)s matched a contact, %(unmatched)s matched "
                "none, %(rejected)s rejected.",
                read=result.read,
                matched=len(result.rows) - len(unmatched),
                unmatched=len(unmatched),
                rejected=len(result.rejected),
            )
        ]
        if unmatched:
            lines.append(
                self.env._(
                    "Lines matching no contact (recorded all the same): %(lines)s.",
                    lines=", ".join(str(line) for line in unmatched),
                )
            )
        labels = self._followup_reason_labels()
        for rejection in result.rejected:
            if rejection.line:
                lines.append(
                    self.env._(
                        "Line %(line)s rejected, %(reason)s: %(text)s",
                        line=rejection.line,
                        reason=labels.get(rejection.reason, rejection.reason),
                        text=rejection.text,
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "The file is rejected: %(reason)s.",
                        reason=labels.get(rejection.reason, rejection.reason),
                    )
                )
        if result.rejected or not result.rows:
            lines.append(self.env._("Nothing was imported: correct the file and import it again."))
        return "\n".join(lines)

    def _followup_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import the Register's Answer"),
        }
