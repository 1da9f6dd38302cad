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
        # Only Odoo's bounce reset reads the strict address: the message posted keeps
        # the sender as Odoo's parser read it.
        posted = self.env["mail.message"].search(
            [("message_id", "=", "<mario-writes@mail.example.com>")]
        )
        self.assertEqual(posted.email_from, '"Mario Rossi" <mario@example.com>')
        self.assertEqual(posted.author_id, self.mario)

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

    def test_repeated_temporary_failures_over_days_count_as_a_hard_bounce(self):
        first = self._start()
        # Three failures within a day: a full mailbox, for now.
        for attempt in range(3):
            self._process(
                self._dsn(first, "4.2.2", tag=f"retry-{attempt}"),
                self.MONDAY_10_ROME + timedelta(hours=attempt),
            )
        self.assertEqual(self.mario.message_bounce, 3)
        self.assertFalse(self.mario.followup_email_bounced_date)
        self.assertEqual(first.enrollment_id.state, "active")
        # Still failing a week after the first: the mailbox is given up.
        self._process(
            self._dsn(first, "5.2.2", diagnostic="552 5.2.2 Mailbox full", tag="week"),
            self.MONDAY_10_ROME + timedelta(days=7),
        )
        self.assertEqual(self.mario.message_bounce, 4)
        self.assertTrue(self.mario.followup_email_bounced_date)

    def test_a_full_mailbox_reported_as_permanent_waits(self):
        first = self._start()
        moment = self.MONDAY_10_ROME + timedelta(minutes=5)
        self._process(
            self._dsn(first, "5.2.2", diagnostic="552 5.2.2 Mailbox full: over quota"), moment
        )
        self.assertFalse(self.mario.followup_email_bounced_date)
        with self._at(moment):
            self.mario.invalidate_recordset(["followup_email_state"])
            self.assertEqual(self.mario.followup_email_state, "soft")
        self.assertEqual(first.enrollment_id.state, "active")
        self.assertFalse(self._activities())

    def test_a_policy_rejection_keeps_the_address_and_tells_the_salesperson(self):
        first = self._start()
        moment = self.MONDAY_10_ROME + timedelta(minutes=5)
        diagnostic = "550 5.7.1 Message rejected due to the sender's reputation (spam)"
        self._process(self._dsn(first, "5.7.1", diagnostic=diagnostic), moment)
        # The address is the customer's good one: usable, nothing stops.
        self.assertEqual(self.mario.message_bounce, 0)
        self.assertFalse(self.mario.followup_email_bounced_date)
        with self._at(moment):
            self.mario.invalidate_recordset(["followup_email_state"])
            self.assertEqual(self.mario.followup_email_state, "ok")
            self.assertTrue(self._check()["allowed"])
        self.assertEqual(first.enrollment_id.state, "active")
        self.assertFalse(self._activities())
        # The step's delivery says what happened, and its salesperson is told.
        self.assertRecordValues(
            first.delivery_ids, [{"state": "bounced", "failure_type": "mail_spam"}]
        )
        self.assertIn(diagnostic, first.delivery_ids.reason)
        # Odoo's bounce matching counts failures of the address only: its notification
        # is not bounced, the add-on's reading says what failed.
        self.assertNotEqual(first.notification_id.notification_status, "bounce")
        self.assertEqual(first.delivery_ids.bounce_what, "sender")
        todo = first.delivery_ids.activity_id
        self.assertEqual(todo.user_id, self.user_salesman)
        self.assertIn("5.7.1", str(todo.note))

    # ------------------------------------------------------------------ forged reports

    def _eve(self):
        """A stranger with a follow-up of her own: she knows its Message-Id."""
        eve = self._create_customer("Eve Stranger", "eve")
        self._enroll(self.only_email, eve)
        return self._dispatch().filtered(lambda d: d.partner_id == eve)

    def _assert_mario_untouched(self, first):
        self.assertEqual(self.mario.message_bounce, 0)
        self.assertFalse(self.mario.followup_email_bounced_date)
        self.assertFalse(self.mario.followup_email_retry_after)
        self.assertTrue(self._check()["allowed"])
        self.assertEqual(first.enrollment_id.state, "active")
        self.assertNotEqual(first.delivery_state, "bounced")
        self.assertFalse(self._activities())

    def test_a_report_quoting_none_of_our_e_mails_changes_nothing(self):
        first = self._start()
        forged = self._dsn(first, tag="forged").replace(
            first.message_id.message_id, "<made-up-by-eve@evil.example>"
        )
        self._process(forged)
        self._assert_mario_untouched(first)

    def test_a_report_quoting_someone_elses_follow_up_changes_nothing(self):
        first = self._start()
        eve = self._eve()
        # Eve writes a report naming Mario, quoting her own follow-up.
        self._process(self._dsn(eve, recipient="mario@example.com", tag="forged"))
        self._assert_mario_untouched(first)
        self.assertNotEqual(eve.delivery_state, "bounced", "her e-mail did not bounce")
        # The same in plain text, as qmail or Exim would write it.
        self._process(
            "From: MAILER-DAEMON@evil.example\n"
            f"To: bounce@{self.alias_domain.name}\n"
            "Subject: failure notice\n"
            "X-Failed-Recipients: mario@example.com\n"
            f"References: {eve.message_id.message_id}\n"
            "Message-ID: <forged-plain@evil.example>\n\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "<mario@example.com>: 550 5.1.1 user unknown\n\n"
            "--- Below this line is a copy of the message.\n\n"
            f"Message-ID: {eve.message_id.message_id}\n"
            "To: eve@example.com\n"
        )
        self._assert_mario_untouched(first)
        self.assertNotEqual(eve.delivery_state, "bounced")

    def test_a_plain_text_report_naming_the_recipient_counts(self):
        first = self._start()
        self._process(
            "From: MAILER-DAEMON@mx.example.net\n"
            f"To: bounce@{self.alias_domain.name}\n"
            "Subject: failure notice\n"
            "Message-ID: <plain@mx.example.net>\n\n"
            "Hi. This is the qmail-send program at mx.example.net.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            "<mario@example.com>:\n"
            "Remote host said: 550 5.1.1 <mario@example.com>... User unknown\n\n"
            "--- Below this line is a copy of the message.\n\n"
            f"Message-ID: {first.message_id.message_id}\n"
            "To: mario@example.com\n"
        )
        self.assertEqual(self.mario.message_bounce, 1)
        self.assertEqual(self.mario.followup_email_state, "bounced")
        self.assertIn("5.1.1", self.mario.followup_email_bounce_info)
        self.assertEqual(first.delivery_state, "bounced")

    # ------------------------------------------------------------------ Odoo's notifications

    def test_a_follow_up_e_mail_has_its_delivery_on_odoos_notification(self):
        first = self._start()
        notification = first.message_id.notification_ids
        self.assertRecordValues(
            notification,
            [
                {
                    "res_partner_id": self.mario.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                    "mail_mail_id": first.mail_id.id,
                    "is_read": True,
                }
            ],
        )
        with self._at(self.MONDAY_10_ROME), self._sent_messages():
            first.mail_id.send()
        self.assertEqual(notification.notification_status, "sent")
        # A report that quotes the e-mail but names nobody (as Exchange writes them):
        # Odoo finds the person through the notification, as for any of its e-mails.
        self._process(
            "From: postmaster@mx.example.net\n"
            f"To: bounce@{self.alias_domain.name}\n"
            "Subject: Undeliverable: Your follow-up\n"
            "Message-ID: <exchange@mx.example.net>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="X"\n\n'
            "--X\n"
            "Content-Type: text/plain\n\n"
            "Your message did not reach some or all of the intended recipients.\n"
            "The recipient's e-mail address does not exist.\n\n"
            "--X\n"
            "Content-Type: message/rfc822\n\n"
            f"Message-ID: {first.message_id.message_id}\n"
            "Subject: Your follow-up\n\n"
            "Hello.\n"
            "--X--\n",
            self.MONDAY_10_ROME + timedelta(minutes=5),
        )
        self.assertRecordValues(
            notification, [{"notification_status": "bounce", "failure_type": "mail_bounce"}]
        )
        self.assertEqual(self.mario.message_bounce, 1)
        self.assertEqual(self.mario.followup_email_state, "bounced")
