"""E-mail steps: the step's template rendered in batch and queued in Odoo's outgoing queue,
posted on the followed-up document's thread, to the partner only.

The same door as Odoo's ``mail.template.send_mail_batch``: ``_generate_template`` renders
a whole batch (one rendering per language), then the e-mails of the batch are created in
one go. What a follow-up adds to it: the e-mail continues the document's conversation
(a reply to its first message, "Re: <document>" when the template has no subject, its
alias as reply-to), it goes to the partner the decision was taken for whatever the
template's own recipients, and it carries the visible preference footer (the one-click
unsubscribe headers are added by ``mail.mail`` when it leaves, see mail_mail.py).
Nothing is sent here: the mail queue's cron sends after the commit, and fails a mail
rather than sending it twice.
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class FollowupChannelEmail(models.AbstractModel):
    _name = "followup.channel.email"
    _inherit = "followup.channel"
    _description = "Follow-up Channel: E-mails"

    @api.model
    def _perform(self, outcomes, now):
        return self._followup_render_then_send(
            outcomes,
            lambda outcome: outcome.step.mail_template_id,
            self._followup_render,
            self._followup_queue,
        )

    @api.model
    def _followup_render(self, template, outcomes, reports=True):
        """{outcome key: rendered values} of ``template`` for the outcomes (without its
        reports when ``reports`` is false: the preview, when they cannot be printed)."""
        targets = {o.key: self._followup_render_target(o, template.model) for o in outcomes}
        res_ids = list({record.id for record in targets.values()})
        # attachment_ids: the template's files and its reports (e.g. the quotation's
        # PDF), rendered in each record's language as Odoo's composer renders them.
        rendered = template._generate_template(
            res_ids,
            [
                "subject",
                "body_html",
                "email_from",
                "reply_to",
                "attachment_ids",
                *(("report_template_ids",) if reports else ()),
            ],
        )
        return {key: rendered[target.id] for key, target in targets.items()}

    @api.model
    def _followup_mail_subject(self, outcome, rendered_subject):
        """Subject of a follow-up e-mail: the template's, else "Re: <document>" so that
        it reads as the continuation of the conversation. Override to change."""
        if rendered_subject:
            return rendered_subject
        return self.env._("Re: %(document)s", document=outcome.origin.display_name)

    @api.model
    def _followup_thread_roots(self, outcomes):
        """{(model, res_id): (id, Message-Id)} of the first message of each followed-up
        document, so that our e-mails continue its conversation (one query per model)."""
        self.env["mail.message"].flush_model(["model", "res_id", "message_type"])
        ids_by_model = defaultdict(set)
        for outcome in outcomes:
            ids_by_model[outcome.origin._name].add(outcome.origin.id)
        roots = {}
        for model, ids in ids_by_model.items():
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT DISTINCT ON (res_id) res_id, id, message_id
                      FROM mail_message
                     WHERE model = %s AND res_id = ANY(%s)
                       AND message_type != 'user_notification'
                     ORDER BY res_id, id
                    """,
                    model,
                    list(ids),
                )
            )
            roots.update({(model, res_id): (mid, message_id) for res_id, mid, message_id in rows})
        return roots

    @api.model
    def _followup_reply_tos(self, outcomes):
        """{(model, res_id): reply-to}: the documents' aliases, one call per model."""
        ids_by_model = defaultdict(list)
        for outcome in outcomes:
            ids_by_model[outcome.origin._name].append(outcome.origin.id)
        reply_tos = {}
        for model, ids in ids_by_model.items():
            found = self.env[model].browse(ids)._notify_get_reply_to(default=False)
            reply_tos.update(((model, res_id), value) for res_id, value in found.items())
        return reply_tos

    @api.model
    def _followup_message_vals(self, outcome, values, root, reply_to, subtype_id):
        """The chatter message of the e-mail on the followed-up document."""
        origin, author = outcome.origin, outcome.user.partner_id
        # The company that follows the person up (the cron's env.company is only the
        # superuser's own company).
        company = outcome.enrollment.company_id
        email_from = (
            values.get("email_from")
            or author.email_formatted
            or company.email_formatted
            or self.env.company.email_formatted
        )
        return {
            "model": origin._name,
            "res_id": origin.id,
            "message_type": "comment",
            "subtype_id": subtype_id,
            "is_internal": False,
            "subject": self._followup_mail_subject(outcome, values.get("subject")),
            "body": values.get("body_html") or "",
            "author_id": author.id,
            "email_from": email_from,
            "reply_to": values.get("reply_to") or reply_to or email_from,
            "partner_ids": [(4, outcome.partner.id)],
            "parent_id": root[0] if root else False,
            "record_name": origin.display_name,
            "attachment_ids": self._followup_attachment_commands(outcome, values),
            # A field of the message (mail.mail inherits it): given to the e-mail, the
            # ORM would write it on the message of each e-mail, one UPDATE a mail.
            "mail_server_id": outcome.step.mail_template_id.mail_server_id.id,
        }

    @api.model
    def _followup_attachment_commands(self, outcome, values):
        """The message's attachments, as ``mail.template.send_mail`` makes them: the
        template's own files linked, its rendered reports created on the followed-up
        document (where the chatter shows them, as message_post puts them)."""
        origin = outcome.origin
        return [(4, attachment_id) for attachment_id in values.get("attachment_ids") or []] + [
            (
                0,
                0,
                {
                    "name": name,
                    "datas": datas,
                    "type": "binary",
                    "res_model": origin._name,
                    "res_id": origin.id,
                },
            )
            for name, datas in values.get("attachments") or []
        ]

    @api.model
    def _followup_mail_parts(self, outcomes, with_headers=True):
        """{outcome key: (footer, headers)}: each partner's, in the company that follows
        them up, made in batch (``res.partner._followup_mail_parts``; headers empty
        without ``with_headers``)."""
        by_company = defaultdict(list)
        for outcome in outcomes:
            by_company[outcome.enrollment.company_id].append(outcome)
        parts = {}
        for company, group in by_company.items():
            partners = self.env["res.partner"].union(*(o.partner for o in group))
            found = partners.with_company(company)._followup_mail_parts(with_headers)
            parts.update((o.key, found[o.partner.id]) for o in group)
        return parts

    @api.model
    def _followup_mail_vals(self, outcome, values, message, root, parts=None):
        """The outgoing e-mail of ``message``: to the partner only, with the footer
        (``parts``: this outcome's (footer, headers), else made here); the unsubscribe
        headers are added when it leaves."""
        partner, template = outcome.partner, outcome.step.mail_template_id
        footer, _headers = parts or self._followup_mail_parts([outcome])[outcome.key]
        # The headers are not stored with the queued e-mail: mail.mail adds them when
        # it leaves (_prepare_outgoing_list, see mail_mail.py).
        return {
            "mail_message_id": message.id,
            "body_html": Markup("%s%s") % (Markup(values.get("body_html") or ""), footer),
            "recipient_ids": [(4, partner.id)],
            "auto_delete": template.auto_delete,
            "references": root[1] if root and root[1] else False,
            "state": "outgoing",
        }

    @api.model
    def _followup_queue(self, outcomes, rendered):
        """Post the messages and queue their e-mails: one create each for the batch.
        An e-mail made for an existing message is kept out of the chatter's way by Odoo
        itself (``mail.mail`` marks it as that message's notification, so the message
        stays in the chatter when the e-mail is deleted after sending)."""
        roots = self._followup_thread_roots(outcomes)
        reply_tos = self._followup_reply_tos(outcomes)
        places = [(o.origin._name, o.origin.id) for o in outcomes]
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        # sudo: mail.message and mail.mail are technical; the partners, documents and
        # templates were checked when the steps were configured and enrolled.
        messages = (
            self.env["mail.message"]
            .sudo()
            .create(
                [
                    self._followup_message_vals(
                        o, rendered[o.key], roots.get(p), reply_tos.get(p), comment
                    )
                    for o, p in zip(outcomes, places, strict=True)
                ]
            )
        )
        # Without the headers: they are made when the e-mails leave (mail_mail.py).
        parts = self._followup_mail_parts(outcomes, with_headers=False)
        # sudo: the dispatch queues the e-mails it decided to send (rendered from the
        # managers' templates); users have no rights on mail.mail.
        mails = (
            self.env["mail.mail"]
            .sudo()
            .create(
                [
                    self._followup_mail_vals(
                        o, rendered[o.key], message, roots.get(p), parts[o.key]
                    )
                    for o, message, p in zip(outcomes, messages, places, strict=True)
                ]
            )
        )
        notifications = self._followup_notifications(outcomes, messages, mails)
        return [
            o.link(mail_id=mail.id, message_id=message.id, notification_id=notification.id)
            for o, message, mail, notification in zip(
                outcomes, messages, mails, notifications, strict=True
            )
        ]

    @api.model
    def _followup_notifications(self, outcomes, messages, mails):
        """One e-mail notification per follow-up e-mail, as Odoo writes for any
        e-mail it sends from a document (``_notify_thread_by_email``): the queue
        marks it sent or failed, the gateway bounced, and the chatter, the failed
        messages and *Resend* read it. Read already: it is no news for the partner."""
        # sudo: see _followup_queue; notifications are technical.
        return (
            self.env["mail.notification"]
            .sudo()
            .create(
                [
                    {
                        "mail_message_id": message.id,
                        "mail_mail_id": mail.id,
                        "res_partner_id": outcome.partner.id,
                        "notification_type": "email",
                        "notification_status": "ready",
                        "is_read": True,
                    }
                    for outcome, message, mail in zip(outcomes, messages, mails, strict=True)
                ]
            )
        )

    # ------------------------------------------------------------------ preview

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
