from datetime import datetime

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FollowupDispatchCase

# Monday 30 November 2026, 22:00 in Rome: outside the default window (9:00-19:00).
MONDAY_22_ROME = datetime(2026, 11, 30, 21, 0)
# Saturday 5 December 2026, 11:00 in Rome: the Italian weekend.
SATURDAY_11_ROME = datetime(2026, 12, 5, 10, 0)


@tagged("post_install", "-at_install")
class TestUrgentSteps(FollowupDispatchCase):
    """A complaint's follow-up goes through the cap and the send window, never through
    what the person said or what their data allows (issue 14, point 2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complaint = cls._sequence_of(
            "Complaint",
            [
                cls._email_step("We are on it", cls.template_partner, urgent=True),
                cls._call_step("Call", 2, "days"),
            ],
        )
        cls.routine = cls._sequence_of(
            "Routine", [cls._email_step("Check-in", cls.template_partner)]
        )

    @classmethod
    def _sequence_of(cls, name, steps):
        return cls._create_sequence(name, "manual", steps, purpose="service")

    def _contact_mario_today(self):
        self._enroll(self.routine, self.mario)
        self.assertEqual(self._dispatch().state, "done")

    def test_an_urgent_step_passes_the_cap_and_says_so(self):
        self._contact_mario_today()
        enrollment = self._enroll(self.complaint, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "done", "reason": False}])
        self.assertTrue(dispatch.mail_id)
        self.assertTrue(
            dispatch.note.startswith(
                "Urgent: sent outside the usual limits (Frequency cap reached). Done: e-mail"
            ),
            dispatch.note,
        )
        self.assertEqual(enrollment.next_step_id.name, "Call")

    def test_an_urgent_step_passes_the_send_window_and_the_weekend(self):
        for moment, limit in (
            (MONDAY_22_ROME, "Outside the send window"),
            (SATURDAY_11_ROME, "Weekend"),
        ):
            with self.subTest(limit=limit):
                partner = self._create_customer(f"Late {limit}", f"late{moment.day}")
                self._enroll(self.complaint, partner, moment)
                dispatch = self._dispatch(moment).filtered(lambda d, p=partner: d.partner_id == p)
                self.assertEqual(dispatch.state, "done")
                self.assertIn(f"({limit})", dispatch.note)
                # The routine step of the same moment waits for the window.
                self._enroll(self.routine, partner, moment)
                dispatch = self._dispatch(moment).filtered(lambda d, p=partner: d.partner_id == p)
                self.assertEqual(dispatch.state, "deferred")

    def test_an_urgent_step_inside_the_limits_reads_as_any_done_step(self):
        self._enroll(self.complaint, self.mario)
        dispatch = self._dispatch()
        self.assertEqual(dispatch.state, "done")
        self.assertTrue(dispatch.note.startswith("Done: e-mail"), dispatch.note)

    def test_an_urgent_contact_counts_in_the_cap_afterwards(self):
        self._enroll(self.complaint, self.mario)
        self._dispatch()
        self._enroll(self.routine, self.mario)
        dispatch = self._dispatch()
        self.assertRecordValues(dispatch, [{"state": "deferred", "reason": "cap"}])

    def test_an_urgent_step_never_passes_an_opt_out_or_a_bad_address(self):
        # A withdrawn e-mail consent also blacklists the address (the mirror): either
        # reason is the person's refusal.
        cases = [
            (
                ("withdrawn", "blacklisted"),
                lambda p: p.followup_set_consent("email", "withdrawn", "manual"),
            ),
            (("channel_refused",), lambda p: setattr(p, "followup_no_email", True)),
            (("blacklisted",), lambda p: self.env["mail.blacklist"]._add(p.email)),
            (("invalid_address",), lambda p: setattr(p, "email", "nobody-at-nowhere")),
        ]
        for index, (reasons, refuse) in enumerate(cases):
            with self.subTest(reason=reasons[0]):
                partner = self._create_customer(f"Refusing {index}", f"refusing{index}")
                refuse(partner)
                self._enroll(self.complaint, partner, MONDAY_22_ROME)
                dispatch = self._dispatch(MONDAY_22_ROME)
                self.assertEqual(dispatch.state, "suppressed")
                self.assertIn(dispatch.reason, reasons)
                self.assertFalse(dispatch.mail_id)

    def test_only_service_sequences_have_urgent_steps(self):
        with self.assertRaisesRegex(ValidationError, "urgent"), self.env.cr.savepoint():
            self._create_sequence(
                "Promo",
                "manual",
                [self._email_step("Offer", self.template_partner, urgent=True)],
                purpose="marketing",
            )
        with self.assertRaisesRegex(ValidationError, "urgent"), self.env.cr.savepoint():
            self.complaint.purpose = "marketing"
        self.assertEqual(self.complaint.purpose, "service")
