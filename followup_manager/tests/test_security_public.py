"""Every public method of the add-on called as each kind of user (test_security.py:
the access matrix of its models)."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FollowupSecurityCase


@tagged("post_install", "-at_install")
class TestFollowupPublicMethods(FollowupSecurityCase):
    """Every public method (no leading underscore) of the add-on, called as each kind
    of user: what a user may do works, the rest raises AccessError."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.carla.followup_set_consent("email", "granted", "manual")
        cls.consent = cls.carla.followup_consent_ids
        # Never asked for e-mail consent: may receive a double opt-in request.
        cls.paolo = cls._create_customer("Paolo Pending", "paolo")
        cls.sequence_tiny = cls._create_sequence(
            "Tiny",
            "manual",
            [cls._task_step()],
            purpose="service",
            partner_domain=f"[('id', '=', {cls.carla.id})]",
        )
        cls.enrollment = cls.env["followup.enrollment"].browse(
            cls.sequence_tiny.enroll(cls.carla.ids)
        )
        cls.forecast = cls.env["followup.forecast"].create({"sequence_id": cls.sequence_tiny.id})
        cls.step_mail = cls._create_sequence(
            "Mail", "manual", [cls._email_step("Hello", cls.template_partner)], purpose="service"
        ).step_ids

    def _calls(self, user):
        """{method: call} for ``user``: one per public method, on records the user could
        reach if they had the rights."""
        carla = self.carla.with_user(user)
        sequence = self.sequence_tiny.with_user(user)
        enrollment = self.enrollment.with_user(user)
        forecast = self.forecast.with_user(user)
        return {
            "res.partner.followup_set_consent": lambda: carla.followup_set_consent(
                "phone", "granted", "manual_phone", proof="Call me"
            ),
            "res.partner.followup_check": lambda: carla.followup_check("email"),
            "res.partner.followup_request_email_confirmation": (
                lambda: self.paolo.with_user(user).followup_request_email_confirmation()
            ),
            "res.partner.action_followup_change_stage": carla.action_followup_change_stage,
            "res.partner.action_followup_open_consent_events": (
                carla.action_followup_open_consent_events
            ),
            "res.partner.action_followup_record_consent": carla.action_followup_record_consent,
            "res.partner.action_view_followup_enrollments": (
                carla.action_view_followup_enrollments
            ),
            "res.partner.action_followup_view_decisions": carla.action_followup_view_decisions,
            "res.partner.action_followup_pause": carla.action_followup_pause,
            "res.partner.action_followup_snooze": carla.action_followup_snooze,
            "followup.consent.action_open_events": self.consent.with_user(user).action_open_events,
            "followup.sequence.enroll": lambda: sequence.enroll(self.carla.ids),
            "followup.sequence.action_view_enrollments": sequence.action_view_enrollments,
            "followup.sequence.action_view_dispatch_analysis": (
                sequence.action_view_dispatch_analysis
            ),
            "followup.sequence.action_forecast": sequence.action_forecast,
            "followup.enrollment.action_open_stop_wizard": enrollment.action_open_stop_wizard,
            "followup.enrollment.action_view_origin": enrollment.action_view_origin,
            "followup.enrollment.action_view_dispatches": enrollment.action_view_dispatches,
            "followup.sequence.action_pause": sequence.action_pause,
            "followup.sequence.action_resume": sequence.action_resume,
            "followup.enrollment.action_pause": enrollment.action_pause,
            "followup.enrollment.action_resume": enrollment.action_resume,
            "followup.enrollment.snooze": lambda: enrollment.snooze("2026-12-10 09:00:00", "Fair"),
            "followup.enrollment.action_open_snooze_wizard": (
                enrollment.action_open_snooze_wizard
            ),
            "followup.enrollment.action_stop": lambda: enrollment.action_stop(note="Done"),
            "followup.forecast.action_view_lines": forecast.action_view_lines,
            "followup.forecast.action_run_again": forecast.action_run_again,
            "followup.company.settings.action_save": lambda: (
                self.env["followup.company.settings"].with_user(user).create({}).action_save()
            ),
            "followup.step.action_open_preview": self.step_mail.with_user(
                user
            ).action_open_preview,
            "followup.step.action_send_test": lambda: self.step_mail.with_user(
                user
            ).action_send_test(self.carla.id),
        }

    # Public methods only managers may call (they create forecasts, change settings).
    MANAGER_ONLY = {
        "followup.sequence.action_forecast",
        "followup.forecast.action_run_again",
        "followup.company.settings.action_save",
        "followup.sequence.action_pause",
        "followup.sequence.action_resume",
    }
    # Public methods that change something (or open a form that does): not for
    # auditors, who read, export and print only.
    CHANGES = {
        "res.partner.followup_set_consent",
        "res.partner.followup_request_email_confirmation",
        "res.partner.action_followup_change_stage",
        "followup.sequence.enroll",
        "followup.enrollment.action_open_stop_wizard",
        "followup.enrollment.action_stop",
        "followup.enrollment.action_pause",
        "followup.enrollment.action_resume",
        "followup.enrollment.snooze",
        "followup.enrollment.action_open_snooze_wizard",
        "res.partner.action_followup_pause",
        "res.partner.action_followup_snooze",
        "followup.step.action_open_preview",
        "followup.step.action_send_test",
    }

    #: The followed-up documents whose public methods the table covers, and the
    #: add-ons whose methods count: a companion's tests extend both (and _calls).
    DOCUMENT_MODELS = ("res.partner",)
    ADDON_MODULES = ("odoo.addons.followup_manager.",)
    #: Odoo's own public actions a companion extends with a reaction.
    EXTENDED_ACTIONS = ()

    def test_every_public_method_is_in_the_table(self):
        # A new public method must be added to _calls() and its rights decided.
        found = set()
        for model in (
            *self.DOCUMENT_MODELS,
            "followup.consent",
            "followup.sequence",
            "followup.enrollment",
            "followup.forecast",
            "followup.consent.event",
            "followup.step",
            "followup.dispatch",
            "followup.forecast.line",
            "followup.company.settings",
        ):
            cls = type(self.env[model])
            for name in dir(cls):
                if name.startswith("_") or name in ("pool", "env", "ids", "id"):
                    continue
                for klass in cls.__mro__:
                    if name in vars(klass):
                        if klass.__module__.startswith(self.ADDON_MODULES) and (
                            callable(vars(klass)[name])
                        ):
                            found.add(f"{model}.{name}")
                        break
        ignored = {
            # ORM overrides: the access rights of the ORM apply.
            f"{model}.{name}"
            for model in (
                *self.DOCUMENT_MODELS,
                "followup.consent",
                "followup.consent.event",
                "followup.sequence",
                "followup.enrollment",
                "followup.step",
                "followup.company.settings",
            )
            for name in (
                "create",
                "write",
                "unlink",
                "copy_data",
                "default_get",
                "init",
                # Odoo's own actions extended with a reaction (an e-mail received):
                # Odoo's checks apply, the reaction runs as the system.
                "message_post",
                "message_new",
                *self.EXTENDED_ACTIONS,
            )
        } | {
            # Odoo's mail gateway entry point (mail_thread.py): it refuses
            # anything but a parsed e-mail (TypeError), before the add-on reads it.
            f"{model}.message_route"
            for model in (
                *self.DOCUMENT_MODELS,
                "followup.consent",
                "followup.sequence",
                "followup.enrollment",
            )
        }
        self.assertEqual(found - ignored, set(self._calls(self.user_followup)))

    def test_public_methods_as_each_user(self):
        allowed_by_user = {
            self.user_employee: set(),
            self.user_portal: set(),
            self.user_public: set(),
            self.user_followup: set(self._calls(self.user_followup)) - self.MANAGER_ONLY,
            self.user_salesman: set(self._calls(self.user_salesman)) - self.MANAGER_ONLY,
            self.user_auditor: set(self._calls(self.user_auditor))
            - self.MANAGER_ONLY
            - self.CHANGES,
            self.user_manager: set(self._calls(self.user_manager)),
        }
        for user, allowed in allowed_by_user.items():
            for name, call in self._calls(user).items():
                with self.subTest(user=user.login, method=name):
                    if name in allowed:
                        call()
                    else:
                        with self.assertRaises(AccessError):
                            call()

    def test_followup_check_returns_one_dict_per_partner_in_a_list(self):
        results = (self.carla | self.mario).with_user(self.user_salesman).followup_check("email")
        self.assertIsInstance(results, list)
        self.assertEqual([r["partner_id"] for r in results], [self.carla.id, self.mario.id])
        for result in results:
            self.assertEqual(set(result), {"partner_id", "allowed", "reason", "next_allowed"})
