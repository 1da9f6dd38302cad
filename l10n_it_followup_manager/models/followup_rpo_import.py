from odoo import api, fields, models


class FollowupRpoImport(models.Model):
    """One answer file of the opt-out register, imported whole: what it said, how many
    lines matched a contact, and the report shown to the person who imported it. Only
    complete files are kept (a file with a rejected line imports nothing)."""

    _name = "followup.rpo.import"
    _description = "Opt-out Register Import"
    _order = "date desc, id desc"

    name = fields.Char(string="File", required=True, readonly=True)
    date = fields.Date(string="Answer Date", required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Imported By", default=lambda self: self.env.user, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, readonly=True, index=True
    )
    read_count = fields.Integer(string="Lines Read", readonly=True)
    matched_count = fields.Integer(
        string="Matched", readonly=True, help="Lines whose number or address is a contact's."
    )
    unmatched_count = fields.Integer(
        string="Unmatched",
        readonly=True,
        help="Lines whose number or address is no contact's (kept: a contact may get it).",
    )
    registered_count = fields.Integer(string="Registered", readonly=True)
    clear_count = fields.Integer(string="Not Registered", readonly=True)
    partner_count = fields.Integer(string="Contacts Updated", readonly=True)
    report = fields.Text(readonly=True)
    answer_ids = fields.One2many("followup.rpo.answer", "import_id", string="Answers")

    @api.model
    def _followup_wake_waiting(self, partners, now=None):
        """Steps of ``partners`` waiting for a register check are tried again now (the
        answer has come) rather than at their next try. Returns the enrollments."""
        now = now or fields.Datetime.now()
        # sudo: only the next try of steps deferred for the register, of the partners
        # this answer concerns, is brought forward; the dispatch decides again anyway.
        waiting = (
            self.env["followup.dispatch"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("reason", "=", "register"),
                    ("state", "=", "deferred"),
                    ("next_try", ">", now),
                    ("enrollment_id.state", "=", "active"),
                ],
                ["enrollment_id", "next_try"],
            )
        )
        enrollments = waiting.enrollment_id.filtered(
            lambda e: (
                e.next_date
                and e.next_date > now
                and e.next_date
                in waiting.filtered(lambda d: d.enrollment_id == e).mapped("next_try")
            )
        )
        if enrollments:
            enrollments.write({"next_date": now})
            enrollments._followup_wake_dispatch()
        return enrollments
