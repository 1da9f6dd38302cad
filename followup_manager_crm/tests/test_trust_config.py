"""Moved from followup_manager/tests/test_trust_config.py: the tests that need CRM."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase

from .common import FollowupCrmMixin

BAD_FILTER = "[('id', '=', 'abc')]"


@tagged("post_install", "-at_install")
class TestTrustConfigAtRunCrm(FollowupCrmMixin, FollowupSequenceCase):
    def _break(self, sequence, order=1):
        """Make the sequence fail at enrollment behind the checks' back (as data saved by
        an older version would) and put it first in line."""
        self.env.cr.execute(
            "UPDATE followup_sequence SET partner_domain = %s, sequence = %s WHERE id = %s",
            [BAD_FILTER, order, sequence.id],
        )
        sequence.invalidate_recordset()
        return sequence

    def _broken_copy(self, sequence):
        return self._break(sequence.sudo().copy({"name": f"Broken {sequence.name}"}))

    def _assert_logged(self, sequence, text="Partners could not be enrolled"):
        sequence = sequence.sudo()
        sequence.invalidate_recordset()
        self.assertIn(text, sequence.followup_error or "")
        self.assertIn(text, sequence.message_ids[:1].body)
        self.assertFalse(self._enrollments(sequence))

    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_won_and_lost_opportunities_go_through_a_broken_sequence(self):
        broken_won = self._broken_copy(self.sequence_won)
        broken_lost = self._broken_copy(self.sequence_lost)
        won = self._create_lead()
        won.action_set_won()
        self.assertTrue(won.stage_id.is_won)
        self.assertEqual(self._enrollments(self.sequence_won).origin, won)
        self._assert_logged(broken_won)
        lost = self._create_lead()
        lost.action_set_lost()
        self.assertFalse(lost.active)
        self.assertEqual(self._enrollments(self.sequence_lost).origin, lost)
        self._assert_logged(broken_lost)
