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
from odoo.tools import email_normalize

# Marks a test e-mail for mail filters and for whoever reads its headers.
TEST_HEADER = "X-Followup-Test"


class FollowupStep(models.Model):
    _inherit = "followup.step"

    def action_send_test(self, partner_id=False, origin_model=False, origin_id=False):
        """Send this step, rendered, to the current user only, marked as a test: e-mail
        steps to the user's e-mail address (text message steps, with
        followup_manager_sms, to the user's mobile).
        No trace in the contact cap, the consent history, the dispatch log or the
        enrollments.

        :param partner_id: the person to render it for (default: the person of the
            sequence's latest follow-up the user can read)
        :param origin_model: model of the followed-up document to render it on, with
            ``origin_id`` (default: that follow-up's document, else the person's latest
            document of the sequence's model)
        :return: True
        """
        self._followup_send_test(partner_id, origin_model, origin_id)
        return True

    def _followup_send_test(
        self, partner_id=False, origin_model=False, origin_id=False, email_to=False
    ):
        """Send this step as a test (see :meth:`action_send_test`); an e-mail step to
        ``email_to`` when given (the preview dialog's typed address), else to the
        current user. Returns the rendered parts (the preview's)."""
        step = self._followup_preview_step()
        partner, origin = step._followup_preview_target(partner_id, origin_model, origin_id)
        parts = step._followup_preview_parts(partner, origin)
        if not step._followup_send_test_parts(parts, email_to):
            labels = dict(self._fields["action"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The step “%(step)s” (%(action)s) cannot be sent as a test, only "
                    "previewed: a test sends a message to you.",
                    step=step.name,
                    action=labels[parts["action"]],
                )
            )
        return parts

    def _followup_send_test_parts(self, parts, email_to=False):
        """Send ``parts`` (this step's preview) as a test if its action sends a
        message; False if it does not (an activity, a server action). Override to send
        the test of another add-on's action."""
        if parts["action"] == "email":
            self._followup_send_test_email(parts, email_to)
            return True
        return False

    def _followup_test_mark(self, text):
        """The subject of a test e-mail, the text of a test text message: the real one,
        marked. Override to mark it otherwise."""
        return self.env._("[Test] %(subject)s", subject=text)

    def _followup_test_mail_vals(self, parts, email_to=False):
        """The test e-mail of ``parts`` (a preview of this e-mail step): what the person
        would get (sender, body and footer, unsubscribe headers, attachments), to
        ``email_to`` (default: the current user), marked as a test."""
        user = self.env.user
        headers = dict(parts["headers"], **{TEST_HEADER: "yes"})
        headers.pop("References", None)
        return {
            "subject": self._followup_test_mark(parts["subject"]),
            "email_from": parts["email_from"],
            "reply_to": user.email_formatted,
            "email_to": email_to or user.email_formatted,
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

    def _followup_test_address(self, email_to):
        """The addresses typed for a test, normalised ("a@x.com, b@y.com"); refuses an
        empty or invalid one with a sentence saying which."""
        addresses = [address.strip() for address in (email_to or "").split(",") if address.strip()]
        if not addresses:
            raise UserError(self.env._("Type the e-mail address the test goes to."))
        normalized = []
        for address in addresses:
            email = email_normalize(address)
            if not email:
                raise UserError(
                    self.env._(
                        "“%(address)s” is not a valid e-mail address: correct it to send "
                        "the test.",
                        address=address,
                    )
                )
            normalized.append(email)
        return ", ".join(normalized)

    def _followup_send_test_email(self, parts, email_to=False):
        if email_to:
            email_to = self._followup_test_address(email_to)
        elif not self.env.user.email:
            raise UserError(
                self.env._("Add an e-mail address to your preferences to receive a test.")
            )
        # sudo: mail.mail is technical; the e-mail goes to the current user, or to the
        # address a follow-up user typed in the preview (as a mass mailing test does),
        # and is deleted once sent.
        mail = self.env["mail.mail"].sudo().create(self._followup_test_mail_vals(parts, email_to))
        mail.send(raise_exception=False)
        if mail.state == "exception":
            raise UserError(
                self.env._(
                    "The test e-mail could not be sent: %(reason)s",
                    reason=self._followup_mail_failure_sentence(mail),
                )
            )
        mail.unlink()

    def _followup_mail_failure_sentence(self, mail):
        """Why ``mail`` was not sent, in plain words rather than the mail server's raw
        answer ("[Errno 111] Connection refused"). Override to explain more cases."""
        reason = (mail.failure_reason or "").lower()
        if mail.failure_type == "mail_smtp" or any(
            word in reason for word in ("connection refused", "timed out", "unable to connect")
        ):
            return self.env._(
                "the outgoing mail server cannot be reached. Check its address, port and "
                "login in Settings > Technical > Outgoing Mail Servers (or ask your "
                "administrator), then try again."
            )
        if any(word in reason for word in ("authentication", "535", "login")):
            return self.env._(
                "the outgoing mail server refused the login. Check the user name and "
                "password of the outgoing mail server in Settings."
            )
        if mail.failure_type in ("mail_email_invalid", "mail_email_missing"):
            return self.env._("the recipient's address is missing or not valid.")
        if mail.failure_type in ("mail_from_invalid", "mail_from_missing"):
            return self.env._(
                "the sender's address is missing or not valid: check the template's "
                "“From” and your company's e-mail."
            )
        return self.env._(
            "the outgoing mail server refused it (%(reason)s).",
            reason=mail.failure_reason or mail.failure_type,
        )
