"""What a step would send, rendered without sending it: its preview and its test send.

A step rendered on a chosen person and document, as the dispatch would carry it out
now, without carrying it out: the preview dialog shows it, the test send mails it to the
user (below).

The rendering is the dispatch's own: an outcome like the ones the dispatch decides (the
enrollment a stand-in, since nobody is enrolled), its responsible user chosen by the
dispatcher, its parts made by the channel adapter of the step
(``followup.channel.*._followup_preview``, in each adapter's file).

The links of a preview are inert. The footer and the unsubscribe headers carry the
person's signed links (preference page, one-click unsubscribe): shown to a user, or
mailed to them, they would let the user withdraw the person's consent as if the person
had clicked. The preview shows them with a token that matches nobody (the page answers
that the link is not valid, and nothing changes), as a confirmation link rendered outside
its request mail already does (followup_partner_links.py).

Test send of a step: the step rendered on a person and a document (the preview)
goes to the current user only, marked as a test, and leaves no trace anywhere the
follow-ups look.

Nothing of the dispatch runs: no decision, so no row in the dispatch log (which the
contact cap counts and the delivery tracking follows), no consent event, no enrollment,
no message in the document's chatter. The e-mail is sent at once and deleted, as Odoo's
own test mailing does (``mailing.mailing.test``); a failure is shown to the user and
leaves nothing either. Replies to it come back to the user: it neither names the
document's thread (no References) nor its alias, so it cannot reach the document and
stop a follow-up as a reply would.
"""

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize

from ..policy import decision as policy_decision
from .followup_arguments import check_id, check_text
from .followup_outcome import StepOutcome

# The token of the links of a preview: the shape of a real one, valid for nobody.
INERT_TOKEN = "0" * 64
# Marks a test e-mail for mail filters and for whoever reads its headers.
TEST_HEADER = "X-Followup-Test"


class PreviewEnrollment:
    """The enrollment a preview stands for: nobody is enrolled. Carries what the channel
    adapters read of ``outcome.enrollment``: ``id`` (the outcome's key) and
    ``company_id`` (the company that follows the person up: the sequence's)."""

    __slots__ = ("company_id", "id")

    def __init__(self, company):
        self.id = 0
        self.company_id = company


