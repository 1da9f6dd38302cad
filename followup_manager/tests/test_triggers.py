from odoo.tests import tagged

from .common import FollowupSequenceCase


@tagged("post_install", "-at_install")
class TestTriggers(FollowupSequenceCase):
    # ------------------------------------------------------------------ entering

    def test_a_customer_becoming_inactive_starts_partner_inactive_sequences(self):
        self.customer._followup_enroll_inactive()
        enrollment = self._enrollments(self.sequence_inactive)
        self.assertEqual(enrollment.origin, self.customer)
        self.assertEqual(self.customer.followup_enrollment_count, 1)

    def test_the_lifecycle_hook_fires_partner_inactive_sequences(self):
        self.customer._followup_on_became_inactive()
        self.assertEqual(self._enrollments(self.sequence_inactive).partner_id, self.customer)

    # ------------------------------------------------------------------ leaving
