"""mail.thread: what the follow-ups learn from the mail gateway and the chatter.

- Replies: a message of a followed-up person posted on a document stops their
  follow-ups there; one that seems to ask not to be contacted again gives the
  salesperson an activity (res.partner._followup_stop_request_activity).
- Automatic replies as the gateway receives them: out-of-office messages, vacation
  responders, lists. They stop nothing; an absence makes the person's follow-ups wait
  (res.partner._followup_record_away).
- Bounces as the gateway receives them: what the delivery report says.
- The gateway tells the follow-up log that a follow-up e-mail bounced: a delivery status
  notification (DSN) quoting the Message-Id of the e-mail is a bounce of that message.
  Odoo marks the e-mail's notification bounced; what failed (address, mailbox, sender)
  and the server's words are recorded on its delivery (``_followup_learn_bounce``), from
  the report as ``policy.bounce`` reads it (``_message_parse_extract_bounce`` reads it once per
  bounce); what a bounce means for the partner's address is res.partner's concern
  (``_message_receive_bounce``, ``_followup_receive_bounce``).
- The ``mailto:`` unsubscribe of follow-up e-mails (RFC 2369), received by the gateway: a
  withdrawal of e-mail consent, as the one-click link.
"""

import logging
import re
from email.message import EmailMessage

from lxml import html as lxml_html
from markupsafe import Markup

from odoo import api, models
from odoo.tools import email_normalize, email_split, html2plaintext
from odoo.tools.mail import unfold_references

from ..policy import bounce, replies
from .followup_partner_bounce import CONTEXT_BOUNCED_MESSAGE, CONTEXT_DELIVERY_STATUS

_logger = logging.getLogger(__name__)

# Context key set while the gateway posts an automatic reply: it is no reply
# (_message_post_after_hook does not stop follow-ups on it).
CONTEXT_AUTO_REPLY = "followup_auto_reply"

# The gateway's parsed message carries the report as policy.bounce read it.
STATUS_KEY = "followup_delivery_status"

