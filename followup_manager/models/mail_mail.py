"""The e-mail queue tells the follow-up log whether a follow-up e-mail left: Odoo calls
``_postprocess_sent_message`` after each attempt, sent or failed, before deleting a sent
e-mail, so this is where the delivery of the decision that queued it is learnt."""

from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

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
