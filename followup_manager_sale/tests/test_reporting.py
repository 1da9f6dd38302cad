"""Moved from followup_manager/tests/test_reporting.py: the tests that need Sales."""

from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.test_reporting import ReportingCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestSequencePerformanceSale(FollowupSaleMixin, ReportingCase):
    def test_orders_after_enrollment_count_confirmed_orders_after_the_start(self):
        def order(partner, moment, state="sale"):
            return self.env["sale.order"].create(
                {"partner_id": partner.id, "state": state, "date_order": moment}
            )

        order(self.bruno, self.t0 - timedelta(days=5))  # before: not counted
        self._run_both_steps()
        order(self.anna, self.t0 + timedelta(days=3))
        order(self.anna, self.t0 + timedelta(days=9))
        order(self.carlo, self.t0 + timedelta(days=4), state="draft")  # not confirmed
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.dora.id})
        order(contact, self.t0 + timedelta(days=1))  # a contact of the same company counts
        self.assertRecordValues(
            self.sequence,
            [{"converted_count": 2, "conversion_rate": 0.5, "order_count": 3}],
        )

    def test_followed_up_order_itself_is_not_an_order_after_enrollment(self):
        sale = self._create_order(self.anna)
        sale.write({"state": "sale", "date_order": self.t0})
        sequence = self._create_sequence(
            "Thanks",
            "sale_order_confirmed",
            [self._email_step("Thank you", self.template_order)],
            purpose="service",
        )
        self._enroll(sequence, self.anna, self.t0, origin_model="sale.order", origin_id=sale.id)
        sale.date_order = self.t0 + timedelta(minutes=1)
        self.assertEqual(sequence.order_count, 0)

    def test_performance_costs_the_same_queries_for_one_or_three_sequences(self):
        self._run_both_steps()
        other = self.sequence.copy()
        third = self.sequence.copy()
        fields = ["reply_rate", "conversion_rate", "order_count", "optout_count"]
        self.sequence.read(fields)  # warm the caches (system parameters)
        one = self._queries(lambda: self.sequence.read(fields))
        three = self._queries(lambda: (self.sequence | other | third).read(fields))
        self.assertEqual(one, three)
        sequences = self.sequence | other | third
        self.assertEqual(
            self._queries(lambda: self.sequence.step_ids.read(["reply_rate", "optout_rate"])),
            self._queries(lambda: sequences.step_ids.read(["reply_rate", "optout_rate"])),
        )
