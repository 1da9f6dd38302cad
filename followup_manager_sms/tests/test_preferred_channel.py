from collections import Counter
from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import FollowupSmsCase

# Monday 30 November 2026, 22:00 in Rome: outside the default window (9:00-19:00).
MONDAY_22_ROME = datetime(2026, 11, 30, 21, 0)
MOBILE = "+393471234567"


@tagged("post_install", "-at_install")
class TestPreferredChannelSms(FollowupSmsCase):
    """A step that goes by the person's preferred channel, among them a text message:
    the preferred one when the policy allows it now, else the first allowed of the step's
    order, else the step waits or is suppressed; the log says which channel and why
    (issue 14, point 3)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mario.followup_preferred_channel = "sms"
        cls.hello = cls._sequence_of("Hello", [cls._preferred_step("Hello")])

    @classmethod
    def _sequence_of(cls, name, steps, **values):
        values.setdefault("purpose", "service")
        return cls._create_sequence(name, "manual", steps, **values)

    @classmethod
    def _preferred_step(cls, name, order="email_sms", delay=0, unit="days", **values):
        return {
            "name": name,
            "delay": delay,
            "delay_unit": unit,
            "channel_choice": "preferred",
            "channel_order": order,
            "mail_template_id": cls.template_partner.id,
            "sms_template_id": cls.sms_template_partner.id,
            "activity_type_id": cls.activity_call.id,
            **values,
        }

    def _dispatch_of(self, partner, moment=None):
        return self._dispatch(moment).filtered(lambda d: d.partner_id == partner)

    # ------------------------------------------------------------------ the choice

    def test_the_preferred_channel_is_used_when_it_is_allowed(self):
        self._enroll(self.hello, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "done", "channel": "sms", "mail_id": False}])
        self.assertEqual(dispatch.message_id.message_type, "sms")
        sms = self.env["sms.sms"].search([("number", "=", MOBILE)])
        self.assertIn("Hello Mario Rossi", sms.body)
        self.assertTrue(
            dispatch.note.startswith(
                "By SMS, the person's preferred channel. Done: text message “Follow-up: "
                "quick check” queued for Mario Rossi"
            ),
            dispatch.note,
        )

    def test_a_refused_preferred_channel_falls_back_to_the_next_in_order(self):
        # A withdrawn SMS consent also puts the number on the opt-out list (the
        # mirror): either reason is the person's refusal.
        cases = [
            ("blacklisted", lambda p: self.env["phone.blacklist"]._add([p.mobile])),
            ("invalid_address", lambda p: p.write({"mobile": False})),
            ("withdrawn", lambda p: p.followup_set_consent("sms", "withdrawn", "manual")),
            ("channel_refused", lambda p: p.write({"followup_no_sms": True})),
        ]
        labels = dict(
            self.env["followup.dispatch"]._fields["reason"]._description_selection(self.env)
        )
        for index, (reason, refuse) in enumerate(cases):
            with self.subTest(reason=reason):
                # Each with a number of their own: one blacklisted binds nobody else.
                partner = self._create_customer(
                    f"Refusing {index}",
                    f"refusing{index}",
                    followup_preferred_channel="sms",
                    mobile=f"+39 347 555 01{index:02d}",
                )
                refuse(partner)
                self._enroll(self.hello, partner)
                dispatch = self._dispatch_of(partner)
                self.assertRecordValues(dispatch, [{"state": "done", "channel": "email"}])
                self.assertTrue(dispatch.mail_id)
                said = dispatch.note.split(" Done: ")[0]
                self.assertIn(
                    said,
                    [
                        f"By E-mail: SMS, the person's preferred channel, is not allowed "
                        f"({labels[refused]})."
                        for refused in {reason, "blacklisted"}
                    ],
                )
                self.assertEqual(dispatch.note_data["choice"]["refused"][0][0], "sms")

    def test_a_call_is_the_preferred_channel_when_the_step_offers_it(self):
        self.mario.followup_preferred_channel = "phone"
        sequence = self._sequence_of("Call", [self._preferred_step("Call", "email_sms_phone")])
        self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "done", "channel": "phone"}])
        self.assertEqual(dispatch.activity_id.activity_type_id, self.activity_call)
        self.assertEqual(dispatch.activity_id.user_id, self.user_salesman)
        self.assertTrue(dispatch.note.startswith("By Phone, the person's preferred channel."))

    def test_the_steps_order_decides_without_a_preference_the_step_offers(self):
        for preferred, said in (
            (False, "(the person has no preferred channel)"),
            ("whatsapp", "the step does not offer WhatsApp, the person's preferred channel"),
        ):
            with self.subTest(preferred=preferred):
                partner = self._create_customer(
                    f"Order {preferred}",
                    f"order{preferred}",
                    followup_preferred_channel=preferred,
                )
                sequence = self._sequence_of(
                    f"Order {preferred}", [self._preferred_step("Hi", "sms_email")]
                )
                self._enroll(sequence, partner)
                dispatch = self._dispatch()
                self.assertRecordValues(dispatch, [{"state": "done", "channel": "sms"}])
                self.assertIn(said, dispatch.note)

    def test_none_allowed_waits_when_waiting_helps_on_another_channel(self):
        self.env["phone.blacklist"]._add([MOBILE])
        enrollment = self._enroll(self.hello, self.mario, MONDAY_22_ROME)
        dispatch = self._dispatch(MONDAY_22_ROME)
        # SMS is refused for good, e-mail only waits for the morning: the step waits.
        self.assertRecordValues(
            dispatch, [{"state": "deferred", "reason": "quiet_hours", "channel": "email"}]
        )
        self.assertTrue(
            dispatch.note.startswith(
                "None of the step's channels is allowed now: SMS (Blacklisted) and E-mail "
                "(Outside the send window). Deferred: it is"
            ),
            dispatch.note,
        )
        self.assertEqual(enrollment.next_date, datetime(2026, 12, 1, 8, 0))
        # The next morning the step goes by e-mail.
        dispatch = self._dispatch(datetime(2026, 12, 1, 8, 0))
        self.assertRecordValues(dispatch, [{"state": "done", "channel": "email"}])
        self.assertIn(
            "By E-mail: SMS, the person's preferred channel, is not allowed", dispatch.note
        )

    def test_none_allowed_for_good_is_suppressed_with_the_preferred_channels_reason(self):
        self.env["phone.blacklist"]._add([MOBILE])
        self.mario.followup_no_email = True
        enrollment = self._enroll(self.hello, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(
            dispatch, [{"state": "suppressed", "reason": "blacklisted", "channel": "sms"}]
        )
        self.assertEqual(
            dispatch.note,
            "None of the step's channels is allowed now: SMS (Blacklisted) and E-mail "
            "(Channel refused by the person). Suppressed: the SMS address of Mario Rossi is "
            "on the opt-out list; this step is skipped.",
        )
        self.assertEqual(enrollment.state, "done")

    def test_only_the_channel_used_counts_in_the_cap(self):
        self.mario.write({"mobile": False})
        routine = self._sequence_of(
            "Routine", [self._email_step("Check-in", self.template_partner)]
        )
        self._enroll(self.hello | routine, self.mario)
        dispatches = self._dispatch()
        self.assertEqual(
            sorted(dispatches.mapped(lambda d: (d.channel, d.state, d.reason or ""))),
            [("email", "deferred", "cap"), ("email", "done", "")],
        )
        self.assertIn("was already contacted once", dispatches.filtered("reason").note)
        later = self.MONDAY_10_ROME + timedelta(hours=1)
        facts = self.mario._followup_facts(now=later)[self.mario.id]
        self.assertEqual(len(facts.recent_contacts), 1)

    def test_a_step_sent_by_sms_leaves_the_email_limit_alone(self):
        self.company.followup_sender_daily_limit = 1
        anna = self._create_customer("Anna Bianchi", "anna")
        routine = self._sequence_of("Routine", [self._email_step("Hi", self.template_partner)])
        self._enroll(self.hello, self.mario)
        self._enroll(routine, anna)
        dispatches = self._dispatch()
        self.assertEqual(
            sorted(dispatches.mapped(lambda d: (d.channel, d.state))),
            [("email", "done"), ("sms", "done")],
        )

    # ------------------------------------------------------------------ around it

    def test_a_withdrawal_stops_the_follow_up_only_when_no_offered_channel_is_left(self):
        later = self._sequence_of("Later", [self._preferred_step("Later", delay=2)])
        enrollment = self._enroll(later, self.mario)
        self.mario.followup_set_consent("email", "withdrawn", "manual")
        self.assertEqual(enrollment.state, "active")
        self.mario.followup_set_consent("sms", "withdrawn", "manual")
        self.assertEqual(enrollment.state, "stopped")

    # ------------------------------------------------------------------ configuration

    def test_a_preferred_step_needs_each_channel_of_its_order(self):
        for order, missing, what in (
            ("email_sms", "sms_template_id", "an SMS template"),
            ("email_phone", "activity_type_id", "an activity type for the call"),
            ("sms_email", "mail_template_id", "an e-mail template"),
        ):
            with (
                self.subTest(order=order),
                self.assertRaisesRegex(ValidationError, what),
                self.env.cr.savepoint(),
            ):
                self._sequence_of(
                    "Broken", [self._preferred_step("Hi", order, **{missing: False})]
                )
        with self.assertRaisesRegex(ValidationError, "at least two"), self.env.cr.savepoint():
            self.hello.step_ids.sms_template_id = False
        # A step on a fixed channel still needs its action's template.
        with (
            self.assertRaisesRegex(ValidationError, "needs an e-mail template"),
            self.env.cr.savepoint(),
        ):
            self.hello.step_ids.write(
                {"channel_choice": "fixed", "action": "email", "mail_template_id": False}
            )

    def test_the_steps_list_asks_for_what_the_order_names(self):
        form = Form(self.hello)
        with form.step_ids.new() as line:
            line.name = "By preference"
            line.channel_choice = "preferred"
            line.channel_order = "sms_phone"
            line.sms_template_id = self.sms_template_partner
            line.activity_type_id = self.activity_call
        form.save()
        step = self.hello.step_ids[-1]
        self.assertEqual(step._followup_channels(), ("sms", "phone"))
        self.assertEqual(step._followup_action_for("phone"), "activity")
        with (
            self.assertRaisesRegex(AssertionError, "sms_template_id"),
            Form(self.hello) as form,
            form.step_ids.new() as line,
        ):
            line.name = "Incomplete"
            line.channel_choice = "preferred"
            line.channel_order = "email_sms"
            line.mail_template_id = self.template_partner


@tagged("post_install", "-at_install")
class TestPreferredChannelSmsForecast(FollowupSmsCase):
    """The forecast makes the dispatch's choice: the same channels, the same fallbacks,
    the same deferrals, day by day."""

    START = datetime(2026, 11, 27, 17, 30)  # Friday, 18:30 in Rome
    DAYS = 10

    def test_the_forecast_chooses_as_the_dispatch_then_does(self):
        customer = self._create_customer
        people = (
            customer("Sara Sms", "sara", followup_preferred_channel="sms")
            | customer("Elio Email", "elio", followup_preferred_channel="email")
            | customer("Nomo No-mobile", "nomo", followup_preferred_channel="sms", mobile=False)
            | customer("Pia No-preference", "pia")
            | customer("Wanda WhatsApp", "wanda", followup_preferred_channel="whatsapp")
            | customer(
                "Rino Refuses",
                "rino",
                followup_preferred_channel="sms",
                followup_no_email=True,
                mobile="+39 347 000 1111",
                phone=False,
            )
        )
        self.env["phone.blacklist"]._add(["+393470001111"])  # Rino's number
        step = {
            "channel_choice": "preferred",
            "channel_order": "email_sms",
            "mail_template_id": self.template_partner.id,
            "sms_template_id": self.sms_template_partner.id,
        }
        sequence = self._create_sequence(
            "Preferred",
            "manual",
            [
                dict(step, name="First", delay=0, delay_unit="days"),
                dict(step, name="Second", delay=1, delay_unit="days"),
            ],
            purpose="service",
            partner_domain=repr([("id", "in", people.ids)]),
        )
        self._enroll(sequence, people, self.START)
        with self._at(self.START):
            forecast = self.env["followup.forecast"]._followup_run(
                sequence, days=self.DAYS, now=self.START
            )
        expected = Counter()
        for line in forecast.line_ids:
            expected[line.date, line.step_id.id, line.channel, line.state, line.reason] += (
                line.count
            )
        actual = Counter()
        end = self.START + timedelta(days=self.DAYS)
        Enrollment = self.env["followup.enrollment"]
        while True:
            due = Enrollment.search([("state", "=", "active")], order="next_date", limit=1)
            if not due or due.next_date >= end:
                break
            moment = max(due.next_date, self.START)
            for dispatch in self._dispatch(moment):
                key = (
                    forecast._followup_day(moment),
                    dispatch.step_id.id,
                    dispatch.channel,
                    dispatch.state,
                    dispatch.reason,
                )
                actual[key] += 1
        self.assertEqual(expected, actual)
        outcomes = {(channel, state, reason) for _d, _s, channel, state, reason in expected}
        self.assertGreaterEqual(
            outcomes,
            {
                ("sms", "done", False),
                ("email", "done", False),
                ("email", "deferred", "cap"),
                ("sms", "suppressed", "blacklisted"),
            },
        )