# The local part of the unsubscribe address, after the alias domain's catchall and
# a "+": catchall+unsubscribe@example.com reaches the catchall mailbox whatever the
# mail server (plus addressing), so the gateway sees it without a new mailbox.
UNSUBSCRIBE_TAG = "unsubscribe"
# The subject the mailto: URI asks the mail program to send: "unsubscribe <id> <token>".
_SUBJECT = re.compile(r"\bunsubscribe\s+(\d{1,12})\s+([0-9a-f.]{16,200})\b", re.IGNORECASE)


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

    # ------------------------------------------------------------------
    # Automatic replies (out of office, vacation responders)
    # ------------------------------------------------------------------

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        kind = replies.auto_reply_kind(dict(message.items()), message_dict.get("subject"))
        if not kind:
            return super()._message_route_process(message, message_dict, routes)
        self._followup_on_auto_reply(message, message_dict)
        this = self.with_context(**{CONTEXT_AUTO_REPLY: kind})
        return super(MailThread, this)._message_route_process(message, message_dict, routes)

    @api.model
    def _followup_on_auto_reply(self, message, message_dict):
        """The person's mail program answered for them: their follow-ups wait until
        the day after the return date it states, or the company's waiting days
        (``followup_away_days``) when it states none. The person is the one whose
        address the From header names (never a display name)."""
        email = email_normalize(replies.sender_address(message) or "")
        if not email or not self._followup_answers_mail_to(message_dict, email):
            # Anyone can write "From: someone" on a message: an automatic reply
            # counts only when it answers an e-mail we sent to that address.
            return self.env["res.partner"]
        partners = self.env["res.partner"]._followup_partners_by_email([email])
        if partners:
            text = "\n".join(
                (message_dict.get("subject") or "", html2plaintext(message_dict.get("body") or ""))
            )
            partners._followup_record_away(text)
        return partners

    @api.model
    def _followup_answers_mail_to(self, message_dict, email):
        """Whether the message answers (In-Reply-To, else References) an e-mail sent
        to ``email`` (normalized)."""
        references = unfold_references(message_dict.get("in_reply_to") or "") or unfold_references(
            message_dict.get("references") or ""
        )
        if not references:
            return False
        # sudo: only the recipients of the messages answered are read.
        answered = (
            self.env["mail.message"]
            .sudo()
            .search([("message_id", "in", [r.strip() for r in references[-32:]])])
        )
        return any(email in self._followup_bounce_recipients(message) for message in answered)

    # ------------------------------------------------------------------
    # Bounces: the delivery report
    # ------------------------------------------------------------------

    @api.model
    def _detect_is_bounce(self, message, message_dict):
        # An automatic reply sent to the envelope sender (our bounce address), as
        # vacation responders do, is an automatic reply, not a failure report.
        is_bounce = super()._detect_is_bounce(message, message_dict)
        if is_bounce and not self._followup_is_failure_report(message, message_dict):
            return False
        return is_bounce

    @api.model
    def _followup_is_failure_report(self, message, message_dict):
        """Whether a message Odoo takes for a bounce is a mail server's report (a
        report part, a mail server's sender, no automatic-reply mark) rather than
        a person's mail program answering. Override to widen it."""
        if message.get_content_type() == "multipart/report":
            return True
        local = (email_split(message_dict.get("email_from") or "") or [""])[0].split("@")[0]
        if local.lower() in ("mailer-daemon", "postmaster"):
            return True
        return not replies.auto_reply_kind(dict(message.items()), message_dict.get("subject"))

    @api.model
    def _message_parse_extract_bounce(self, email_message, message_dict):
        # A report counts only for an address an e-mail it quotes was sent to: a
        # report quoting none of our e-mails, or quoting one sent to someone else,
        # changes nobody's address (anyone can write a report naming anyone).
        # policy.bounce reads the report once, here: which of the recipients failed
        # (named in a delivery report, X-Failed-Recipients or the text, or the only
        # recipient when the report names none), how, and what failed; Odoo then
        # counts failures of the address or the mailbox only (not a delay notice,
        # not a refusal of the sender).
        res = super()._message_parse_extract_bounce(email_message, message_dict)
        if not res.get("is_bounce"):
            return res
        # sudo: as Odoo's own bounce parsing, the gateway looks up the message a
        # report quotes and who has the address; nothing is returned to the sender.
        Message, Partner = self.env["mail.message"].sudo(), self.env["res.partner"].sudo()
        bounced = res.get("bounced_message") or Message
        if not bounced:
            references = bounce.quoted_message_ids(email_message)
            if references:
                bounced = Message.search(
                    [("message_id", "in", list(references))],
                    order="create_date DESC, id DESC",
                    limit=1,
                )
        recipients = self._followup_bounce_recipients(bounced) if bounced else []
        if not bounced:
            # A mass mailing's e-mails leave no message behind: their traces say to
            # whom they went.
            recipients = self._followup_bounce_trace_recipients(res.get("bounced_msg_ids") or [])
        status = bounce.delivery_status(email_message, tuple(recipients)) if recipients else None
        if status is None and bounced:
            # A report about an address nobody has any more (the person changed it
            # since): no one's address is at stake, Odoo counts it as it would.
            named = bounce.failed_addresses(email_message)
            if named and not Partner.search_count([("email_normalized", "in", list(named))]):
                status = bounce.delivery_status(email_message, named[0])
        refused = {"bounced_email": False, "bounced_partner": Partner}
        if status is None:
            return dict(res, bounced_message=Message, **refused, **{STATUS_KEY: None})
        res = dict(res, bounced_message=bounced, **{STATUS_KEY: status})
        if not status.failed or status.what == bounce.SENDER:
            # A delay notice, or the sender refused: the address is not in question.
            return dict(res, **refused)
        email = res.get("bounced_email")
        if email not in status.addresses:
            email = next((a for a in status.addresses if a in recipients), status.recipient)
        email = email_normalize(email or "") or False
        partners = Partner.search([("email_normalized", "=", email)]) if email else Partner
        return dict(res, bounced_email=email, bounced_partner=partners)

    @api.model
    def _followup_bounce_recipients(self, message):
        """The addresses (normalized) ``message``'s e-mails were sent to: its
        recipients and notified partners, and the addresses of its queued e-mails.
        Override to add a channel's own recipients."""
        partners = message.partner_ids | message.notification_ids.res_partner_id
        emails = [partner.email_normalized for partner in partners]
        # sudo: only the addresses of the e-mails of a message the report quotes.
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", message.ids)])
        email_to = ",".join(filter(None, mails.mapped("email_to")))
        emails += [email_normalize(email) for email in email_split(email_to)]
        return list(dict.fromkeys(email for email in emails if email))

    @api.model
    def _followup_bounce_trace_recipients(self, message_ids):
        """The addresses (normalized) mass mailing traces with these Message-Ids went
        to, when Email Marketing is installed."""
        if not message_ids or "mailing.trace" not in self.env:
            return []
        # sudo: only the addresses of the e-mails the report quotes.
        traces = self.env["mailing.trace"].sudo().search([("message_id", "in", message_ids)])
        emails = (email_normalize(email or "") for email in traces.mapped("email"))
        return list(dict.fromkeys(email for email in emails if email))

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        # The report was read once (_message_parse_extract_bounce), for the bounced
        # address and for the follow-up e-mail that bounced. Odoo counts the bounce
        # on every partner with the address (res.partner._message_receive_bounce);
        # the report's status and diagnostic ride along in the context so that the
        # partners can tell a hard bounce from a temporary failure.
        status = message_dict.get(STATUS_KEY)
        bounced_message = message_dict.get("bounced_message")
        this = self.with_context(
            **{
                CONTEXT_DELIVERY_STATUS: status,
                CONTEXT_BOUNCED_MESSAGE: bounced_message[:1].id if bounced_message else False,
            }
        )
        dispatches = self.env["followup.dispatch"]
        if bounced_message:
            found = dispatches._followup_of_messages(bounced_message.ids)
            dispatches = dispatches.sudo().union(*found.values())
        # Odoo marks the e-mail's notification bounced (when the bounced address is its
        # partner's); the add-on adds what failed and the server's words.
        with self.env["followup.delivery"]._followup_watch(dispatches):
            result = super(MailThread, this)._routing_handle_bounce(email_message, message_dict)
            self._followup_learn_bounce(dispatches, status, message_dict)
        return result

    @api.model
    def _routing_reset_bounce(self, email_message, message_dict):
        # Follows mail.thread._routing_reset_bounce, the hook message_process calls
        # for the sender of every mail that is no bounce (as _routing_handle_bounce
        # above, and mass_mailing's, follow Odoo's hook for bounces).
        # A mail received from an address proves it works: Odoo then resets the
        # bounce counter of the records with that address, and the partners clear
        # their follow-up bounce (res.partner._message_reset_bounce). Odoo's reset reads the
        # address from message_dict["email_from"], the From as its parser formatted
        # it ('"Mario Rossi" <mario@example.com>', never equal to a normalized
        # address, while "mario@example.com <x@example.net>" becomes
        # mario@example.com). Odoo offers no other way to give its reset the address:
        # the reset alone gets a copy of message_dict with the address read strictly
        # from the header (policy.replies.sender_address), so that a display name does
        # not keep a bounce and a malformed From clears none; the routing, the author
        # and the posted message keep the parser's email_from.
        email = email_normalize(replies.sender_address(email_message) or "")
        return super()._routing_reset_bounce(
            email_message, dict(message_dict, email_from=email or False)
        )

    # ------------------------------------------------------------------
    # Bounces: the follow-up e-mail's delivery
    # ------------------------------------------------------------------

    @api.model
    def _followup_learn_bounce(self, dispatches, status, message_dict):
        """Record what the bounce of the follow-up e-mails of ``dispatches`` says
        failed, and why, as the add-on reads it (``followup.delivery.bounce_what``).

        :param dispatches: the ``followup.dispatch`` rows of the messages the bounce names
        :param status: the recipient's ``policy.bounce.DeliveryStatus``, or None when
            the bounce carries no delivery report (its text is then the reason)
        :param dict message_dict: the bounce as parsed by the gateway
        """
        if not dispatches:
            return
        if status is not None and not status.failed:
            return  # a delay notice, not a bounce
        reason = self._followup_bounce_reason(status, message_dict)
        what = status.what if status is not None else bounce.ADDRESS
        if what == bounce.SENDER:
            # The receiving server refused the sender (spam, policy, authentication):
            # the address is fine (Odoo's notification stays sent), the salesperson
            # must know why nothing arrived.
            reason = self.env._("refused because of the sender: %(reason)s", reason=reason)
        self.env["followup.delivery"]._followup_read_bounce(dispatches, what, reason)

    @api.model
    def _followup_bounce_reason(self, status, message_dict):
        """What the remote server said: its Diagnostic-Code, else its Status, else
        the text of the bounce."""
        if status is not None and status.diagnostic:
            return status.diagnostic
        if status is not None and status.status:
            return self.env._("status %(status)s", status=status.status)
        return html2plaintext(message_dict.get("body") or "")

    # ------------------------------------------------------------------
    # The mailto: unsubscribe (List-Unsubscribe)
    # ------------------------------------------------------------------

    @api.model
    def _followup_unsubscribe_tag(self):
        """The "+tag" of the unsubscribe address; override to change it."""
        return UNSUBSCRIBE_TAG

    @api.model
    def _followup_unsubscribe_addresses(self):
        """{address: alias domain} of the unsubscribe addresses of every alias
        domain (``catchall+unsubscribe@domain``)."""
        # sudo: alias domains are configuration read by the gateway anyway.
        domains = self.env["mail.alias.domain"].sudo().search([])
        tag = self._followup_unsubscribe_tag()
        return {
            f"{domain.catchall_alias}+{tag}@{domain.name}".lower(): domain
            for domain in domains
            if domain.catchall_alias and domain.name
        }

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        if not isinstance(message, EmailMessage):
            # Only the gateway hands over parsed e-mails; Odoo refuses anything else
            # (an RPC call) with a TypeError, before this add-on looks at it.
            return super().message_route(message, message_dict, model, thread_id, custom_values)
        addresses = self._followup_unsubscribe_addresses()
        recipients = {email.lower() for email in email_split(message_dict.get("recipients") or "")}
        if addresses and recipients & set(addresses):
            # Handled here and routed nowhere, as Odoo does with bounces: the
            # request is not a conversation and must not reach any document.
            self._followup_receive_unsubscribe(message_dict)
            return []
        return super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )

    @api.model
    def _followup_receive_unsubscribe(self, message_dict):
        """Withdraw the e-mail consent of the partner named by the subject, if its
        token is right (the same signed token as the one-click link, bound to the
        address the e-mail was sent to). Anything else is logged and dropped."""
        found = _SUBJECT.search(message_dict.get("subject") or "")
        # sudo: the gateway acts for a person without an account; the signed
        # token is what allows it, checked below before anything is written.
        partner = (
            self.env["res.partner"].sudo().with_context(active_test=False).browse(int(found[1]))
            if found
            else self.env["res.partner"]
        )
        if (
            not partner.exists()
            or partner._followup_check_token("unsubscribe", found[2]) != "valid"
        ):
            _logger.info(
                "Follow-up unsubscribe e-mail from %s ignored: no valid link in its subject",
                message_dict.get("email_from"),
            )
            return partner.browse()
        # sudo: the gateway (no user) reads the current e-mail consent of the partner
        # whose signed link was checked above.
        consent = (
            self.env["followup.consent"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("channel", "=", "email")])
        )
        if consent.state == "withdrawn":
            return partner.browse()
        proof = self.env._(
            "Unsubscribe e-mail sent by the mail program from the List-Unsubscribe "
            "header of our e-mail (mailto), received from %(sender)s on %(date)s.\n"
            "Address: %(email)s",
            sender=message_dict.get("email_from") or "",
            date=message_dict.get("date") or "",
            email=partner.email_normalized or "",
        )
        self.env["followup.consent.event"]._record(
            partner._followup_consent_event_vals("email", "withdrawn", "mailto", proof=proof)
        )
        return partner
