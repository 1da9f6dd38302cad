from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.followup_step import STEP_ACTIONS

# What the preview shows, by the step's action (the keys of the channel adapters'
# _followup_preview, see models/followup_channel*.py).
PREVIEW_FIELDS = (
    "action",
    "subject",
    "email_from",
    "email_to",
    "reply_to",
    "body_html",
    "headers",
    "attachment_names",
    "activity_type_id",
    "activity_summary",
    "activity_note",
    "activity_user_id",
    "server_action_id",
)


class FollowupStepPreview(models.TransientModel):
    """A follow-up step rendered on a person and a document, as they would get it
    (subject, body, footer, headers; the text of a text message; the activity of a
    salesperson), and sent to yourself as a test."""

    _name = "followup.step.preview"
    _description = "Follow-up Step Preview"

    step_id = fields.Many2one("followup.step", required=True, readonly=True, ondelete="cascade")
    action = fields.Selection(
        STEP_ACTIONS,
        compute="_compute_preview",
        help="What the step does for this person (for a step that lets the person's "
        "preferred channel decide: on the channel it tries first).",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        compute="_compute_sample",
        compute_sudo=False,
        store=True,
        readonly=False,
        help="The person the step is rendered for.",
    )
    origin_ref = fields.Reference(
        selection="_selection_origin",
        string="Document",
        compute="_compute_sample",
        compute_sudo=False,
        store=True,
        readonly=False,
        help="The followed-up document the step is rendered on (the contact itself for "
        "sequences of contacts).",
    )
    error = fields.Text(compute="_compute_preview")
    report_error = fields.Text(
        string="Attachment Not Printed",
        compute="_compute_preview",
        help="Why a report the template attaches (e.g. the quotation's PDF) cannot be "
        "printed here: the preview and the test come without it.",
    )
    verdict = fields.Char(
        compute="_compute_preview",
        help="Would this person get the step if it fell due now, and if not, why.",
    )
    verdict_allowed = fields.Boolean(compute="_compute_preview")
    test_email_to = fields.Char(
        string="Send the Test To",
        default=lambda self: self.env.user.email or "",
        help="The e-mail address(es) the test goes to, separated by commas (yours by "
        "default). The test is marked as such and leaves no trace.",
    )
    subject = fields.Char(compute="_compute_preview")
    email_from = fields.Char(string="From", compute="_compute_preview")
    email_to = fields.Char(string="To", compute="_compute_preview")
    reply_to = fields.Char(string="Reply-To", compute="_compute_preview")
    body_html = fields.Html(string="Body", sanitize=False, compute="_compute_preview")
    headers = fields.Text(compute="_compute_preview")
    attachment_names = fields.Char(string="Attachments", compute="_compute_preview")
    activity_type_id = fields.Many2one("mail.activity.type", compute="_compute_preview")
    activity_summary = fields.Char(string="Summary", compute="_compute_preview")
    activity_note = fields.Html(string="Note", sanitize=False, compute="_compute_preview")
    activity_user_id = fields.Many2one(
        "res.users", string="Assigned To", compute="_compute_preview"
    )
    server_action_id = fields.Many2one("ir.actions.server", compute="_compute_preview")

    @api.model
    def _selection_origin(self):
        return self.env["followup.enrollment"]._selection_origin()

    @api.depends("step_id")
    def _compute_sample(self):
        """The person and the document of the sequence's latest follow-up, if any."""
        for preview in self:
            preview.partner_id = preview.origin_ref = False
            if not preview.step_id:
                continue
            try:
                partner, origin = preview.step_id._followup_preview_target()
            except UserError:
                # Nobody followed up yet and you have no document of the sequence's
                # kind: your own contact, the document to choose.
                partner, origin = self.env.user.partner_id, False
            preview.partner_id = partner
            preview.origin_ref = f"{origin._name},{origin.id}" if origin else False

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        """Another person: their own document, unless the chosen one is theirs."""
        origin = self.origin_ref
        if not self.partner_id or (origin and self._followup_is_partners(origin)):
            return
        try:
            document = self.step_id._followup_preview_sample_document(self.partner_id)
        except UserError:
            self.origin_ref = False
            return
        self.origin_ref = f"{document._name},{document.id}"

    def _followup_is_partners(self, origin):
        if origin._name == "res.partner":
            return origin == self.partner_id
        field = origin._fields.get("partner_id")
        return field is not None and origin.partner_id == self.partner_id

    @api.depends("step_id", "partner_id", "origin_ref")
    def _compute_preview(self):
        for preview in self:
            values = dict.fromkeys(preview._followup_preview_fields(), False)
            values["error"] = values["report_error"] = values["verdict"] = False
            values["verdict_allowed"] = False
            try:
                values.update(preview._followup_preview_values())
            except (UserError, ValueError) as error:
                values["error"] = error.args[0] if error.args else str(error)
            preview.update(values)

    def _followup_preview_values(self):
        """{field: value} of the preview of the chosen step, person and document."""
        self.ensure_one()
        if not self.step_id:
            return {}
        step = self.step_id._followup_preview_step()
        partner, origin = step._followup_preview_target(*self._followup_target_args())
        parts = step._followup_preview_parts(partner, origin)
        headers = parts.get("headers") or {}
        try:
            allowed, verdict = step._followup_preview_verdict(partner)
        except AccessError:
            allowed = verdict = False
        return {
            "verdict": verdict,
            "verdict_allowed": allowed,
            "action": parts["action"],
            "subject": parts.get("subject"),
            "email_from": parts.get("email_from"),
            "email_to": parts.get("email_to"),
            "reply_to": parts.get("reply_to"),
            "body_html": parts.get("body_html"),
            "headers": "\n".join(f"{name}: {value}" for name, value in headers.items()),
            "attachment_names": ", ".join(name for name, _datas in parts.get("attachments") or []),
            "activity_type_id": parts.get("activity_type"),
            "activity_summary": parts.get("activity_summary"),
            "activity_note": parts.get("activity_note"),
            "activity_user_id": parts.get("activity_user"),
            "server_action_id": parts.get("server_action"),
            "report_error": parts.get("report_error"),
            **self._followup_preview_part_values(parts),
        }

    @api.model
    def _followup_preview_fields(self):
        """The fields the preview computes (all cleared when it cannot be shown);
        override to add the fields of another add-on's action."""
        return PREVIEW_FIELDS

    def _followup_preview_part_values(self, parts):
        """{field: value} of the parts of another add-on's action (``parts``: what its
        channel adapter's ``_followup_preview`` returned); override to show them."""
        return {}

    def _followup_target_args(self):
        """(partner id, document model, document id) as action_send_test takes them."""
        # No contact chosen: your own, as Odoo's mass mailing renders a test.
        partner = self.partner_id or self.env.user.partner_id
        origin = self.origin_ref
        if not origin:
            return partner.id, False, False
        return partner.id, origin._name, origin.id

    def action_send_test(self):
        """Send the previewed step as a test: an e-mail to the typed address (yours by
        default), a text message to your mobile."""
        self.ensure_one()
        email_to = self.test_email_to if self.action == "email" else False
        parts = self.step_id._followup_send_test(*self._followup_target_args(), email_to=email_to)
        if parts["action"] == "email":
            message = self.env._(
                "The test of “%(step)s” was sent to %(address)s.",
                step=self.step_id.name,
                address=self.step_id._followup_test_address(email_to)
                if email_to
                else self.env.user.email,
            )
        else:
            message = self.env._(
                "The test of “%(step)s” was sent to your mobile.", step=self.step_id.name
            )
        if parts.get("report_error"):
            message = f"{message} {parts['report_error']}"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if parts.get("report_error") else "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
