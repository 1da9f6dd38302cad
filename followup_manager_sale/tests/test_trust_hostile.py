"""Moved from followup_manager/tests/test_trust_hostile.py: the tests that need Sales."""

import xmlrpc.client

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.followup_manager.tests.common import FollowupSecurityCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestHostileEnrollJobSale(FollowupSaleMixin, FollowupSecurityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["followup.enroll.job"]
        # Sam's own partner, a target on a colleague's order.
        cls.sam_partner = cls.user_salesman.partner_id
        cls.sam_partner.write({"email": "sam@example.com", "customer_rank": 1})
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.sequence_other = cls._create_sequence(
            "Other", "manual", [cls._task_step()], purpose="service"
        )

    def _create_job(self, user, vals):
        return self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, user.login, "followup.enroll.job", "create", [vals], {}
        )

    def _order_target(self, order, partner=None):
        return [(partner or order.partner_id).id, "sale.order", order.id]

    @mute_logger("odoo.http")
    def test_a_salesperson_cannot_queue_a_job_as_the_administrator(self):
        colleague_order = self._create_order(self.sam_partner, user_id=self.user_salesman_ny.id)
        own_order = self._create_order(self.mario, user_id=self.user_salesman.id)
        self.assertFalse(colleague_order.with_user(self.user_salesman).has_access("read"))
        forged = {
            "sequence_id": self.sequence_sale.id,
            "targets": [self._order_target(colleague_order)],
            "total_count": 1,
        }
        for vals in (
            # in the administrator's name
            dict(forged, user_id=self.env.ref("base.user_admin").id),
            # in the salesperson's own name, on a colleague's order
            forged,
            # a malformed target
            dict(forged, targets=[[self.sam_partner.id, "sale.order"]]),
        ):
            with self.subTest(vals=vals), self.assertRaises(xmlrpc.client.Fault):
                self._create_job(self.user_salesman, vals)
        self.assertFalse(self.Job.search([("sequence_id", "=", self.sequence_sale.id)]))

        # Their own order goes through, in their own name whatever they say.
        job_id = self._create_job(
            self.user_salesman,
            {
                "sequence_id": self.sequence_sale.id,
                "targets": [self._order_target(own_order)],
                "total_count": 1000,
                "position": 0,
            },
        )
        job = self.Job.browse(job_id)
        self.assertRecordValues(
            job, [{"user_id": self.user_salesman.id, "total_count": 1, "state": "queued"}]
        )
        self.Job._cron_enroll()
        self.assertEqual(job.state, "done")
        enrollment = self._enrollments(self.sequence_sale, origin=own_order)
        self.assertEqual(enrollment.create_uid, self.user_salesman)
        self.assertFalse(self._enrollments(self.sequence_sale, origin=colleague_order))

    def test_a_job_skips_documents_its_user_can_no_longer_read(self):
        order = self._create_order(self.mario, user_id=self.user_salesman.id)
        job = self.Job.with_user(self.user_salesman)._followup_queue(
            self.sequence_sale, [self._order_target(order)]
        )
        # The order goes to a colleague before the cron runs.
        order.user_id = self.user_salesman_ny
        self.Job._cron_enroll()
        self.assertRecordValues(job, [{"state": "done", "enrolled_count": 0}])
        self.assertFalse(self._enrollments(self.sequence_sale, origin=order))

    def test_a_job_whose_document_was_deleted_does_not_block_the_next_one(self):
        order = self._create_order(self.mario, user_id=self.user_salesman.id)
        first = self.Job._followup_queue(self.sequence_sale, [self._order_target(order)])
        second = self.Job._followup_queue(
            self.sequence_other, [[self.carla.id, "res.partner", self.carla.id]]
        )
        order.unlink()
        self.Job._cron_enroll()
        self.Job._cron_enroll()
        self.assertEqual((first.state, first.enrolled_count), ("done", 0))
        self.assertEqual((second.state, second.enrolled_count), ("done", 1))


@tagged("post_install", "-at_install")
class TestHostileConditionSale(FollowupSaleMixin, FollowupSecurityCase):
    def test_a_manager_cannot_filter_who_may_enter_on_a_field_they_cannot_read(self):
        sequence = self.sequence_manual.with_user(self.user_manager)
        with (
            self.assertRaisesRegex(ValidationError, "reads data you cannot read"),
            self.env.cr.savepoint(),
        ):
            sequence.partner_domain = "[('credit_limit', '>', 5000)]"
        self.assertNotIn("credit_limit", self.sequence_manual.partner_domain or "")
        sequence.partner_domain = "[('customer_rank', '>', 0)]"
        self.assertEqual(self.sequence_manual.partner_domain, "[('customer_rank', '>', 0)]")

    def test_a_manager_cannot_save_a_condition_on_a_field_they_cannot_read(self):
        credit_limit = self.env["res.partner"]._fields["credit_limit"]
        self.assertFalse(credit_limit.is_accessible(self.env(user=self.user_manager)))
        step = self.sequence_manual.step_ids[0].with_user(self.user_manager)
        order_step = self.sequence_sale.step_ids[0].with_user(self.user_manager)
        for record, condition in (
            (step, "[('credit_limit', '>', 5000)]"),
            (step, "['|', ('credit_limit', '>', 5000), ('id', '=', 0)]"),
            (order_step, "[('partner_id.credit_limit', '>', 5000)]"),
        ):
            with (
                self.subTest(condition=condition),
                self.assertRaisesRegex(ValidationError, "reads data you cannot read"),
                self.env.cr.savepoint(),
            ):
                record.write({"condition_domain": condition})
        self.assertFalse(any((step | order_step).sudo().mapped("condition_domain")))
        # What the manager can read, they may filter on.
        step.write({"condition_domain": "[('customer_rank', '>', 0)]"})
        self.assertEqual(step.condition_domain, "[('customer_rank', '>', 0)]")
