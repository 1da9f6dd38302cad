"""Who sees and changes what: the access matrix of every model for every kind of
user, the public methods called as each of them, and the guards that keep the
superuser cron from carrying out what a user could not have done."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FollowupSecurityCase

OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

# The intended rights, as read/write/create/unlink letters, per model and user:
#   employee: an internal user without follow-up rights; user: follow-up user who is
#   not a salesperson; salesman: Sales / User (implies the follow-up user); auditor:
#   a consent auditor and nothing else (the group stands alone: it reads, exports and
#   prints, and changes nothing); manager; admin: the administrator (not superuser);
#   portal; public.
# Nobody writes or deletes the consent state or its history (followup_set_consent
# records decisions), nor the dispatch log (written by the dispatch only), nor the
# deliveries (written by Odoo's mail and SMS queues and the incoming-mail gateway).
USERS = ("employee", "user", "salesman", "auditor", "manager", "admin", "portal", "public")
MATRIX = {
    #                          employee user  salesman auditor manager admin  portal public
    "followup.consent": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.consent.event": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.consent.request": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.sequence": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.step": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.enrollment": ("", "rwc", "rwc", "r", "rwcu", "rwcu", "", ""),
    "followup.dispatch": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.delivery": ("", "r", "r", "r", "r", "r", "", ""),
    "followup.forecast": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.forecast.line": ("", "r", "r", "r", "rwcu", "rwcu", "", ""),
    "followup.enroll.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    # Mass enrollments: queued by users, run by the cron, never edited by hand.
    "followup.enroll.job": ("", "rc", "rc", "r", "rcu", "rcu", "", ""),
    "followup.stop.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.snooze.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.step.preview": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.lifecycle.wizard": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.consent.record": ("", "rwcu", "rwcu", "", "rwcu", "rwcu", "", ""),
    "followup.company.settings": ("", "", "", "", "rwcu", "rwcu", "", ""),
}


@tagged("post_install", "-at_install")
class TestFollowupAccessMatrix(FollowupSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "employee": cls.user_employee,
            "user": cls.user_followup,
            "salesman": cls.user_salesman,
            "auditor": cls.user_auditor,
            "manager": cls.user_manager,
            "admin": cls.user_admin,
            "portal": cls.user_portal,
            "public": cls.user_public,
        }
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.mario.followup_set_consent("email", "granted", "manual", proof="Yes, e-mail me")
        cls.consent = cls.env["followup.consent"].search([("partner_id", "=", cls.mario.id)])
        cls.event = cls.env["followup.consent.event"].search([("partner_id", "=", cls.mario.id)])
        cls.enrollment = cls.env["followup.enrollment"].browse(
            cls.sequence_manual.enroll(cls.mario.ids)
        )
        cls.dispatch = cls.env["followup.dispatch"].create(
            {
                "enrollment_id": cls.enrollment.id,
                "step_id": cls.enrollment.next_step_id.id,
                "channel": "phone",
                "state": "deferred",
                "reason": "quiet_hours",
            }
        )
        cls.forecast = cls.env["followup.forecast"].create({"sequence_id": cls.sequence_manual.id})
        cls.forecast_line = cls.env["followup.forecast.line"].create(
            {"forecast_id": cls.forecast.id, "date": "2026-12-01", "state": "done", "count": 1}
        )

    # ------------------------------------------------------------------ the matrix

    def test_access_rights_matrix(self):
        self.assertEqual(
            set(MATRIX),
            # The add-on's own models (a companion's are in the companion's matrix).
            {
                m
                for m in self.env
                if m.startswith("followup.") and self.env[m]._original_module == "followup_manager"
            }
            - {
                "followup.dispatcher",  # abstract: the engine, no records
                # abstract: the dispatch's channel adapters, no records
                "followup.channel",
                "followup.channel.activity",
                "followup.channel.email",
                "followup.channel.server_action",
                "followup.target.mixin",  # abstract: wizard fields
                "followup.origin.mixin",  # abstract: smart button of followed-up documents
                "followup.consent.mixin",  # abstract: fields of a consent decision
                "followup.facts",  # abstract: the facts the decisions read
                "followup.blacklist.mirror",  # abstract: consent and Odoo's blacklists
                # abstract: the concerns of followup.enrollment, no records of their own
                "followup.enrollment.guard",
                "followup.enrollment.stepping",
                "followup.enrollment.steering",
                "followup.enrollment.chatter",
                # abstract: the sentences of followup.dispatch, no records of their own
                "followup.dispatch.sentence",
                "followup.dispatch.sentence.done",
                "followup.dispatch.sentence.deferred",
                "followup.dispatch.sentence.suppressed",
                "followup.dispatch.sentence.register",
            },
            "every model of the add-on is in the matrix",
        )
        for model, rights in MATRIX.items():
            for user_key, allowed in zip(USERS, rights, strict=True):
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, user=user_key, operation=operation):
                        self.assertEqual(
                            self.env[model].with_user(self.users[user_key]).has_access(operation),
                            letter in allowed,
                        )

    def test_portal_and_public_users_reach_no_follow_up_record(self):
        records = (
            self.consent,
            self.event,
            self.sequence_manual,
            self.sequence_manual.step_ids[0],
            self.enrollment,
            self.dispatch,
            self.forecast,
            self.forecast_line,
        )
        for user in (self.user_portal, self.user_public, self.user_employee):
            for record in records:
                with self.subTest(user=user.login, model=record._name):
                    with self.assertRaises(AccessError):
                        record.with_user(user).read(["display_name"])
                    with self.assertRaises(AccessError):
                        self.env[record._name].with_user(user).search([])

    # ------------------------------------------------------------------ follow-up user

    def test_user_reads_sequences_and_steps_but_cannot_change_them(self):
        sequence = self.sequence_manual.with_user(self.user_followup)
        self.assertEqual(sequence.name, "Nurture")
        self.assertEqual(sequence.step_ids.mapped("name"), ["Call", "News"])
        with self.assertRaises(AccessError):
            sequence.write({"name": "Mine now"})
        with self.assertRaises(AccessError):
            sequence.step_ids[0].write({"delay": 0})
        with self.assertRaises(AccessError):
            sequence.copy()
        with self.assertRaises(AccessError):
            sequence.unlink()
        with self.assertRaises(AccessError):
            sequence.step_ids[0].unlink()

    def test_user_enrolls_and_stops_with_the_public_methods(self):
        ids = self.sequence_manual.with_user(self.user_followup).enroll(self.carla.ids)
        enrollment = self.env["followup.enrollment"].browse(ids)
        self.assertRecordValues(enrollment, [{"partner_id": self.carla.id, "state": "active"}])
        self.assertEqual(enrollment.create_uid, self.user_followup)
        self.assertIs(
            enrollment.with_user(self.user_followup).action_stop(note="Asked on the phone"), True
        )
        self.assertRecordValues(enrollment, [{"state": "stopped", "stop_reason": "manual"}])
        with self.assertRaises(AccessError):
            enrollment.with_user(self.user_followup).unlink()

    def test_user_enrolls_and_stops_with_the_wizards(self):
        context = {"active_model": "res.partner", "active_ids": self.carla.ids}
        Enroll = self.env["followup.enroll.wizard"].with_user(self.user_followup)
        with Form(Enroll.with_context(**context)) as wizard:
            wizard.sequence_id = self.sequence_manual
        wizard.save().action_enroll()
        enrollment = self._enrollments(self.sequence_manual, self.carla)
        self.assertEqual(enrollment.state, "active")
        Stop = self.env["followup.stop.wizard"].with_user(self.user_followup)
        with Form(Stop.with_context(**context)) as wizard:
            wizard.note = "Not interested any more"
        wizard.save().action_stop()
        self.assertRecordValues(
            enrollment, [{"state": "stopped", "stop_note": "Not interested any more"}]
        )

    def test_user_sees_enrollments_and_decisions_of_the_partners_they_read(self):
        Enrollment = self.env["followup.enrollment"].with_user(self.user_followup)
        self.assertEqual(Enrollment.search([("partner_id", "=", self.mario.id)]), self.enrollment)
        self.assertEqual(
            self.mario.with_user(self.user_followup).followup_last_dispatch_ids, self.dispatch
        )
        self.assertEqual(self.dispatch.with_user(self.user_followup).reason, "quiet_hours")

    def test_user_records_a_decision_only_through_followup_set_consent(self):
        carla = self.carla.with_user(self.user_followup)
        self.assertIs(
            carla.followup_set_consent("sms", "granted", "manual_phone", proof="Yes, text me"),
            True,
        )
        consent = (
            self.env["followup.consent"]
            .with_user(self.user_followup)
            .search([("partner_id", "=", self.carla.id), ("channel", "=", "sms")])
        )
        self.assertEqual(consent.state, "granted")
        event = self.env["followup.consent.event"].search(
            [("partner_id", "=", self.carla.id), ("channel", "=", "sms")]
        )
        self.assertEqual(event.user_id, self.user_followup, "the history names who recorded it")
        with self.assertRaises(AccessError):
            consent.write({"state": "withdrawn"})
        with self.assertRaises(AccessError):
            self.env["followup.consent"].with_user(self.user_followup).create(
                {"partner_id": self.carla.id, "channel": "post", "state": "granted"}
            )
        with self.assertRaises(AccessError):
            self.env["followup.consent.event"].with_user(self.user_followup).create(
                {
                    "partner_id": self.carla.id,
                    "channel": "post",
                    "state": "granted",
                    "source": "forged",
                }
            )
        with self.assertRaises(UserError):
            consent.unlink()
        self.assertEqual(consent.state, "granted")

    def test_history_is_refused_to_every_writer_at_the_access_level_too(self):
        # Odoo's access rights already refuse it; write() and unlink() refuse it to
        # superuser code and SQL refuses it below the ORM (see test_consent).
        for user in (self.user_followup, self.user_auditor, self.user_manager, self.user_admin):
            for model in ("followup.consent", "followup.consent.event"):
                for operation in ("write", "create", "unlink"):
                    with self.subTest(user=user.login, model=model, operation=operation):
                        self.assertFalse(self.env[model].with_user(user).has_access(operation))

    def test_users_and_auditors_cannot_change_the_settings(self):
        # Managers change their companies' follow-up settings in a form of their own
        # (test_company_settings); Odoo's Settings page stays the administrators'.
        for user in (self.user_followup, self.user_auditor, self.user_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.company.with_user(user).write({"followup_cap_count": 5})
                with self.assertRaises(AccessError):
                    self.env["res.config.settings"].with_user(user).create(
                        {"followup_cap_count": 5}
                    ).execute()
        for user in (self.user_followup, self.user_auditor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["followup.company.settings"].with_user(user).create(
                    {"followup_cap_count": 5}
                ).action_save()
        self.assertEqual(self.company.followup_cap_count, 1)
        settings = (
            self.env["res.config.settings"]
            .with_user(self.user_admin)
            .create({"followup_cap_count": 5})
        )
        settings.execute()
        self.assertEqual(self.company.followup_cap_count, 5)
        menu = self.env.ref("followup_manager.followup_manager_menu_config_settings")
        self.assertEqual(menu.groups_id, self.env.ref("base.group_system"))

    def test_employee_without_follow_up_rights_can_do_nothing(self):
        employee = self.user_employee
        calls = {
            "enroll": lambda: self.sequence_manual.with_user(employee).enroll(self.carla.ids),
            "action_stop": lambda: self.enrollment.with_user(employee).action_stop(),
            "followup_set_consent": lambda: self.carla.with_user(employee).followup_set_consent(
                "email", "withdrawn", "manual"
            ),
            "followup_check": lambda: self.carla.with_user(employee).followup_check("email"),
            "followup_request_email_confirmation": lambda: self.carla.with_user(
                employee
            ).followup_request_email_confirmation(),
        }
        for name, call in calls.items():
            with self.subTest(method=name), self.assertRaises(AccessError):
                call()
        self.assertEqual(self.enrollment.state, "active")
        self.assertFalse(self.carla.followup_consent_ids)

    # ------------------------------------------------------------------ auditor

    def test_auditor_exports_consents_and_their_history(self):
        for records, fields in (
            (self.consent, ["partner_id", "channel", "state", "legal_basis", "source", "date"]),
            (self.event, ["partner_id", "channel", "state", "proof", "proof_hash", "user_id"]),
        ):
            with self.subTest(model=records._name):
                rows = records.with_user(self.user_auditor).export_data(fields)["datas"]
                self.assertEqual(len(rows), 1)
                self.assertEqual(rows[0][0], "Mario Rossi")

    def test_auditor_prints_the_proof_and_a_user_cannot(self):
        Report = self.env["ir.actions.report"]
        html, _type = Report.with_user(self.user_auditor)._render_qweb_html(
            "followup_manager.followup_consent_proof_report", self.mario.ids
        )
        self.assertIn(b"Yes, e-mail me", html)
        with self.assertRaises(AccessError):
            Report.with_user(self.user_followup)._render_qweb_html(
                "followup_manager.followup_consent_proof_report", self.mario.ids
            )

    def test_auditor_is_not_a_follow_up_user(self):
        auditor_group = self.env.ref("followup_manager.followup_manager_group_auditor")
        user_group = self.env.ref("followup_manager.followup_manager_group_user")
        self.assertNotIn(user_group, auditor_group.trans_implied_ids)
        self.assertNotIn(user_group, self.user_auditor.groups_id)
        self.assertIn(self.env.ref("base.group_allow_export"), auditor_group.implied_ids)
        manager_group = self.env.ref("followup_manager.followup_manager_group_manager")
        self.assertLessEqual(auditor_group | user_group, manager_group.trans_implied_ids)

    def test_auditor_changes_nothing(self):
        auditor = self.user_auditor
        carla = self.carla.with_user(auditor)
        context = {"active_model": "res.partner", "active_ids": self.carla.ids}
        calls = {
            "write a sequence": lambda: self.sequence_manual.with_user(auditor).write(
                {"name": "Audited"}
            ),
            "write a step": lambda: (
                self.sequence_manual.step_ids[0].with_user(auditor).write({"delay": 1})
            ),
            "write a consent": lambda: self.consent.with_user(auditor).write(
                {"state": "withdrawn"}
            ),
            "write an enrollment": lambda: self.enrollment.with_user(auditor).write(
                {"stop_note": "Audited"}
            ),
            "delete an enrollment": lambda: self.enrollment.with_user(auditor).unlink(),
            "delete a forecast": lambda: self.forecast.with_user(auditor).unlink(),
            "followup_set_consent": lambda: carla.followup_set_consent(
                "email", "withdrawn", "manual", proof="Audited"
            ),
            "followup_request_email_confirmation": (carla.followup_request_email_confirmation),
            "enroll": lambda: self.sequence_manual.with_user(auditor).enroll(self.carla.ids),
            "action_stop": lambda: self.enrollment.with_user(auditor).action_stop(),
            "action_open_stop_wizard": self.enrollment.with_user(auditor).action_open_stop_wizard,
            "action_followup_change_stage": carla.action_followup_change_stage,
            "enroll wizard": lambda: (
                self.env["followup.enroll.wizard"]
                .with_user(auditor)
                .with_context(**context)
                .create({"sequence_id": self.sequence_manual.id})
            ),
            "stop wizard": lambda: (
                self.env["followup.stop.wizard"]
                .with_user(auditor)
                .with_context(**context)
                .create({"note": "Audited"})
            ),
            "consent wizard": lambda: (
                self.env["followup.consent.record"]
                .with_user(auditor)
                .create({"partner_ids": self.carla.ids, "proof": "Audited"})
            ),
            "lifecycle wizard": lambda: (
                self.env["followup.lifecycle.wizard"]
                .with_user(auditor)
                .create({"partner_ids": self.carla.ids, "lifecycle_stage": "loyal"})
            ),
        }
        for name, call in calls.items():
            with self.subTest(call=name), self.assertRaises(AccessError), self.env.cr.savepoint():
                call()
        self.assertFalse(self.carla.followup_consent_ids)
        self.assertFalse(self._enrollments(self.sequence_manual, self.carla))
        self.assertEqual(self.enrollment.state, "active")

    def test_auditor_reads_what_a_contact_shows_of_follow_ups(self):
        mario = self.mario.with_user(self.user_auditor)
        self.assertEqual(mario.followup_consent_ids, self.consent)
        self.assertEqual(mario.followup_consent_event_count, 1)
        self.assertEqual(mario.followup_enrollment_ids, self.enrollment)
        self.assertEqual(mario.followup_last_dispatch_ids, self.dispatch)
        self.assertEqual(self.enrollment.with_user(self.user_auditor).state, "active")
        menus = self.env["ir.ui.menu"].with_user(self.user_auditor)._visible_menu_ids()
        for xmlid in (
            "followup_manager_menu_root",
            "followup_enrollment_menu",
            "followup_dispatch_menu",
            "followup_sequence_menu_user",
            "followup_consent_menu",
            "followup_consent_event_menu",
        ):
            with self.subTest(menu=xmlid):
                self.assertIn(self.env.ref(f"followup_manager.{xmlid}").id, menus)
        self.assertNotIn(self.env.ref("followup_manager.followup_manager_menu_config").id, menus)

    # ------------------------------------------------------------------ manager

    def test_manager_configures_sequences_and_steps(self):
        Sequence = self.env["followup.sequence"].with_user(self.user_manager)
        sequence = Sequence.create(
            {
                "name": "Managed",
                "trigger": "manual",
                "step_ids": [(0, 0, self._call_step("First call"))],
            }
        )
        sequence.step_ids.write({"delay": 2})
        sequence.write({"step_ids": [(0, 0, self._call_step("Second call", 1))]})
        self.assertEqual(sequence.step_ids.mapped("name"), ["First call", "Second call"])
        sequence.step_ids[1].unlink()
        sequence.copy().unlink()
        sequence.action_archive()
        self.assertFalse(sequence.active)

    # ------------------------------------------------------------------ the cron's trust

    def test_the_cron_jobs_run_as_superuser(self):
        # Odoo's default for scheduled jobs; what they carry out is checked when it is
        # configured or enrolled (the tests below), never trusted because of who runs it.
        for xmlid in ("ir_cron_followup_dispatch", "ir_cron_followup_lifecycle"):
            with self.subTest(cron=xmlid):
                cron = self.env.ref(f"followup_manager.{xmlid}")
                self.assertEqual(cron.user_id, self.env.ref("base.user_root"))

    def test_only_administrators_choose_a_step_server_action(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Mark the contact",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "records.write({'comment': 'visited'})",
            }
        )
        step = {"name": "Mark", "action": "server_action", "server_action_id": action.id}
        Sequence = self.env["followup.sequence"]
        with self.assertRaisesRegex(AccessError, "Only administrators"):
            Sequence.with_user(self.user_manager).create(
                {"name": "Run code", "trigger": "manual", "step_ids": [(0, 0, step)]}
            )
        sequence = Sequence.with_user(self.user_admin).create(
            {"name": "Run code", "trigger": "manual", "step_ids": [(0, 0, step)]}
        )
        # The manager still edits the rest of such a step, and every other step.
        sequence.step_ids.with_user(self.user_manager).write({"name": "Mark as visited"})
        other = self.env["ir.actions.server"].create(
            {
                "name": "Something else",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "records.write({'comment': 'else'})",
            }
        )
        with self.assertRaisesRegex(AccessError, "Only administrators"):
            sequence.step_ids.with_user(self.user_manager).write({"server_action_id": other.id})
        self.assertEqual(sequence.step_ids.server_action_id, action)


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
            # Odoo's mail gateway entry point (mail_thread_unsubscribe.py): it refuses
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
