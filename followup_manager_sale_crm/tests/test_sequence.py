"""What needs Sales and CRM together
(moved from followup_manager_sale/tests/test_sequence.py)."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupSequenceCase
from odoo.addons.followup_manager_crm.tests.common import FollowupCrmMixin
from odoo.addons.followup_manager_sale.tests.common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestSequenceSaleCrm(FollowupCrmMixin, FollowupSaleMixin, FollowupSequenceCase):
    def test_changing_the_trigger_rechecks_templates(self):
        with self.assertRaisesRegex(ValidationError, "follows up crm.lead records"):
            self.sequence_sale.trigger = "lead_won"
