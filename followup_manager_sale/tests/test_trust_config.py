"""Moved from followup_manager/tests/test_trust_config.py: the tests that need Sales."""

from odoo.tests import tagged, users
from odoo.tools import mute_logger

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase

from .common import FollowupSaleMixin

BAD_FILTER = "[('id', '=', 'abc')]"


@tagged("post_install", "-at_install")
class TestTrustConfigAtRunSale(FollowupSaleMixin, FollowupSequenceCase):
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

    @users("fm_salesman")
    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_a_broken_sequence_neither_blocks_the_sale_nor_the_other_sequences(self):
        broken = self._broken_copy(self.sequence_sale)
        order = self._create_order().with_user(self.env.user)
        order.action_confirm()
        self.assertEqual(order.state, "sale", "the order is confirmed")
        self.assertEqual(self._enrollments(self.sequence_sale).origin, order)
        self._assert_logged(broken)
        self.assertIn("Sale order confirmed", broken.followup_error)
        self.assertFalse(self.sequence_sale.followup_error)

    @mute_logger("odoo.addons.followup_manager.models.followup_sequence")
    def test_a_step_that_fails_when_scheduled_is_isolated_too(self):
        broken = self.sequence_sale.copy({"name": "Far away", "sequence": 1})
        # A delay no calendar can add, saved before the bound existed.
        self.env.cr.execute(
            "UPDATE followup_step SET delay = %s WHERE id = %s", [10**8, broken.step_ids[0].id]
        )
        broken.step_ids.invalidate_recordset()
        order = self._create_order()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._enrollments(self.sequence_sale).origin, order)
        self._assert_logged(broken)

    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_the_warning_goes_when_the_sequence_is_fixed_or_enrolls_again(self):
        broken = self._broken_copy(self.sequence_sale)
        self._create_order().action_confirm()
        self._assert_logged(broken)
        broken.partner_domain = "[]"
        self.assertFalse(broken.followup_error, "editing the filter clears the warning")
        self._break(broken)
        self._create_order().action_confirm()
        self.assertTrue(broken.followup_error)
        # Repaired behind the form's back: the next success clears the warning.
        self.env.cr.execute(
            "UPDATE followup_sequence SET partner_domain = '[]' WHERE id = %s", [broken.id]
        )
        broken.invalidate_recordset()
        order = self._create_order()
        order.action_confirm()
        self.assertEqual(self._enrollments(broken).origin, order)
        self.assertFalse(broken.followup_error)
