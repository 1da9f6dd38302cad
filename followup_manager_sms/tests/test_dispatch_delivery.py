"""The why-log follows the delivery of a text message: what the SMS provider answers and
its delivery reports (sent, not sent with the reason, bounced) next to the decision; a
failure gives the salesperson one to-do."""

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.test_dispatch_delivery import DeliveryCase
from odoo.addons.sms.tests.common import SMSCase

from .common import SmsTemplateMixin


@tagged("post_install", "-at_install")
class TestDeliverySms(DeliveryCase, SmsTemplateMixin, SMSCase):
    """Text messages through Odoo's SMS queue; only IAP answers are fake."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._sms_fixtures()
        cls.sequence_text = cls._create_sequence(
            "Text",
            "manual",
            [cls._sms_step("Quick check", cls.sms_template_partner)],
            purpose="service",
        )

    def _queue_sms(self, partner):
        return self._queue_email(partner, self.sequence_text)

    def test_sms_accepted_by_the_provider_reads_sent(self):
        dispatch = self._queue_sms(self.mario)
        note = dispatch.note
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(dispatch.delivery_state, "sent")
        self.assertDecisionUnchanged(dispatch, note)
        self.assertFalse(self._todos(self.mario))

    def test_sms_refused_by_the_provider_reads_not_sent_with_the_reason(self):
        dispatch = self._queue_sms(self.mario)
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(dispatch.delivery_state, "failed")
        self.assertEqual(dispatch.delivery_reason, "Wrong Number Format")
        todo = self._todos(self.mario)
        self.assertRecordValues(
            todo,
            [
                {
                    "user_id": self.user_salesman.id,
                    "summary": "Follow-up text message not delivered",
                }
            ],
        )

    def test_sms_delivery_report_of_an_invalid_destination_reads_bounced(self):
        dispatch = self._queue_sms(self.mario)
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(dispatch.delivery_state, "sent")
        # The provider's delivery report, as the /sms/status route applies it.
        notification = dispatch.message_id.notification_ids
        trackers = (
            self.env["sms.tracker"].sudo().search([("mail_notification_id", "=", notification.id)])
        )
        trackers._action_update_from_provider_error("invalid_destination")
        self.assertEqual(dispatch.delivery_state, "bounced")
        self.assertEqual(dispatch.delivery_ids.failure_type, "sms_invalid_destination")
        self.assertEqual(len(self._todos(self.mario)), 1)
