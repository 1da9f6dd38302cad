"""Moved from followup_manager/tests/test_steering_steps.py: the tests that need Sales."""

from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestSteeringConditionsSale(FollowupSaleMixin, FollowupDispatchCase):
    def _conditional_sequence(self, condition):
        return self._create_sequence(
            "Quote follow-up",
            "sale_order_confirmed",
            [
                self._email_step(
                    "Still open?", self.template_order, 0, "hours", condition_domain=condition
                ),
                self._task_step("Call", 1, "days"),
            ],
            purpose="service",
        )

    def test_a_false_condition_skips_the_step_and_plans_the_next(self):
        sequence = self._conditional_sequence("[('amount_total', '>', 1000000)]")
        order = self._create_order(self.mario)
        enrollment = self._enroll(
            sequence, self.mario, origin_model="sale.order", origin_id=order.id
        )
        dispatch = self._dispatch()
        self.assertEqual((dispatch.state, dispatch.reason), ("suppressed", "condition"))
        self.assertIn("condition of step “Still open?”", dispatch.note)
        self.assertEqual(enrollment.next_step_id.name, "Call")
        self.assertEqual(enrollment.next_date, self.MONDAY_10_ROME + timedelta(days=1))

    def test_a_true_condition_lets_the_step_run(self):
        sequence = self._conditional_sequence("[('amount_total', '>=', 0)]")
        order = self._create_order(self.mario)
        self._enroll(sequence, self.mario, origin_model="sale.order", origin_id=order.id)
        self.assertEqual(self._dispatch().state, "done")

    def test_conditions_cost_one_search_per_condition_whatever_the_batch(self):
        costs = []
        # The first run creates the cron's wake-up; the next two are compared.
        for count in (1, 3, 12):
            sequence = self._conditional_sequence("[('amount_total', '>', 1000000)]")
            partners = [
                self._create_customer(f"C{count}-{i}", f"c{count}x{i}") for i in range(count)
            ]
            for partner in partners:
                order = self._create_order(partner)
                self._enroll(sequence, partner, origin_model="sale.order", origin_id=order.id)
            with self._at(self.MONDAY_10_ROME):
                queries, dispatches = self._count_queries(
                    self.dispatcher._dispatch_due, now=self.MONDAY_10_ROME
                )
            self.assertEqual(set(dispatches.mapped("reason")), {"condition"})
            self.assertEqual(len(dispatches), count)
            costs.append(queries)
        self.assertEqual(costs[1], costs[2])

    def test_a_condition_that_the_database_rejects_is_refused_at_save(self):
        with self.assertRaises(ValidationError):
            self._conditional_sequence("[('amount_total', '>', 'abc')]")
        with self.assertRaises(ValidationError):
            self._conditional_sequence("[('no_such_field', '=', 1)]")
