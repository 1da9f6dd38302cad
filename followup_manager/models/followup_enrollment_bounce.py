from odoo import api, models


class FollowupEnrollment(models.Model):
    """Follow-ups of a person whose e-mail address bounced for good."""

    _inherit = "followup.enrollment"

    @api.model
    def _followup_stop_for_bounced(self, partners):
        """Stop the active enrollments of ``partners`` whose remaining steps all
        contact them by e-mail: with the address dead, nothing is left to do
        (reason ``bounced``). Enrollments with steps on other channels keep
        running; their e-mail steps are suppressed as they fall due (the policy
        says ``invalid_address``, and the log that it bounced). Steps without a
        channel (internal tasks) do not count, as for withdrawals."""
        if not partners:
            return self.browse()
        # sudo: a mail server's report about the address, handled by the gateway;
        # it only ends follow-ups and reads nothing back.
        enrollments = self.sudo().search(
            self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        )
        dispatcher = self.env["followup.dispatcher"]
        to_stop = enrollments.filtered(
            lambda enrollment: (
                enrollment.next_step_id
                and dispatcher._followup_only_email_left(enrollment.next_step_id)
            )
        )
        return to_stop._stop("bounced").sudo(False)
