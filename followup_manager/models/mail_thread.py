from lxml import html as lxml_html
from markupsafe import Markup

from odoo import models
from odoo.tools import html2plaintext

from ..policy import replies
from .mail_thread_autoreply import CONTEXT_AUTO_REPLY


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        # An automatic reply (out of office...) is no reply: it stops nothing and
        # asks nothing.
        if not self.env.context.get(CONTEXT_AUTO_REPLY) and self._followup_is_reply(
            message, msg_values
        ):
            Enrollment = self.env["followup.enrollment"]
            Enrollment._followup_stop_on_reply(self, message)
            self._followup_check_stop_request(message)
            # Documents where a customer's question is answered by employees: an
            # employee's message there stops the "did we answer?" sequences.
            Sequence = self.env["followup.sequence"]
            if self._name in Sequence._followup_question_origin_models():
                if self._followup_is_employee(message.author_id):
                    Enrollment._followup_stop_for_origins(
                        self,
                        "employee_replied",
                        triggers=Sequence._followup_stop_triggers("employee_replied"),
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
        question_received trigger); other documents of
        followup.sequence._followup_question_origin_models are questions when they
        are created from an e-mail (their message_new). Override to add one."""
        return []

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

    def _followup_check_stop_request(self, message):
        """A followed-up person's reply that seems to ask not to be contacted again
        is not a withdrawal by itself (words are not a legal decision): the
        salesperson gets an activity to read it and record their decision."""
        if not replies.asks_not_to_be_contacted(self._followup_reply_text(message.body)):
            return self.env["mail.activity"]
        author = message.author_id
        # sudo: the author may be a customer without access to enrollments; only
        # their own follow-ups on this document are read.
        enrollments = (
            self.env["followup.enrollment"]
            .sudo()
            .search([("origin_model", "=", self._name), ("origin_id", "=", self.id)])
            .filtered(
                lambda enrollment: (
                    enrollment.partner_id.commercial_partner_id == author.commercial_partner_id
                )
            )
        )
        if not enrollments:
            return self.env["mail.activity"]
        return author._followup_stop_request_activity(enrollments, self, message)

    def _followup_reply_text(self, body):
        """The text the person wrote: quoted messages (blockquotes, Odoo's marked
        quotes, "On ... wrote:" and what follows) left out."""
        if not body:
            return ""
        tree = lxml_html.fragment_fromstring(str(body), create_parent="div")
        for quote in tree.xpath("//blockquote | //*[@data-o-mail-quote]"):
            quote.drop_tree()
        return replies.own_text(
            html2plaintext(Markup(lxml_html.tostring(tree, encoding="unicode")))
        )
