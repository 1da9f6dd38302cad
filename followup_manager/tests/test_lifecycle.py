import logging
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from ..models.followup_partner_lifecycle_facts import FollowupPartnerLifecycleFacts
from .common import FollowupCase

_logger = logging.getLogger(__name__)

T0 = datetime(2025, 3, 3, 10, 0)


@tagged("post_install", "-at_install")
class TestLifecycle(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The stages only: the notes read here are the stages' (the sequences a stage
        # starts post theirs: see test_touchpoints).
        cls.env["followup.sequence"].search([]).action_archive()
        cls.company.write({"followup_inactive_days": 365, "followup_loyal_orders": 3})
        with freeze_time(T0):
            cls.partner = cls.env["res.partner"].create(
                {"name": "Vera Visitor", "email": "vera@example.com"}
            )
            cls.company_partner = cls.env["res.partner"].create(
                {"name": "Caffè Roma S.r.l.", "is_company": True}
            )
            cls.contact_a, cls.contact_b = cls.env["res.partner"].create(
                [
                    {"name": "Anna Roma", "parent_id": cls.company_partner.id},
                    {"name": "Bruno Roma", "parent_id": cls.company_partner.id},
                ]
            )

    # --- helpers

    def _run_cron(self, when):
        with self._at(when):
            self.env["res.partner"]._cron_followup_lifecycle()

    def _last_note(self, partner):
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)], order="id desc", limit=1
        )

    # --- facts move the stage forward
    def test_new_partner_is_a_visitor(self):
        self.assertEqual(self.partner.lifecycle_stage, "visitor")
        self.assertEqual(self.partner.lifecycle_stage_date, T0)
        self.assertFalse(self.partner.lifecycle_stage_manual)

    def test_mailing_subscription_makes_a_visitor_a_prospect(self):
        # mass_mailing is not a dependency: the subscriptions are read only when
        # its models exist. Without it, the facts method is stubbed to say
        # "subscribed" (the real query was checked with mass_mailing installed).
        with self._at(T0 + timedelta(days=2)):
            if "mailing.subscription" in self.env:
                mailing_list = self.env["mailing.list"].create({"name": "News"})
                self.env["mailing.contact"].create(
                    {
                        "name": "Vera",
                        "email": "vera@example.com",
                        "subscription_ids": [Command.create({"list_id": mailing_list.id})],
                    }
                )
                self.partner._followup_recompute_lifecycle()
            else:
                families = {self.partner.id: [self.partner.id]}
                self.assertEqual(self.partner._followup_lifecycle_subscriptions(families), {})
                subscribed = {self.partner.id: T0 + timedelta(days=2)}
                with patch.object(
                    FollowupPartnerLifecycleFacts,
                    "_followup_lifecycle_subscriptions",
                    autospec=True,
                    return_value=subscribed,
                ):
                    self.partner._followup_recompute_lifecycle()
        self.assertEqual(self.partner.lifecycle_stage, "prospect")
        self.assertIn("Subscribed to a mailing list.", self._last_note(self.partner).body)

    # --- the daily cron: inactivity, and coming back

    def test_cron_is_daily_on_partners(self):
        cron = self.env.ref("followup_manager.ir_cron_followup_lifecycle")
        self.assertEqual(cron.model_id.model, "res.partner")
        self.assertEqual(cron.code, "model._cron_followup_lifecycle()")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertTrue(cron.active)

    # --- companies and their contacts

    # --- by hand
    @users("fm_salesman")
    def test_salesperson_sets_the_stage_by_hand_with_a_reason(self):
        partner = self.partner.with_user(self.env.user)
        with freeze_time(T0 + timedelta(days=5)):
            action = partner.action_followup_change_stage()
            wizard_form = Form(
                self.env[action["res_model"]].with_context(**action["context"]),
                view="followup_manager.followup_lifecycle_wizard_view_form",
            )
            wizard_form.lifecycle_stage = "customer"
            wizard_form.reason = "Buys through our reseller"
            wizard_form.save().action_apply()
        self.assertEqual(partner.lifecycle_stage, "customer")
        self.assertTrue(partner.lifecycle_stage_manual)
        self.assertEqual(partner.lifecycle_stage_date, T0 + timedelta(days=5))
        note = self._last_note(self.partner)
        self.assertIn("Stage set by hand to Customer: Buys through our reseller", note.body)
        self.assertEqual(note.author_id, self.user_salesman.partner_id)
        self.assertEqual(note.tracking_value_ids.new_value_char, "Customer")

    def test_manual_change_needs_a_reason(self):
        with self.assertRaises(UserError):
            self.partner._followup_set_lifecycle_stage("loyal", "   ")
        self.assertEqual(self.partner.lifecycle_stage, "visitor")

    def test_stage_set_on_a_contact_goes_to_its_company(self):
        self.contact_a._followup_set_lifecycle_stage("prospect", "Met at the fair")
        family = self.company_partner | self.contact_a | self.contact_b
        self.assertEqual(set(family.mapped("lifecycle_stage")), {"prospect"})
        self.assertIn("Met at the fair", self._last_note(self.company_partner).body)

    def test_manual_customer_without_orders_becomes_inactive_after_the_period(self):
        with freeze_time(T0):
            self.partner._followup_set_lifecycle_stage("customer", "Paid cash at the fair")
        self._run_cron(T0 + timedelta(days=300))
        self.assertEqual(self.partner.lifecycle_stage, "customer")
        self._run_cron(T0 + timedelta(days=366))
        self.assertEqual(self.partner.lifecycle_stage, "inactive")
        self.assertFalse(self.partner.lifecycle_stage_manual)

    def test_direct_write_of_the_stage_is_tracked_and_manual(self):
        # Partners created with tracking_disable are excluded from tracking
        # until the next commit (mail.thread's _track_discard): commit first.
        self.flush_tracking()
        partner = self.partner.with_context(tracking_disable=False)
        with freeze_time(T0 + timedelta(days=1)):
            partner.write({"lifecycle_stage": "prospect"})
            self.flush_tracking()
        self.assertTrue(partner.lifecycle_stage_manual)
        self.assertEqual(partner.lifecycle_stage_date, T0 + timedelta(days=1))
        tracking = self.env["mail.tracking.value"].search(
            [("mail_message_id", "=", self._last_note(partner).id)]
        )
        self.assertEqual(tracking.field_id.name, "lifecycle_stage")
        self.assertEqual(tracking.new_value_char, "Prospect")

    def flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()
