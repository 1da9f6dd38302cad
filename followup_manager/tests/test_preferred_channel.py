from collections import Counter
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import FollowupDispatchCase

MOBILE = "+393471234567"


@tagged("post_install", "-at_install")
class TestPreferredChannel(FollowupDispatchCase):
    """A step that goes by the person's preferred channel: the preferred one when the
    policy allows it now, else the first allowed of the step's order, else the step waits
    or is suppressed; the log says which channel and why (issue 14, point 3). Here an
    e-mail and a call; with a text message: followup_manager_sms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mario.followup_preferred_channel = "phone"
        cls.hello = cls._sequence_of("Hello", [cls._preferred_step("Hello")])

    @classmethod
    def _sequence_of(cls, name, steps, **values):
        values.setdefault("purpose", "service")
        return cls._create_sequence(name, "manual", steps, **values)

    @classmethod
    def _preferred_step(cls, name, order="email_phone", delay=0, unit="days", **values):
        return {
            "name": name,
            "delay": delay,
            "delay_unit": unit,
            "channel_choice": "preferred",
            "channel_order": order,
            "mail_template_id": cls.template_partner.id,
            "activity_type_id": cls.activity_call.id,
            **values,
        }

    def _dispatch_of(self, partner, moment=None):
        return self._dispatch(moment).filtered(lambda d: d.partner_id == partner)

    # ------------------------------------------------------------------ the choice

    def test_a_call_is_the_preferred_channel_when_the_step_offers_it(self):
        self._enroll(self.hello, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "done", "channel": "phone"}])
        self.assertEqual(dispatch.activity_id.activity_type_id, self.activity_call)
        self.assertEqual(dispatch.activity_id.user_id, self.user_salesman)
        self.assertTrue(dispatch.note.startswith("By Phone, the person's preferred channel."))

    def test_a_refused_preferred_channel_falls_back_to_the_next_in_order(self):
        self.mario.followup_no_phone = True
        self._enroll(self.hello, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "done", "channel": "email"}])
        self.assertTrue(dispatch.mail_id)
        self.assertTrue(
            dispatch.note.startswith(
                "By E-mail: Phone, the person's preferred channel, is not allowed "
                "(Channel refused by the person)."
            ),
            dispatch.note,
        )
        self.assertEqual(dispatch.note_data["choice"]["refused"][0][0], "phone")

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
                    f"Order {preferred}", [self._preferred_step("Hi", "phone_email")]
                )
                self._enroll(sequence, partner)
                dispatch = self._dispatch()
                self.assertRecordValues(dispatch, [{"state": "done", "channel": "phone"}])
                self.assertIn(said, dispatch.note)

    def test_only_the_channel_used_counts_in_the_cap(self):
        self.mario.followup_no_phone = True
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

    def test_a_step_sent_by_email_counts_in_the_senders_email_limit(self):
        self.company.followup_sender_daily_limit = 1
        self.mario.followup_preferred_channel = "email"
        self._enroll(self.hello, self.mario)
        self.assertEqual(self._dispatch().channel, "email")
        anna = self._create_customer("Anna Bianchi", "anna")
        routine = self._sequence_of("Routine", [self._email_step("Hi", self.template_partner)])
        moment = self.MONDAY_10_ROME + timedelta(hours=1)
        self._enroll(routine, anna, moment)
        self.assertRecordValues(
            self._dispatch(moment), [{"state": "deferred", "reason": "user_limit"}]
        )

    # ------------------------------------------------------------------ around it

    def test_a_withdrawal_stops_the_follow_up_only_when_no_offered_channel_is_left(self):
        later = self._sequence_of("Later", [self._preferred_step("Later", delay=2)])
        enrollment = self._enroll(later, self.mario)
        self.mario.followup_set_consent("email", "withdrawn", "manual")
        self.assertEqual(enrollment.state, "active")
        self.mario.followup_set_consent("phone", "withdrawn", "manual")
        self.assertEqual(enrollment.state, "stopped")

    # ------------------------------------------------------------------ configuration

    def test_a_preferred_step_needs_each_channel_of_its_order(self):
        for order, missing, what in (
            ("email_phone", "activity_type_id", "an activity type for the call"),
            ("phone_email", "mail_template_id", "an e-mail template"),
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
            self.hello.step_ids.activity_type_id = False
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
            line.channel_order = "phone_email"
            line.mail_template_id = self.template_partner
            line.activity_type_id = self.activity_call
        form.save()
        step = self.hello.step_ids[-1]
        self.assertEqual(step._followup_channels(), ("phone", "email"))
        self.assertEqual(step._followup_action_for("phone"), "activity")
        self.assertEqual(step._followup_action_for("email"), "email")
        with (
            self.assertRaisesRegex(AssertionError, "mail_template_id"),
            Form(self.hello) as form,
            form.step_ids.new() as line,
        ):
            line.name = "Incomplete"
            line.channel_choice = "preferred"
            line.channel_order = "phone_email"
            line.activity_type_id = self.activity_call

    # ------------------------------------------------------------------ cost

    def _batch_queries(self, count, prefix):
        """Queries of the run that does a preferred-channel step for ``count`` people
        whose preferences lead to e-mails and calls (by preference, by the step's order,
        by fallback), in the same proportions."""
        people = self.env["res.partner"].create(
            [
                {
                    "name": f"{prefix} {index}",
                    "email": f"{prefix.lower()}{index}@example.com",
                    "mobile": MOBILE,
                    "country_id": self.italy.id,
                    "tz": "Europe/Rome",
                    "user_id": self.user_salesman.id,
                    "followup_preferred_channel": ("phone", "email", "sms", "email")[index % 4],
                    # The last kind prefers e-mail but refused it: the call goes.
                    "followup_no_email": index % 4 == 3,
                }
                for index in range(count)
            ]
        )
        sequence = self._sequence_of(
            f"Batch {prefix}", [self._preferred_step("Hi", "email_phone")]
        )
        self._enroll(sequence, people)
        with self._at(self.MONDAY_10_ROME):
            queries, dispatches = self._count_queries(
                self.dispatcher._dispatch_due, now=self.MONDAY_10_ROME
            )
        self.assertEqual(len(dispatches), count)
        self.assertEqual(set(dispatches.mapped("state")), {"done"})
        self.assertEqual(Counter(dispatches.mapped("channel"))["phone"], count // 2)
        return queries

    def test_a_batch_of_choices_costs_the_same_queries_for_12_and_48_steps(self):
        self._batch_queries(4, "Warm")  # fills Odoo's caches
        self.assertEqual(self._batch_queries(12, "Twelve"), self._batch_queries(48, "Many"))
