from odoo import models

# Documents where a customer's question is answered by employees: an employee's message
# there stops the "did we answer?" sequences (question_received).
QUESTION_ORIGIN_MODELS = ("crm.lead", "sale.order")


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        if self._followup_is_reply(message, msg_values):
            Enrollment = self.env["followup.enrollment"]
            Enrollment._followup_stop_on_reply(self, message)
            if self._name in QUESTION_ORIGIN_MODELS:
                if self._followup_is_employee(message.author_id):
                    Enrollment._followup_stop_for_origins(
                        self, "employee_replied", triggers=("question_received",)
                    )
                elif self._name in self._followup_question_models():
                    self._followup_on_question_received(message.author_id)
        return res

    def _followup_is_reply(self, message, msg_values):
        """Whether a message just posted on this document may be a reply of a
        followed-up partner: an e-mail or a comment with an author, visible to the
        customer (internal notes are not replies). Override to narrow it."""
        if self._name not in self.env["followup.sequence"]._followup_origin_models():
            return False
        if msg_values.get("message_type") not in ("email", "comment"):
            return False
        if not msg_values.get("author_id") or msg_values.get("is_internal"):
            return False
        subtype = message.subtype_id
        return not subtype.internal

    def _followup_question_models(self):
        """Models where any message of a customer is a question to answer (the
        question_received trigger); opportunities are questions when they are
        created from an e-mail (crm.lead.message_new). Override to add one."""
        return ["sale.order"]

    def _followup_is_employee(self, partner):
        """Whether ``partner`` writes for the company: an internal user's partner."""
        # sudo: only whether the author has an internal account is read.
        return any(not user.share for user in partner.sudo().user_ids)

    def _followup_on_question_received(self, partner):
        """A question from ``partner`` arrived on this document: the question_received
        sequences follow it up until an employee answers here."""
        self.ensure_one()
        if not partner:
            return self.env["followup.enrollment"]
        company = self.company_id.id if "company_id" in self._fields else False
        # sudo: the question comes from a customer (the mail gateway, the portal); the
        # system's reaction must not depend on their rights.
        return (
            self.env["followup.sequence"]
            .sudo()
            ._followup_fire("question_received", {company: [(partner.id, self._name, self.id)]})
        )
