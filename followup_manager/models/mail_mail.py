"""The e-mail queue tells the follow-up log whether a follow-up e-mail left: Odoo calls
``_postprocess_sent_message`` after each attempt, sent or failed, before deleting a sent
e-mail, so this is where the delivery of the decision that queued it is learnt.

The one-click unsubscribe headers of a follow-up e-mail are added when it leaves, as
mass mailing adds its own (``_prepare_outgoing_list``), for its recipient: they are not
stored with the queued e-mail, so they carry the partner's address and links of the
moment it is sent, and a resent e-mail (*Resend*, a new ``mail.mail`` of the same
message) carries them too."""

from odoo import models

from .ir_mail_server import NO_FOLD_HEADERS


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _prepare_outgoing_list(self, mail_server=False, recipients_follower_status=None):
        email_list = super()._prepare_outgoing_list(
            mail_server=mail_server, recipients_follower_status=recipients_follower_status
        )
        if not self.mail_message_id:
            return email_list
        dispatch = (
            self.env["followup.dispatch"]
            ._followup_of_messages(self.mail_message_id.ids)
            .get(self.mail_message_id.id)
        )
        if not dispatch or not dispatch.partner_id:
            return email_list
        headers = None
        for email_values in email_list:
            if email_values["partner_id"] != dispatch.partner_id:
                continue
            if any(name.lower() in NO_FOLD_HEADERS for name in email_values["headers"]):
                # Queued by a release that stored the headers with the e-mail: they
                # leave as they were stored, once.
                continue
            if headers is None:
                # sudo (the dispatch row's): only the partner's own signed links and the
                # company's alias address are read, for the partner's own e-mail.
                headers = dispatch.partner_id._followup_mail_headers(dispatch.company_id)
            # A dict of its own: Odoo gives every recipient the same headers dict.
            email_values["headers"] = {**email_values["headers"], **headers}
        return email_list

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        # Before super(): a sent e-mail with auto_delete is gone after it.
        self._followup_learn_delivery(failure_reason, failure_type)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _followup_learn_delivery(self, failure_reason, failure_type):
        """Record the attempt's result on the follow-up decisions of these e-mails
        (a follow-up e-mail has one recipient: any failure is its failure)."""
        dispatches = self.env["followup.dispatch"]._followup_of_mails(self.ids)
        if not dispatches:
            return
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        if failure_type:
            reason = failure_reason or labels.get(failure_type) or failure_type
            fact = ("failed", failure_type, reason)
        else:
            fact = ("sent", False, False)
        facts = {dispatch.id: fact for dispatch in dispatches.values()}
        self.env["followup.delivery"]._followup_learn(facts)
