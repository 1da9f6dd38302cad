"""What a channel adapter would produce for one step, without producing it: the step
preview (``followup.step.preview``) and the test send show it.

Each adapter answers with the very methods its ``_perform`` uses (the rendering, the
message and e-mail values, the footer and headers, the activity values), called on one
outcome; nothing is created, posted or queued here.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError


class FollowupChannel(models.AbstractModel):
    _inherit = "followup.channel"

    @api.model
    def _followup_preview(self, outcome):
        """{part: value} of what carrying out ``outcome`` would produce, for a person to
        read. Override in each adapter."""
        return {}

    @api.model
    def _followup_preview_template(self, template):
        """``template`` as the user who previews it, even when the adapter reads the
        rest as the dispatch does: as Odoo's own template preview
        (``mail.template.preview``), it renders only what that user may read, and a
        template reading more is refused as Odoo refuses it."""
        return template.with_env(self.env(su=False))


class FollowupChannelEmail(models.AbstractModel):
    _inherit = "followup.channel.email"

    @api.model
    def _followup_preview(self, outcome):
        """The e-mail as the dispatch would queue it: the rendered template in the
        template's language, the sender and reply-to of the chatter message, the body
        with the footer, the headers, the attachments (name, base64 content)."""
        template = self._followup_preview_template(outcome.step.mail_template_id)
        report_error = False
        try:
            # A savepoint: a report engine that fails (no wkhtmltopdf) leaves nothing.
            with self.env.cr.savepoint():
                values = self._followup_render(template, [outcome])[outcome.key]
        except (UserError, OSError) as error:
            if not template.report_template_ids:
                raise
            # The body without the reports: the person reads the e-mail, the user
            # learns which attachment cannot be printed here and why.
            values = self._followup_render(template, [outcome], reports=False)[outcome.key]
            report_error = self.env._(
                "The attachment “%(reports)s” could not be printed here, so the preview "
                "and the test come without it: %(error)s",
                reports=", ".join(template.report_template_ids.mapped("name")),
                error=error.args[0] if error.args else str(error),
            )
        place = (outcome.origin._name, outcome.origin.id)
        root = self._followup_thread_roots([outcome]).get(place)
        reply_to = self._followup_reply_tos([outcome]).get(place)
        message = self._followup_message_vals(outcome, values, root, reply_to, False)
        footer, headers = self._followup_mail_parts([outcome])[outcome.key]
        mail = self._followup_mail_vals(
            outcome, values, self.env["mail.message"], root, (footer, headers)
        )
        headers = dict(headers)
        if mail["references"]:
            headers["References"] = mail["references"]
        files = self.env["ir.attachment"].browse(values.get("attachment_ids") or [])
        return {
            "subject": message["subject"],
            "email_from": message["email_from"],
            "reply_to": message["reply_to"],
            "email_to": outcome.partner.email_formatted,
            "body_html": mail["body_html"],
            "footer": footer,
            "headers": headers,
            "attachments": [(file.name, file.datas) for file in files]
            + list(values.get("attachments") or []),
            "report_error": report_error,
        }


class FollowupChannelActivity(models.AbstractModel):
    _inherit = "followup.channel.activity"

    @api.model
    def _followup_preview(self, outcome):
        """The activity as the dispatch would schedule it today, in its assignee's
        language."""
        vals = self._followup_activity_vals(outcome, fields.Datetime.now())
        return {
            "activity_type": self.env["mail.activity.type"].browse(vals["activity_type_id"]),
            "activity_summary": vals["summary"],
            "activity_note": vals["note"],
            "activity_user": outcome.user,
        }


class FollowupChannelServerAction(models.AbstractModel):
    _inherit = "followup.channel.server_action"

    @api.model
    def _followup_preview(self, outcome):
        """A server action is code: it is named, never run by a preview."""
        return {"server_action": outcome.step.server_action_id}
