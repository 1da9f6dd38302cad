"""What the tests of text message steps share: an SMS template on the contact and the
step that sends it."""

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase


class SmsTemplateMixin:
    """``sms_template_partner`` and ``_sms_step`` for a follow-up test case."""

    @classmethod
    def _sms_fixtures(cls):
        cls.sms_template_partner = cls.env["sms.template"].create(
            {
                "name": "Follow-up: quick check",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body": "Hello {{ object.name }}, all good with your order?",
            }
        )

    @classmethod
    def _sms_step(cls, name, template, delay=0, unit="days", **values):
        return {
            "name": name,
            "delay": delay,
            "delay_unit": unit,
            "action": "sms",
            "sms_template_id": template.id,
            **values,
        }


class FollowupSmsCase(FollowupDispatchCase, SmsTemplateMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._sms_fixtures()
