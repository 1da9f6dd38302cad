"""Moved from followup_manager/tests/test_lifecycle.py: the tests that need CRM."""

import logging
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.followup_manager.models.followup_partner_lifecycle import FollowupPartnerLifecycle
from odoo.addons.followup_manager.tests.common import FollowupCase

from .common import FollowupCrmMixin

_logger = logging.getLogger(__name__)

T0 = datetime(2025, 3, 3, 10, 0)


@tagged("post_install", "-at_install")
class TestLifecycleCrm(FollowupCrmMixin, FollowupCase):
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

    def _opportunity(self, partner, when, **vals):
        with self._at(when):
            return self.env["crm.lead"].create(
                {
                    "name": "Wants a machine",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    **vals,
                }
            )

    def _run_cron(self, when):
        with self._at(when):
            self.env["res.partner"]._cron_followup_lifecycle()

    def _last_note(self, partner):
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)], order="id desc", limit=1
        )

    def test_opportunity_makes_a_visitor_a_prospect(self):
        when = T0 + timedelta(days=1)
        self._opportunity(self.partner, when)
        self.assertEqual(self.partner.lifecycle_stage, "prospect")
        self.assertEqual(self.partner.lifecycle_stage_date, when)
        note = self._last_note(self.partner)
        self.assertIn("Has an opportunity.", note.body)
        self.assertEqual(note.tracking_value_ids.field_id.name, "lifecycle_stage")
        self.assertEqual(note.tracking_value_ids.old_value_char, "Visitor")
        self.assertEqual(note.tracking_value_ids.new_value_char, "Prospect")

    def test_lead_is_not_yet_a_prospect_until_converted_to_opportunity(self):
        lead = self._opportunity(self.partner, T0, type="lead")
        self.assertEqual(self.partner.lifecycle_stage, "visitor")
        lead.write({"type": "opportunity"})
        self.assertEqual(self.partner.lifecycle_stage, "prospect")

    def test_lost_opportunity_does_not_make_a_prospect_a_visitor_again(self):
        lead = self._opportunity(self.partner, T0)
        lead.action_set_lost()
        self.partner._followup_recompute_lifecycle()
        self.assertEqual(self.partner.lifecycle_stage, "prospect")

    def test_cron_leaves_visitors_and_prospects_alone(self):
        self._opportunity(self.partner, T0)
        with patch.object(
            FollowupPartnerLifecycle, "_followup_recompute_lifecycle", autospec=True
        ) as recompute:
            self._run_cron(T0 + timedelta(days=800))
        scanned = sum((call.args[0] for call in recompute.call_args_list), self.env["res.partner"])
        self.assertNotIn(self.partner, scanned)

    def test_new_opportunity_ends_a_manual_visitor_stage(self):
        self._opportunity(self.partner, T0)
        with self._at(T0 + timedelta(days=1)):
            self.partner._followup_set_lifecycle_stage("visitor", "Wrong person")
        self.partner._followup_recompute_lifecycle()
        self.assertEqual(self.partner.lifecycle_stage, "visitor")
        self._opportunity(self.partner, T0 + timedelta(days=2))
        self.assertEqual(self.partner.lifecycle_stage, "prospect")
        self.assertFalse(self.partner.lifecycle_stage_manual)

    def flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()
