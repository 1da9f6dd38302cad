"""Moved from followup_manager/tests/test_enrollment.py: the tests that need Sales."""

from datetime import datetime

from freezegun import freeze_time

from odoo.tests import Form, tagged, users

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestEnrollmentSale(FollowupSaleMixin, FollowupSequenceCase):
    def _enroll(self, sequence, partners, origin=None):
        ids = sequence.enroll(
            partners.ids, origin._name if origin else False, origin.id if origin else False
        )
        return self.env["followup.enrollment"].browse(ids)

    def _run_partner_action(self, xmlid, partners):
        """What the Contacts list's "Actions" menu does with the selected contacts."""
        action = self.env.ref(xmlid)
        return action.with_context(
            active_model="res.partner", active_ids=partners.ids, active_id=partners[0].id
        ).run()

    @freeze_time("2026-01-08 10:00:00")
    def test_a_first_step_without_delay_is_due_at_once(self):
        enrollment = self._enroll(self.sequence_sale, self.customer, self._create_order())
        self.assertEqual(enrollment.next_date, datetime(2026, 1, 8, 10, 0))

    def test_an_order_followed_up_belongs_to_its_salesperson(self):
        order = self._create_order(user_id=self.user_salesman.id)
        enrollment = self._enroll(self.sequence_sale, self.customer, order)
        self.env.invalidate_all()  # read back what the database holds
        self.assertEqual(enrollment.origin, order)
        self.assertEqual((enrollment.origin_model, enrollment.origin_id), ("sale.order", order.id))
        self.assertEqual(enrollment.user_id, self.user_salesman)

    def test_enrollments_are_found_by_their_document(self):
        order, other = self._create_order(), self._create_order()
        enrollment = self._enroll(self.sequence_sale, self.customer, order)
        self._enroll(self.sequence_sale, self.customer, other)
        Enrollment = self.env["followup.enrollment"]
        self.assertEqual(
            Enrollment.search([("origin", "=", f"sale.order,{order.id}")]), enrollment
        )
        self.assertEqual(Enrollment.search([("origin", "in", [order])]), enrollment)
        self.assertNotIn(enrollment, Enrollment.search([("origin", "!=", order)]))

    def test_a_deleted_document_reads_as_empty(self):
        order = self._create_order()
        enrollment = self._enroll(self.sequence_sale, self.customer, order)
        order.unlink()
        enrollment.invalidate_recordset()
        self.assertFalse(enrollment.origin)
        self.assertEqual(enrollment.origin_id, order.id)

    def test_the_same_partner_is_never_active_twice_for_the_same_document(self):
        order = self._create_order()
        first = self._enroll(self.sequence_sale, self.customer, order)
        self.assertFalse(self._enroll(self.sequence_sale, self.customer, order))
        self.assertEqual(self._enrollments(self.sequence_sale, self.customer), first)

    def test_another_document_or_a_finished_enrollment_allows_a_new_one(self):
        order = self._create_order()
        first = self._enroll(self.sequence_sale, self.customer, order)
        self.assertTrue(self._enroll(self.sequence_sale, self.customer, self._create_order()))
        first._stop("manual")
        self.assertTrue(self._enroll(self.sequence_sale, self.customer, order))

    def test_one_note_per_followed_up_document(self):
        order = self._create_order()
        contact = self.env["res.partner"].create(
            {"name": "Colleague", "parent_id": self.customer.id}
        )
        before = len(order.message_ids)
        self._enroll(self.sequence_manual, self.customer | contact, order)
        notes = order.message_ids[: len(order.message_ids) - before]
        self.assertEqual(len(notes), 1)
        self.assertIn("Nurture", notes.body)
        self.assertIn("Carla Customer", notes.body)
        self.assertIn("Colleague", notes.body)

    def test_enrolling_orders_follows_each_order_up(self):
        orders = self._create_order() | self._create_order(partner=self.customer_sa)
        wizard = Form(
            self.env["followup.enroll.wizard"].with_context(
                active_model="sale.order", active_ids=orders.ids
            )
        )
        wizard.sequence_id = self.sequence_sale
        wizard.save().action_enroll()
        enrollments = self._enrollments(self.sequence_sale)
        self.assertEqual(
            {(e.origin, e.partner_id) for e in enrollments},
            {(order, order.partner_id) for order in orders},
        )

    @users("fm_salesman")
    def test_salesman_pauses_and_snoozes_contacts_from_the_contacts_list(self):
        self._enroll(self.sequence_manual, self.customer | self.customer_sa)
        self._enroll(self.sequence_inactive, self.customer)
        partners = (self.customer | self.customer_sa).with_user(self.env.user)
        enrollments = self.env["followup.enrollment"].search([("partner_id", "in", partners.ids)])
        self.assertEqual(len(enrollments), 3)
        # Snooze: the dialog opens on the contacts' follow-ups.
        action = self._run_partner_action(
            "followup_manager.res_partner_action_followup_snooze", partners
        )
        self.assertEqual(action["res_model"], "followup.snooze.wizard")
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(wizard.enrollment_ids.ids, enrollments.ids)
        until = datetime(2027, 1, 4, 8, 0)
        wizard.until = until
        wizard.reason = "After the fair"
        wizard.save().action_confirm()
        self.assertEqual(set(enrollments.mapped("snoozed_until")), {until})
        self.assertTrue(all(enrollment.next_date >= until for enrollment in enrollments))
        # Pause: at once, with a notification.
        action = self._run_partner_action(
            "followup_manager.res_partner_action_followup_pause", partners
        )
        self.assertIn("3 follow-up(s) paused", action["params"]["message"])
        self.assertEqual(set(enrollments.mapped("state")), {"paused"})
        action = self._run_partner_action(
            "followup_manager.res_partner_action_followup_pause", partners
        )
        self.assertIn("Nothing to pause", action["params"]["message"])

    def test_stop_wizard_can_target_one_sequence(self):
        order = self._create_order()
        self._enroll(self.sequence_sale, self.customer, order)
        kept = self._enroll(self.sequence_manual, self.customer, order)
        wizard = (
            self.env["followup.stop.wizard"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"note": "Done by phone", "sequence_ids": [(6, 0, self.sequence_sale.ids)]})
        )
        wizard.action_stop()
        self.assertEqual(self._enrollments(self.sequence_sale).state, "stopped")
        self.assertEqual(kept.state, "active")

    def test_a_stop_is_noted_on_the_followed_up_document(self):
        order = self._create_order()
        enrollment = self._enroll(self.sequence_sale, self.customer, order)
        enrollment.action_stop(note="Customer on holiday")
        self.assertEqual(enrollment.state, "stopped")
        self.assertEqual(enrollment.stop_reason, "manual")
        self.assertTrue(enrollment.date_stop)
        self.assertFalse(enrollment.next_date)
        self.assertIn("stopped", order.message_ids[0].body)
        self.assertIn("Customer on holiday", order.message_ids[0].body)

    def test_merging_partners_stops_the_follow_ups_of_the_merged_ones(self):
        duplicate = self.env["res.partner"].create(
            {"name": "Carla C.", "email": "carla@example.com"}
        )
        merged_away = self._enroll(
            self.sequence_manual, duplicate, self._create_order(partner=duplicate)
        )
        on_own_thread = self._enroll(self.sequence_inactive, duplicate)
        kept = self._enroll(self.sequence_manual, self.customer)
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (duplicate | self.customer).ids, dst_partner=self.customer
        )
        self.assertEqual(merged_away.state, "stopped")
        self.assertEqual(merged_away.stop_reason, "partner_merged")
        self.assertEqual(merged_away.partner_id, self.customer)
        self.assertEqual(on_own_thread.stop_reason, "partner_merged")
        self.assertEqual(on_own_thread.origin, self.customer)
        self.assertEqual(kept.state, "active")