class FollowupStepRendering(models.AbstractModel):
    """A step rendered for a person and a document: previewed, or sent to the user as a
    test (see the module's docstring)."""

    _name = "followup.step.rendering"
    _description = "Follow-up Step: Rendering"

    # ------------------------------------------------------------------ public

    def action_open_preview(self):
        """The preview dialog of this step: choose a person and a document, read what
        they would get, send it to yourself as a test."""
        step = self._followup_preview_step()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_step_preview_action"
        )
        action["context"] = {"default_step_id": step.id}
        return action

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

    # ------------------------------------------------------------------ checks

    def _followup_preview_step(self):
        """This step, if the current user may preview it and send it as a test: a
        follow-up user (or manager) who can read it. Auditors change nothing and send
        nothing; other users have no business with follow-up steps."""
        if not self.env.user.has_group("followup_manager.followup_manager_group_user"):
            raise AccessError(
                self.env._("Only follow-up users can preview a step or send it as a test.")
            )
        if len(self) != 1:
            raise UserError(self.env._("Preview one follow-up step at a time."))
        if not self.exists():
            raise UserError(self.env._("This follow-up step does not exist any more."))
        self.check_access("read")
        return self

    def _followup_preview_target(self, partner_id=False, origin_model=False, origin_id=False):
        """(person, document) to render this step on: the ones given, else the person
        of the sequence's latest follow-up the user can read and its document. The user
        must be able to read both. Raises a UserError naming what is missing or wrong."""
        self.ensure_one()
        env = self.env
        if bool(origin_model) != bool(origin_id):
            raise UserError(
                env._("Give both the model and the id of the followed-up document, or neither.")
            )
        origin = None
        if partner_id:
            partner = env["res.partner"].browse(check_id(env, "partner_id", partner_id)).exists()
            if not partner:
                raise UserError(env._("This contact does not exist."))
        else:
            partner, origin = self._followup_preview_sample()
        partner.check_access("read")
        if origin_model:
            origin = self._followup_preview_document(origin_model, origin_id)
        elif origin is None:
            origin = self._followup_preview_sample_document(partner)
        return partner, origin

    def _followup_preview_sample(self):
        """(person, document) of the sequence's latest follow-up the user can read,
        whose person the user can read too (an enrollment may outlive its person's move
        to a company the user has no access to); the user's own contact (and their
        latest document) when there is none, as Odoo's mass mailing renders a test."""
        readable_partners = self.env["res.partner"].with_context(active_test=False)._search([])
        enrollment = self.env["followup.enrollment"].search(
            [("sequence_id", "=", self.sequence_id.id), ("partner_id", "in", readable_partners)],
            order="id desc",
            limit=1,
        )
        if not enrollment:
            partner = self.env.user.partner_id
            return partner, self._followup_preview_sample_document(partner)
        partner, origin = enrollment.partner_id, enrollment.origin
        if not origin or not origin.has_access("read"):
            origin = self._followup_preview_sample_document(partner)
        return partner, origin

    def _followup_preview_document(self, model, res_id):
        """The document ``model``/``res_id``, if the sequence follows up that model and
        the user can read it."""
        env = self.env
        check_text(env, "origin_model", model, optional=False, max_length=128)
        res_id = check_id(env, "origin_id", res_id)
        if model not in env or not self.sequence_id._followup_accepts_origin_model(model):
            raise UserError(
                env._(
                    "The sequence “%(name)s” cannot follow up documents of model %(model)s.",
                    name=self.sequence_id.name,
                    model=model,
                )
            )
        origin = env[model].browse(res_id).exists()
        if not origin:
            raise UserError(env._("This document does not exist."))
        origin.check_access("read")
        return origin

    def _followup_preview_sample_document(self, partner):
        """The document to render the step on for ``partner`` when none is chosen: the
        partner itself for a sequence of contacts, else the partner's latest document of
        the sequence's model that the user can read. Override to choose another."""
        model = self.sequence_id._followup_trigger_model()
        if model == "res.partner":
            return partner
        Document = self.env[model]
        domain = [("partner_id", "=", partner.id)] if "partner_id" in Document._fields else []
        document = Document.search(domain, order="id desc", limit=1)
        if not document:
            raise UserError(
                self.env._(
                    "Choose the document (%(model)s) to render the step “%(step)s” on: "
                    "%(partner)s has none.",
                    model=Document._description,
                    step=self.name,
                    partner=partner.display_name,
                )
            )
        return document

    # ------------------------------------------------------------------ rendering

    def _followup_preview_parts(self, partner, origin):
        """{part: value} of this step rendered on ``partner`` and ``origin`` as the
        dispatch would carry it out now (see ``followup.channel._followup_preview``),
        its links inert. Nothing is created."""
        self.ensure_one()
        # sudo: the step, its sequence's company and the dispatch's own readings (who
        # owns the step, the footer, reply-to and headers), as the dispatch reads them;
        # the user may read the step, the person and the document (checked by
        # _followup_preview_step and _followup_preview_target). The templates render
        # as the user (followup.channel._followup_preview_template), as Odoo's own
        # template preview does. Nothing is written.
        step = self.sudo()
        outcome = StepOutcome(
            PreviewEnrollment(step.sequence_id.company_id), step, partner.sudo(), origin.sudo()
        )
        outcome = outcome.replace(
            request=policy_decision.Request(
                partner.id,
                step._followup_preview_channel(partner),
                step.sequence_id.purpose or "service",
            )
        )
        # sudo: as above (the dispatch's own reading of who owns the step and how
        # the channel renders it); nothing is written.
        outcome = outcome.replace(
            user=self.env["followup.dispatcher"].sudo()._followup_responsible(outcome)
        )
        # The readings above were the superuser's and the cache keeps what they read:
        # the templates read the person and the document afresh, with the user's rights.
        partner.invalidate_recordset()
        origin.invalidate_recordset()
        parts = self.env[f"followup.channel.{outcome.action}"].sudo()._followup_preview(outcome)
        return {**self._followup_inert_links(partner, parts), "action": outcome.action}

    def _followup_preview_verdict(self, partner):
        """(allowed, sentence): would ``partner`` get this step if it fell due now, by
        the rules of the dispatch (consent for the sequence's purpose, opt-outs,
        address, cap, hours), on the channel it tries first? The sentence is the
        why-log's, in the user's language."""
        self.ensure_one()
        channel = self._followup_preview_channel(partner)
        now = fields.Datetime.now()
        partner._followup_check_consent_access()
        facts = partner._followup_facts(now)[partner.id]
        # sudo: the sequence's company's contact settings, read as followup_check reads
        # them; only the verdict is shown.
        settings = partner.sudo()._followup_settings(self.sequence_id.company_id)[partner.id]
        decision = policy_decision.check(
            channel, facts, settings, now, purpose=self.sequence_id.purpose or "service"
        )
        return decision.allowed, partner._followup_check_sentence(partner, channel, decision)

    def _followup_preview_channel(self, partner):
        """The channel the step tries first for ``partner``: for a step that lets the
        person's preferred channel decide, that channel when the step offers it, else
        the first of its order (whether the policy allows it now is the dispatch's
        question, not the preview's)."""
        self.ensure_one()
        channels = self._followup_channels()
        preferred = partner.followup_preferred_channel
        return preferred if preferred in channels else channels[0]

    def _followup_inert_links(self, partner, parts):
        """``parts`` with the partner's signed tokens replaced by ``INERT_TOKEN`` (in
        texts, HTML and header values)."""
        tokens = [partner._followup_token(scope) for scope in partner._FOLLOWUP_TOKEN_SCOPES]

        def inert(value):
            if isinstance(value, dict):
                return {key: inert(item) for key, item in value.items()}
            if isinstance(value, str):  # Markup too: replace() keeps it Markup
                for token in tokens:
                    value = value.replace(token, INERT_TOKEN)
            return value

        return {key: inert(value) for key, value in parts.items()}

    # ------------------------------------------------------------------ test send

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
