"""Who may call the public methods of opportunities."""

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.test_security_public import TestFollowupPublicMethods

from .common import FollowupCrmMixin


@tagged("post_install", "-at_install")
class TestFollowupPublicMethodsCrm(FollowupCrmMixin, TestFollowupPublicMethods):
    """The public methods of opportunities, in the table of who may call what."""

    DOCUMENT_MODELS = (*TestFollowupPublicMethods.DOCUMENT_MODELS, "crm.lead")
    ADDON_MODULES = (
        *TestFollowupPublicMethods.ADDON_MODULES,
        "odoo.addons.followup_manager_crm.",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Carla's project",
                "type": "opportunity",
                "partner_id": cls.carla.id,
                "user_id": False,
            }
        )

    def _calls(self, user):
        return {
            **super()._calls(user),
            "crm.lead.action_view_followup_enrollments": (
                self.lead.with_user(user).action_view_followup_enrollments
            ),
        }

    # Odoo runs only the test methods a class defines itself: the table's two tests
    # again, with this add-on's documents in it.
    def test_every_public_method_is_in_the_table(self):
        super().test_every_public_method_is_in_the_table()

    def test_public_methods_as_each_user(self):
        super().test_public_methods_as_each_user()
