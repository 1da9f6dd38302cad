from datetime import timedelta

from odoo.tests import tagged

from .mail_gateway_common import REPLY, FollowupGatewayCase


@tagged("post_install", "-at_install")
class TestFollowupBounces(FollowupGatewayCase):
    """A follow-up e-mail bounces: the gateway receives the delivery report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mario.followup_set_consent("email", "granted", "manual_writing")
        cls.only_email = cls._create_sequence(
            "Only e-mails",
            "manual",
            [
                cls._email_step("Check-in", cls.template_partner),
                cls._email_step("Second check-in", cls.template_partner, 2, "days"),
            ],
            purpose="service",
        )
        cls.mixed = cls._create_sequence(
            "E-mails and a call",
            "manual",
            [
                cls._email_step("Hello", cls.template_partner),
                cls._email_step("Reminder", cls.template_partner, 2, "days"),
                cls._call_step("Call", 3, "days"),
            ],
            purpose="service",
        )

    def _start(self):
        """Both sequences started for Mario; their first e-mails queued."""
        self._enroll(self.only_email | self.mixed, self.mario)
        dispatches = self._dispatch()
        self.assertEqual(dispatches.mapped("state"), ["done", "done"])
        return dispatches.filtered(lambda d: d.enrollment_id.sequence_id == self.only_email)

    def _check(self):
        with self._at(self.MONDAY_10_ROME + timedelta(days=3)):
            return self.mario.followup_check("email")[0]

    def _activities(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.mario.id),
                ("summary", "=", "E-mail address bounced: check it"),
            ]
        )

    def test_hard_bounce_makes_the_address_unusable_and_says_why(self):
        first = self._start()
        only_email, mixed = first.enrollment_id, self._enrollments(self.mixed, self.mario)
        self._process(self._dsn(first), self.MONDAY_10_ROME + timedelta(minutes=5))

        self.assertEqual(self.mario.message_bounce, 1, "Odoo counted the bounce")
        self.assertEqual(
            self.mario.followup_email_bounced_date, self.MONDAY_10_ROME + timedelta(minutes=5)
        )
        self.assertEqual(
            self.mario.followup_email_bounce_info,
            "550 5.1.1 <mario@example.com>: Recipient address rejected",
        )
        self.assertEqual(self.mario.followup_email_bounce_message_id, first.message_id)
        self.assertEqual(self.mario.followup_email_state, "bounced")
        check = self._check()
        self.assertFalse(check["allowed"])
        self.assertEqual(check["reason"], "invalid_address")
        # Only e-mails were left: nothing to do. A call is still ahead: it goes on.
        self.assertEqual((only_email.state, only_email.stop_reason), ("stopped", "bounced"))
        self.assertEqual(mixed.state, "active")
        # The salesperson is asked, once, to check the address.
        activity = self._activities()
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertIn("5.1.1", str(activity.note))
        self.assertIn(
            self.mario, self.env["res.partner"].search([("followup_email_state", "=", "bounced")])
        )

        # The reminder falls due: suppressed, no e-mail, and the log says why.
        mails_before = self.env["mail.mail"].search_count([])
        reminder = self._dispatch(self.MONDAY_10_ROME + timedelta(days=2, hours=1))
        self.assertRecordValues(reminder, [{"state": "suppressed", "reason": "invalid_address"}])
        self.assertEqual(
            reminder.note,
            "Suppressed: the e-mail address of Mario Rossi bounced on Nov 30, 2026, 9:05 AM "
            "(UTC): 550 5.1.1 <mario@example.com>: Recipient address rejected; this step is "
            "skipped.",
        )
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before, "no e-mail sent")
        self.assertEqual(mixed.next_step_id.name, "Call")

        # A second report about the same address: still one activity.
        self._process(self._dsn(first, tag="again"))
        self.assertEqual(len(self._activities()), 1)

    def test_e_mails_started_after_the_bounce_stop_at_their_first_step(self):
        first = self._start()
        self._process(self._dsn(first))
        later = self._create_sequence(
            "Later news",
            "manual",
            [self._email_step("News", self.template_partner)],
            purpose="service",
        )
        moment = self.MONDAY_10_ROME + timedelta(hours=2)
        self._enroll(later, self.mario, moment)
        dispatch = self._dispatch(moment)
        self.assertRecordValues(dispatch, [{"state": "suppressed", "reason": "invalid_address"}])
        self.assertFalse(dispatch.mail_id)
        self.assertRecordValues(
            dispatch.enrollment_id, [{"state": "stopped", "stop_reason": "bounced"}]
        )
        self.assertEqual(
            dispatch.note,
            "Stopped: the e-mail address of Mario Rossi bounced on Nov 30, 2026, 9:00 AM (UTC): "
            "550 5.1.1 <mario@example.com>: Recipient address rejected; only e-mails were "
            "left, the follow-up ends here.",
        )

    def test_mail_from_the_address_makes_it_usable_again(self):
        first = self._start()
        self._process(self._dsn(first))
        self.assertFalse(self._check()["allowed"])
        # Mario writes, from his mail program (which shows his name): Odoo resets
        # its counter, and so do we.
        self._process(
            REPLY.format(
                email_from="Mario Rossi <mario@example.com>",
                to=f"catchall@{self.alias_domain.name}",
                subject="New address? No, same one",
                msg_id="mario-writes",
                in_reply_to=first.message_id.message_id,
                headers="",
                body="Hello, I can read you again.",
            )
        )
        self.assertEqual(self.mario.message_bounce, 0)
        self.assertFalse(self.mario.followup_email_bounced_date)
        self.assertTrue(self._check()["allowed"])

    def _mail_from(self, email_from, dispatch, tag):
        """A message from ``email_from`` answering the follow-up of ``dispatch``."""
        return REPLY.format(
            email_from=email_from,
            to=f"catchall@{self.alias_domain.name}",
            subject="About your e-mail",
            msg_id=tag,
            in_reply_to=dispatch.message_id.message_id,
            headers="",
            body="Hello.",
        )

    def test_only_mail_from_the_address_that_bounced_makes_it_usable_again(self):
        namesake = self._create_customer("Mario Rossi", "mario.rossi.ge")
        self._enroll(self.only_email, self.mario | namesake)
        first, other = self._dispatch().sorted(lambda d: d.partner_id != self.mario)
        self._process(self._dsn(first))
        self._process(self._dsn(other, tag="namesake"))
        bounced = self.mario | namesake
        self.assertEqual(bounced.mapped("followup_email_state"), ["bounced", "bounced"])
        for index, sender in enumerate(
            (
                # Someone else with the same name.
                "Mario Rossi <mario.rossi@example.net>",
                # A name that reads like the address, quoted: the address is the other.
                '"mario@example.com" <someone@example.net>',
                # The same, unquoted: lenient readers take the name for the address.
                "mario@example.com <someone@example.net>",
            )
        ):
            with self.subTest(sender=sender):
                self._process(self._mail_from(sender, first, f"not-mario-{index}"))
                self.assertEqual(bounced.mapped("followup_email_state"), ["bounced", "bounced"])
                self.assertEqual(bounced.mapped("message_bounce"), [1, 1])
                self.assertFalse(self._check()["allowed"])
        # Mario writes, with his name: his address works again, not his namesake's.
        self._process(self._mail_from("Mario Rossi <Mario@Example.com>", first, "mario"))
        self.assertEqual(self.mario.followup_email_state, "ok")
        self.assertEqual(self.mario.message_bounce, 0)
        self.assertTrue(self._check()["allowed"])
        self.assertEqual(namesake.followup_email_state, "bounced")
        self.assertEqual(namesake.message_bounce, 1)

    def test_a_late_report_about_a_former_address_leaves_the_new_one_usable(self):
        first = self._start()
        self.mario.email = "mario.rossi@example.org"
        self._process(self._dsn(first, recipient="mario@example.com"))
        # Odoo counts it on the person the bounced e-mail went to, whatever their
        # address now; the report is about the former address, not this one.
        self.assertEqual(self.mario.message_bounce, 1)
        self.assertEqual(self.mario.followup_email_state, "ok")
        self.assertTrue(self._check()["allowed"])
        self.assertFalse(self._activities())
        self.assertEqual(first.enrollment_id.state, "active")
        # The e-mail itself did bounce: its delivery says so.
        self.assertEqual(first.delivery_state, "bounced")

    def test_a_forwarded_address_that_bounces_is_the_persons(self):
        first = self._start()
        # mario@example.com forwards to a mailbox that no longer exists.
        self._process(self._dsn(first, recipient=("m.rossi@old-isp.example", "mario@example.com")))
        self.assertEqual(self.mario.followup_email_state, "bounced")
        self.assertFalse(self._check()["allowed"])

    def test_a_new_address_is_usable(self):
        first = self._start()
        self._process(self._dsn(first))
        self.mario.email = "mario.rossi@example.org"
        self.assertFalse(self.mario.followup_email_bounced_date)
        self.assertEqual(self.mario.message_bounce, 0)
        self.assertEqual(self.mario.followup_email_state, "ok")

    def test_soft_bounce_waits_and_tries_again(self):
        first = self._start()
        bounced_at = self.MONDAY_10_ROME + timedelta(days=1, hours=23)
        self._process(self._dsn(first, "4.2.2", diagnostic="452 4.2.2 Mailbox full"), bounced_at)
        self.assertFalse(self.mario.followup_email_bounced_date, "not unusable")
        # The state is computed from the clock (soft until the retry date): read it then.
        with self._at(bounced_at):
            self.mario.invalidate_recordset(["followup_email_state"])
            self.assertEqual(self.mario.followup_email_state, "soft")
        self.assertEqual(self.only_email.enrollment_ids.state, "active")
        self.assertFalse(self._activities())
        # The second check-in falls due within the 24 hours: it waits.
        due = self.MONDAY_10_ROME + timedelta(days=2, hours=1)
        deferred = self._dispatch(due).filtered(
            lambda d: d.enrollment_id.sequence_id == self.only_email
        )
        self.assertRecordValues(deferred, [{"state": "deferred", "reason": "soft_bounce"}])
        self.assertEqual(
            deferred.note,
            "Deferred: the last e-mail to Mario Rossi could not be delivered for now "
            "(452 4.2.2 Mailbox full); next try on Dec 3, 2026, 9:00 AM (Europe/Rome).",
        )
        # Then it is sent.
        retried = self._dispatch(deferred.next_try).filtered(
            lambda d: d.enrollment_id.sequence_id == self.only_email
        )
        self.assertEqual(retried.state, "done")
        self.assertTrue(retried.mail_id)

    def test_repeated_temporary_failures_count_as_a_hard_bounce(self):
        first = self._start()
        for attempt in range(3):
            self._process(self._dsn(first, "4.2.2", tag=f"retry-{attempt}"))
        self.assertEqual(self.mario.message_bounce, 3)
        self.assertTrue(self.mario.followup_email_bounced_date)
