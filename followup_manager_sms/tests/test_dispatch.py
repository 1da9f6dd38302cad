"""A text message step: queued to the person's mobile by Odoo's SMS queue and logged on
the followed-up document; without a number for texts, suppressed."""

from odoo.tests import tagged

from odoo.addons.sms.tests.common import SMSCase

from .common import FollowupSmsCase


@tagged("post_install", "-at_install")
class TestDispatchSms(FollowupSmsCase, SMSCase):
    def test_sms_is_queued_to_the_partners_mobile_and_logged_on_the_document(self):
        sequence = self._sequence(
            "Text", [self._sms_step("Quick check", self.sms_template_partner)], purpose="service"
        )
        with self.mockSMSGateway():
            self._enroll(sequence, self.mario)
            dispatch = self._dispatch()
            self.assertFalse(self._sms, "the dispatch queues, it does not send")
        self.assertEqual(dispatch.state, "done")
        self.assertSMSOutgoing(
            self.mario, "+393471234567", content="Hello Mario Rossi, all good with your order?"
        )
        message = dispatch.message_id
        self.assertEqual(message.message_type, "sms")
        self.assertEqual((message.model, message.res_id), ("res.partner", self.mario.id))
        self.assertEqual(message.notification_ids.notification_type, "sms")
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertSMSIapSent(["+393471234567"], "all good with your order?")
        self.assertEqual(message.notification_ids.notification_status, "pending")

    def test_sms_without_a_mobile_number_is_suppressed(self):
        self.mario.write({"mobile": False, "phone": False})
        sequence = self._sequence(
            "Text", [self._sms_step("Quick check", self.sms_template_partner)], purpose="service"
        )
        self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "suppressed", "reason": "invalid_address"}])
