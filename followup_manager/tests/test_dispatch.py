from datetime import date, datetime, timedelta

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import FollowupDispatchCase


class DispatchCase(FollowupDispatchCase):
    """The fixtures of the dispatch's tests (here, in test_dispatch_refusals.py and in
    the companions')."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.saad = cls.customer_sa
        cls.failing_template = cls.env["mail.template"].create(
            {
                "name": "Follow-up: fails for BOOM",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "subject": "Hello {{ object.name }}",
                "body_html": '<p>Hello <t t-out="object.name"/>'
                "<t t-out=\"1 // (0 if object.ref == 'BOOM' else 1)\"/></p>",
            }
        )

    def _service_email_sequence(self, template=None, name="Care"):
        return self._sequence(
            name,
            [
                self._email_step("Check-in", template or self.template_partner),
                self._call_step("Call", 2, "days"),
            ],
            purpose="service",
        )

    def _marketing_email_sequence(self, name="Nurture"):
        return self._sequence(
            name,
            [
                self._email_step("News", self.template_partner),
                self._call_step("Call", 2, "days"),
            ],
            purpose="marketing",
        )

    def _dispatch_of(self, dispatches, enrollment):
        return dispatches.filtered(lambda dispatch: dispatch.enrollment_id == enrollment)


@tagged("post_install", "-at_install")
class TestDispatch(DispatchCase):
    """The dispatch, step by step: what is done or deferred, and what the log says
    (test_dispatch_refusals.py: what is suppressed or failed, and the batch itself)."""

    # ------------------------------------------------------------------ done

    def test_activity_step_is_scheduled_for_the_salesperson_and_the_enrollment_moves_on(self):
        sequence = self._sequence(
            "Visit", [self._call_step("Call"), self._call_step("Call again", 2)]
        )
        enrollment = self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(
            dispatch,
            [
                {
                    "state": "done",
                    "reason": False,
                    "channel": "phone",
                    "user_id": self.user_salesman.id,
                }
            ],
        )
        activity = dispatch.activity_id
        self.assertRecordValues(
            activity,
            [
                {
                    "res_model": "res.partner",
                    "res_id": self.mario.id,
                    "user_id": self.user_salesman.id,
                    "activity_type_id": self.activity_call.id,
                    "summary": "Call",
                    "date_deadline": date(2026, 11, 30),
                    "automated": True,
                }
            ],
        )
        self.assertEqual(
            dispatch.note, "Done: activity “Call” scheduled for Sam Salesman on Mario Rossi."
        )
        self.assertEqual(dispatch.idempotency_key, f"{enrollment.id}-{sequence.step_ids[0].id}")
        self.assertEqual(enrollment.next_step_id, sequence.step_ids[1])
        # Two days later, same local time.
        self.assertEqual(enrollment.next_date, datetime(2026, 12, 2, 9, 0))

    def test_last_step_done_ends_the_enrollment(self):
        sequence = self._sequence("One call", [self._call_step("Call")])
        enrollment = self._enroll(sequence, self.mario)
        self._dispatch()
        self.assertRecordValues(
            enrollment, [{"state": "done", "next_step_id": False, "next_date": False}]
        )

    def test_fixed_user_step_uses_that_user(self):
        sequence = self._sequence(
            "Visit",
            [self._task_step(responsible_type="fixed_user", responsible_id=self.user_manager.id)],
        )
        self._enroll(sequence, self.mario)
        self.assertEqual(self._dispatch().activity_id.user_id, self.user_manager)

    def test_activity_assignee_gets_no_mail_and_the_document_no_tracking(self):
        sequence = self._sequence("Visit", [self._call_step("Call")])
        self._enroll(sequence, self.mario)
        mails_before = self.env["mail.mail"].search_count([])
        self._dispatch()
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    def test_internal_task_is_never_capped_or_suppressed(self):
        """Nobody is contacted: no address, blacklisted, cap used up, 23:00 on a Sunday."""
        nobody = self._create_customer(
            "Nora Nobody", "nora", email=False, mobile=False, phone=False
        )
        self.env["mail.blacklist"]._add("nora-old@example.com")
        contact = self._sequence("Contact", [self._call_step("Call")], purpose="service")
        self.env["res.partner"].browse(nobody.id).phone = "+39 06 4991 0001"
        self._enroll(contact, nobody, datetime(2026, 11, 27, 9, 0))
        self._dispatch(datetime(2026, 11, 27, 9, 0))  # a contact: the cap is used
        nobody.phone = False
        sunday_night = datetime(2026, 11, 29, 22, 0)
        tasks = self._sequence("Tasks", [self._task_step("Check the file")])
        enrollment = self._enroll(tasks, nobody, sunday_night)
        dispatch = self._dispatch_of(self._dispatch(sunday_night), enrollment)
        self.assertEqual(dispatch.state, "done")
        self.assertEqual(dispatch.channel, "none")

    # ------------------------------------------------------------------ deferred

    def test_cap_defers_a_second_contact_until_the_window_frees_up(self):
        first = self._sequence("First", [self._call_step("Call")], purpose="service")
        second = self._sequence("Second", [self._call_step("Call")], purpose="service")
        self._enroll(first, self.mario)
        self._dispatch()
        wednesday = datetime(2026, 12, 2, 9, 0)
        enrollment = self._enroll(second, self.mario, wednesday)
        dispatch = self._dispatch(wednesday)
        self.assertRecordValues(
            dispatch,
            [{"state": "deferred", "reason": "cap", "next_try": datetime(2026, 12, 7, 9, 0)}],
        )
        self.assertEqual(
            dispatch.note,
            "Deferred: Mario Rossi was already contacted once in the last 7 days; next try "
            "on Dec 7, 2026, 10:00 AM (Europe/Rome).",
        )
        # Nothing is dropped: the step waits for its next try, then is done.
        self.assertEqual(enrollment.next_date, datetime(2026, 12, 7, 9, 0))
        self.assertEqual(enrollment.next_step_id, second.step_ids)
        later = self._dispatch(datetime(2026, 12, 7, 9, 0))
        self.assertEqual(self._dispatch_of(later, enrollment).state, "done")
        self.assertEqual(enrollment.state, "done")

    def test_cap_is_shared_by_two_sequences_due_in_the_same_batch(self):
        first = self._marketing_email_sequence("First")
        second = self._marketing_email_sequence("Second")
        self.mario.followup_set_consent("email", "granted", "manual")
        enrollments = self._enroll(first, self.mario) | self._enroll(second, self.mario)
        dispatches = self._dispatch()
        self.assertEqual(len(dispatches), 2)
        self.assertEqual(sorted(dispatches.mapped("state")), ["deferred", "done"])
        deferred = dispatches.filtered(lambda d: d.state == "deferred")
        self.assertEqual(deferred.reason, "cap")
        self.assertEqual(deferred.next_try, datetime(2026, 12, 7, 9, 0))
        self.assertEqual(len(dispatches.mail_id), 1)
        self.assertEqual(len(enrollments), 2)

    def test_the_persons_own_frequency_narrows_the_cap(self):
        self.mario.followup_frequency = "monthly"
        first = self._sequence("First", [self._call_step("Call")], purpose="service")
        second = self._sequence("Second", [self._call_step("Call")], purpose="service")
        self._enroll(first, self.mario)
        self._dispatch()
        in_ten_days = datetime(2026, 12, 10, 9, 0)
        self._enroll(second, self.mario, in_ten_days)
        dispatch = self._dispatch(in_ten_days)
        self.assertEqual(dispatch.reason, "cap")
        # 30 days after the first contact: Wednesday 30 December, 10:00 in Rome.
        self.assertEqual(dispatch.next_try, datetime(2026, 12, 30, 9, 0))

    def test_send_window_edges_in_rome(self):
        """Local 08:59 and 19:00 wait; 09:00 and 18:59 go (Rome is UTC+1 in winter)."""
        cases = [
            (datetime(2026, 11, 30, 7, 59), "deferred", datetime(2026, 11, 30, 8, 0)),
            (datetime(2026, 11, 30, 8, 0), "done", False),
            (datetime(2026, 11, 30, 17, 59), "done", False),
            (datetime(2026, 11, 30, 18, 0), "deferred", datetime(2026, 12, 1, 8, 0)),
        ]
        for index, (moment, state, next_try) in enumerate(cases):
            with self.subTest(local=moment + timedelta(hours=1)):
                partner = self._create_customer(f"Edge {index}", f"edge{index}")
                sequence = self._sequence(
                    f"Edge {index}", [self._call_step("Call")], purpose="service"
                )
                enrollment = self._enroll(sequence, partner, moment)
                dispatch = self._dispatch_of(self._dispatch(moment), enrollment)
                self.assertRecordValues(
                    dispatch,
                    [
                        {
                            "state": state,
                            "reason": "quiet_hours" if state == "deferred" else False,
                            "next_try": next_try,
                        }
                    ],
                )

    def test_quiet_hours_note_says_the_local_time_and_the_window(self):
        sequence = self._sequence("Evening", [self._call_step("Call")], purpose="service")
        evening = datetime(2026, 11, 30, 19, 30)  # 20:30 in Rome
        self._enroll(sequence, self.mario, evening)
        dispatch = self._dispatch(evening)
        self.assertEqual(
            dispatch.note,
            "Deferred: it is 8:30 PM for Mario Rossi (Europe/Rome), outside the sending hours "
            "9:00 AM-7:00 PM; next try on Dec 1, 2026, 9:00 AM (Europe/Rome).",
        )

    def test_next_try_across_the_autumn_clock_change(self):
        """Friday 23 October 2026, 19:30 in Rome (CEST): the next allowed moment is
        Monday 26 October 09:00, CET by then (UTC+1): 08:00 UTC, not 07:00."""
        friday_evening = datetime(2026, 10, 23, 17, 30)
        sequence = self._sequence("Call", [self._call_step("Call")], purpose="service")
        self._enroll(sequence, self.mario, friday_evening)
        dispatch = self._dispatch(friday_evening)
        self.assertEqual(dispatch.reason, "quiet_hours")
        self.assertEqual(dispatch.next_try, datetime(2026, 10, 26, 8, 0))
        self.assertIn("next try on Oct 26, 2026, 9:00 AM (Europe/Rome)", dispatch.note)

    def test_delay_across_the_spring_clock_change_keeps_the_local_time(self):
        """Saturday 28 March 2026 10:00 CET + 1 day = Sunday 29 March 10:00 CEST (UTC+2)."""
        saturday = datetime(2026, 3, 28, 9, 0)
        sequence = self._sequence(
            "Tasks", [self._task_step("First"), self._task_step("Second", 1, "days")]
        )
        enrollment = self._enroll(sequence, self.mario, saturday)
        self._dispatch(saturday)
        self.assertEqual(enrollment.next_date, datetime(2026, 3, 29, 8, 0))

    def test_business_days_delay_skips_the_partners_weekend(self):
        """Thursday + 1 business day: Friday in Italy, Sunday in Saudi Arabia (where
        Friday and Saturday are the weekend)."""
        thursday = datetime(2026, 11, 26, 8, 0)
        sequence = self._sequence(
            "Tasks", [self._task_step("First"), self._task_step("Second", 1, "business_days")]
        )
        italian = self._enroll(sequence, self.mario, thursday)
        saudi = self._enroll(sequence, self.saad, thursday)
        self._dispatch(thursday)
        self.assertEqual(italian.next_date, datetime(2026, 11, 27, 8, 0))  # Fri 09:00 Rome
        self.assertEqual(saudi.next_date, datetime(2026, 11, 29, 8, 0))  # Sun 11:00 Riyadh

    def test_weekend_depends_on_the_partners_country(self):
        """Friday 27 November 2026, 08:00 UTC: 09:00 in Rome (a weekday), 11:00 in
        Riyadh (the weekend there is Friday and Saturday)."""
        friday = datetime(2026, 11, 27, 8, 0)
        sequence = self._service_email_sequence()
        italian = self._enroll(sequence, self.mario, friday)
        saudi = self._enroll(sequence, self.saad, friday)
        dispatches = self._dispatch(friday)
        self.assertEqual(self._dispatch_of(dispatches, italian).state, "done")
        saudi_dispatch = self._dispatch_of(dispatches, saudi)
        self.assertRecordValues(
            saudi_dispatch,
            [
                {
                    "state": "deferred",
                    "reason": "weekend",
                    # Sunday 29 November, 09:00 in Riyadh (UTC+3).
                    "next_try": datetime(2026, 11, 29, 6, 0),
                }
            ],
        )
        self.assertIn("weekend in Saudi Arabia", saudi_dispatch.note)

    def test_preferred_hours_defer_to_the_persons_hours(self):
        self.mario.write({"followup_hours_start": 17.0, "followup_hours_end": 18.0})
        sequence = self._sequence("Call", [self._call_step("Call")], purpose="service")
        self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(
            dispatch,
            [
                {
                    "state": "deferred",
                    "reason": "preferred_hours",
                    "next_try": datetime(2026, 11, 30, 16, 0),
                }
            ],
        )
        self.assertIn("prefers to be contacted between 5:00 PM and 6:00 PM", dispatch.note)

    # ------------------------------------------------------------------ priorities

    def test_service_goes_before_marketing_when_the_cap_allows_one(self):
        marketing = self._marketing_email_sequence()
        service = self._service_email_sequence()
        self.mario.followup_set_consent("email", "granted", "manual")
        # The marketing step has been due since Sunday, the service one since Monday.
        promo = self._enroll(marketing, self.mario, datetime(2026, 11, 29, 9, 0))
        care = self._enroll(service, self.mario)
        dispatches = self._dispatch()
        self.assertEqual(self._dispatch_of(dispatches, care).state, "done")
        self.assertRecordValues(
            self._dispatch_of(dispatches, promo), [{"state": "deferred", "reason": "cap"}]
        )

    def test_oldest_due_goes_first_within_a_purpose(self):
        older = self._marketing_email_sequence("Older")
        newer = self._marketing_email_sequence("Newer")
        self.mario.followup_set_consent("email", "granted", "manual")
        recent = self._enroll(newer, self.mario)
        old = self._enroll(older, self.mario, datetime(2026, 11, 29, 9, 0))
        dispatches = self._dispatch()
        self.assertEqual(self._dispatch_of(dispatches, old).state, "done")
        self.assertEqual(self._dispatch_of(dispatches, recent).state, "deferred")


@tagged("post_install", "-at_install")
class TestDispatchMail(FollowupDispatchCase, MockEmail):
    """E-mails go through Odoo's queue, on the document's thread, with the
    unsubscribe headers and the preference link, to the partner only."""

    def test_email_is_queued_on_the_thread_with_unsubscribe_headers(self):
        sequence = self._sequence(
            "Care", [self._email_step("Check-in", self.template_partner)], purpose="service"
        )
        with self.mock_mail_gateway():
            self._enroll(sequence, self.mario)
            dispatch = self._dispatch()
            self.assertFalse(self._mails, "the dispatch queues, it does not send")
        mail = dispatch.mail_id
        self.assertRecordValues(
            mail,
            [
                {
                    "state": "outgoing",
                    "model": "res.partner",
                    "res_id": self.mario.id,
                    "subject": "Help us help you, Mario Rossi",
                    "recipient_ids": self.mario.ids,
                    "message_type": "comment",
                }
            ],
        )
        self.assertEqual(dispatch.message_id, mail.mail_message_id)
        self.assertIn(dispatch.message_id, self.mario.message_ids)
        # Not stored with the queued e-mail: added when it leaves, as mass mailing does.
        self.assertNotIn("List-Unsubscribe", mail.headers or "")
        self.assertIn("/followup/preferences/", str(mail.body_html))
        self.assertEqual(
            dispatch.note,
            "Done: e-mail “Follow-up: help us help you (marketing)” queued for Mario Rossi "
            "<mario@example.com> on Mario Rossi.",
        )
        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().process_email_queue(ids=mail.ids)
        self.assertEqual(len(self._mails), 1)
        sent = self._mails[0]
        self.assertEqual(sent["email_to"], ['"Mario Rossi" <mario@example.com>'])
        self.assertEqual(sent["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertEqual(
            sent["headers"]["List-Unsubscribe"].split(", ")[0],
            f"<{self.mario._followup_unsubscribe_url()}>",
        )
