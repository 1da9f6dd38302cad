"""Test send of a step: the step rendered on a person and a document (the preview,
followup_step_preview.py) goes to the current user only, marked as a test, and leaves no
trace anywhere the follow-ups look.

Nothing of the dispatch runs: no decision, so no row in the dispatch log (which the
contact cap counts and the delivery tracking follows), no consent event, no enrollment,
no message in the document's chatter. The e-mail is sent at once and deleted, as Odoo's
own test mailing does (``mailing.mailing.test``); a failure is shown to the user and
leaves nothing either. Replies to it come back to the user: it neither names the
document's thread (no References) nor its alias, so it cannot reach the document and
stop a follow-up as a reply would.
"""

from odoo import models
from odoo.exceptions import UserError

# Marks a test e-mail for mail filters and for whoever reads its headers.
TEST_HEADER = "X-Followup-Test"


class FollowupStep(models.Model):
    _inherit = "followup.step"

    def action_send_test(self, partner_id=False, origin_model=False, origin_id=False):
        """Send this step, rendered, to the current user only, marked as a test: e-mail
        steps to the user's e-mail address, text message steps to the user's mobile.
        No trace in the contact cap, the consent history, the dispatch log or the
        enrollments.

        :param partner_id: the person to render it for (default: the person of the
            sequence's latest follow-up the user can read)
        :param origin_model: model of the followed-up document to render it on, with
            ``origin_id`` (default: that follow-up's document, else the person's latest
            document of the sequence's model)
        :return: True
        """
        step = self._followup_preview_step()
        partner, origin = step._followup_preview_target(partner_id, origin_model, origin_id)
        parts = step._followup_preview_parts(partner, origin)
        if parts["action"] == "email":
            step._followup_send_test_email(parts)
        elif parts["action"] == "sms":
            step._followup_send_test_sms(parts)
        else:
            labels = dict(self._fields["action"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Only e-mail and text message steps can be sent as a test; the step "
                    "“%(step)s” (%(action)s) can be previewed.",
                    step=step.name,
                    action=labels[parts["action"]],
                )
            )
        return True

    def _followup_test_mark(self, text):
        """The subject of a test e-mail, the text of a test text message: the real one,
        marked. Override to mark it otherwise."""
        return self.env._("[Test] %(subject)s", subject=text)

    def _followup_test_mail_vals(self, parts):
        """The test e-mail of ``parts`` (a preview of this e-mail step): what the person
        would get (sender, body and footer, unsubscribe headers, attachments), to the
        current user, marked as a test."""
        user = self.env.user
        headers = dict(parts["headers"], **{TEST_HEADER: "yes"})
        headers.pop("References", None)
        return {
            "subject": self._followup_test_mark(parts["subject"]),
            "email_from": parts["email_from"],
            "reply_to": user.email_formatted,
            "email_to": user.email_formatted,
            "body_html": parts["body_html"],
            "headers": repr(headers),
            # Attached to the e-mail's own message: deleted with it.
            "attachment_ids": [
                (0, 0, {"name": name, "datas": datas, "res_model": "mail.message", "res_id": 0})
                for name, datas in parts["attachments"]
            ],
            "mail_server_id": self.mail_template_id.mail_server_id.id,
            "auto_delete": False,
        }

    def _followup_send_test_email(self, parts):
        if not self.env.user.email:
            raise UserError(
                self.env._("Add an e-mail address to your preferences to receive a test.")
            )
        # sudo: mail.mail is technical; the e-mail goes to the current user only, and
        # is deleted once sent.
        mail = self.env["mail.mail"].sudo().create(self._followup_test_mail_vals(parts))
        mail.send(raise_exception=False)
        if mail.state == "exception":
            raise UserError(
                self.env._(
                    "The test e-mail could not be sent: %(reason)s",
                    reason=mail.failure_reason or mail.failure_type,
                )
            )
        mail.unlink()

    def _followup_send_test_sms(self, parts):
        partner = self.env.user.partner_id
        number = self.env["followup.channel.sms"]._followup_number(partner)
        number = number and (partner._phone_format(number=number) or number)
        if not number:
            raise UserError(
                self.env._("Add a mobile number to your preferences to receive a test.")
            )
        # sudo: sms.sms is technical; the text goes to the current user's number only,
        # outside any thread (no message, no notification, nothing to track).
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": number,
                    "partner_id": partner.id,
                    "body": self._followup_test_mark(parts["sms_body"]),
                }
            )
        )
        sms.send(unlink_failed=False, unlink_sent=True, raise_exception=False)
        if sms.state == "error":
            labels = dict(sms._fields["failure_type"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The test text message could not be sent: %(reason)s",
                    reason=labels.get(sms.failure_type) or sms.failure_type,
                )
            )
