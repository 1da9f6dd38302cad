"""Hostile input, third round (issue 27, items 11 to 17): what people type or send that
must neither break the add-on nor make it lie."""

import re
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import FollowupCase, FollowupDispatchCase

#: What differs between two answers of the same page: the session's CSRF token.
SESSION_RE = re.compile(r'csrf_token: "[^"]*"')


@tagged("post_install", "-at_install")
class TestHostileInput(FollowupDispatchCase):
    def _email_sequence(self, name="Care"):
        return self._sequence(
            name,
            [
                self._email_step("Check-in", self.template_partner),
                self._call_step("Call", 2, "days"),
            ],
            purpose="service",
        )

    def _rows(self, enrollment):
        return self.env["followup.dispatch"].search(
            [("enrollment_id", "=", enrollment.id)], order="id"
        )

    # ------------------------------------------------------------------ addresses

    def test_an_address_with_a_zero_width_space_is_invalid_and_never_sent(self):
        """Seen live: a customer's address with U+200B was taken as valid, and every
        send to it then failed at the mail server."""
        partner = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .create(
                {
                    "name": "Zeno Zero-Width",
                    "email": "ze\u200bno@example.com",
                    "country_id": self.italy.id,
                    "tz": "Europe/Rome",
                }
            )
        )
        self.assertFalse(partner.followup_email_valid)
        self.assertTrue(partner.followup_contact_issue)
        enrollment = self._enroll(self._email_sequence(), partner)
        self._dispatch()
        row = self._rows(enrollment)
        self.assertRecordValues(row, [{"state": "suppressed", "reason": "invalid_address"}])
        self.assertFalse(row.mail_id)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)]))

    def test_a_domain_and_its_punycode_form_are_one_address_for_the_blacklist(self):
        """Seen live: idn@xn--bcher-kva.example blacklisted, idn@bücher.example still
        mailed (and the other way round)."""
        for listed, used in (
            ("idn@xn--bcher-kva.example", "idn@bücher.example"),
            ("uni@bücher.example", "uni@XN--BCHER-KVA.example"),
        ):
            with self.subTest(listed=listed, used=used):
                partner = self._create_customer("Ida Idn", "ida", email=used)
                self.assertTrue(partner.followup_email_valid)
                # sudo: only administrators manage the blacklist; a mass mailing's
                # opt-out adds to it the same way.
                self.env["mail.blacklist"].sudo()._add(listed)
                with self._at(self.MONDAY_10_ROME):
                    answer = partner.with_user(self.user_salesman).followup_check("email")[0]
                self.assertEqual((answer["allowed"], answer["reason"]), (False, "blacklisted"))
                consent = partner.followup_consent_ids.filtered(lambda c: c.channel == "email")
                self.assertEqual(consent.state, "withdrawn", "the blacklist reads as withdrawn")
                enrollment = self._enroll(self._email_sequence(f"Care {used}"), partner)
                self._dispatch()
                row = self._rows(enrollment)
                self.assertRecordValues(row, [{"state": "suppressed", "reason": "blacklisted"}])

    # ------------------------------------------------------------------ lost history

    def test_the_contact_cap_counts_the_e_mails_of_a_deleted_enrollment(self):
        """Seen live: with a cap of one a week, deleting the enrollment after its e-mail
        and enrolling again sent a second e-mail the same day."""
        self.company.write({"followup_cap_count": 1, "followup_cap_days": 7})
        sequence = self._email_sequence()
        enrollment = self._enroll(sequence, self.mario)
        self._dispatch()
        sent = self._rows(enrollment)
        self.assertRecordValues(sent, [{"state": "done", "partner_id": self.mario.id}])
        self.assertTrue(sent.mail_id)
        with self._at(self.MONDAY_10_ROME + timedelta(hours=1)):
            enrollment.with_user(self.user_manager).unlink()
        self.assertTrue(sent.exists(), "the decision log outlives its enrollment")
        self.assertRecordValues(
            sent,
            [
                {
                    "enrollment_id": False,
                    "partner_id": self.mario.id,
                    "sequence_id": sequence.id,
                    "company_id": self.company.id,
                    "step_id": sequence.step_ids[0].id,
                    "state": "done",
                }
            ],
        )
        again = self._enroll(sequence, self.mario, self.MONDAY_10_ROME + timedelta(hours=2))
        self._dispatch(self.MONDAY_10_ROME + timedelta(hours=2))
        row = self._rows(again)
        self.assertRecordValues(row, [{"state": "deferred", "reason": "cap"}])
        self.assertFalse(row.mail_id, "no second e-mail that week")
        self.assertEqual(
            self.env["followup.dispatch"].search_count(
                [("partner_id", "=", self.mario.id), ("state", "=", "done")]
            ),
            1,
        )

    def test_the_log_outlives_its_enrollment_step_and_sequence_with_their_names(self):
        self.company.write({"followup_cap_count": 1, "followup_cap_days": 7})
        sequence = self._email_sequence("Old care")
        enrollment = self._enroll(sequence, self.mario)
        self._dispatch()
        sent = self._rows(enrollment)
        with self._at(self.MONDAY_10_ROME + timedelta(hours=1)):
            enrollment.with_user(self.user_manager).unlink()
            sequence.with_user(self.user_manager).unlink()
        self.assertRecordValues(
            sent,
            [
                {
                    "enrollment_id": False,
                    "sequence_id": False,
                    "step_id": False,
                    "sequence_name": "Old care",
                    "step_name": "Check-in",
                    "partner_id": self.mario.id,
                    "company_id": self.company.id,
                    "state": "done",
                }
            ],
        )
        self.assertIn(sent, self.env["followup.dispatch"].search([("step_name", "=", "Check-in")]))
        other = self._enroll(
            self._email_sequence("New care"), self.mario, self.MONDAY_10_ROME + timedelta(hours=2)
        )
        self._dispatch(self.MONDAY_10_ROME + timedelta(hours=2))
        self.assertRecordValues(self._rows(other), [{"state": "deferred", "reason": "cap"}])

    # ------------------------------------------------------------------ names in sentences

    def test_a_right_to_left_override_in_a_name_does_not_reverse_the_sentence(self):
        """Seen live: a contact named "Mario \u202eissoR" turned the rest of the log's
        sentence around."""
        partner = self._create_customer("Mario \u202eissoR", "rtl")
        enrollment = self._enroll(self._email_sequence(), partner)
        self._dispatch()
        row = self._rows(enrollment)
        self.assertEqual(row.state, "done")
        for text in (row.note, row.note_text):
            self.assertNotIn("\u202e", text)
            self.assertIn("Mario issoR <rtl@example.com>", text)
        self.env["mail.blacklist"].sudo()._add("rtl@example.com")
        with self._at(self.MONDAY_10_ROME + timedelta(days=8)):
            answer = partner.with_context(lang="en_US").followup_check("email")[0]
        self.assertEqual(answer["reason"], "blacklisted")
        self.assertNotIn("\u202e", answer["sentence"])
        self.assertIn("Mario issoR", answer["sentence"])


@tagged("post_install", "-at_install")
class TestRefusedLinks(FollowupCase, HttpCase):
    """A stranger trying ids with made-up tokens learns nothing: every refused link gets
    the same page with the same status, whether the contact exists, is archived or not."""

    def _answer(self, method, path):
        with mute_logger("odoo.http"):
            if method == "POST":
                response = self.url_open(path, data={"List-Unsubscribe": "One-Click"})
            else:
                response = self.url_open(path)
        return response.status_code, SESSION_RE.sub("", response.text)

    def test_a_wrong_token_gets_the_same_page_for_any_contact_id(self):
        partners = self.env["res.partner"].create(
            [
                {"name": "Paula Present", "email": "paula@example.com", "lang": "en_US"},
                {"name": "Arno Archived", "email": "arno@example.com", "active": False},
            ]
        )
        present, archived = partners
        present.with_user(self.user_salesman).followup_request_email_confirmation()
        missing_id = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([], order="id desc", limit=1)
            .id
            + 1000
        )
        wrong = "0123456789abcdef" * 4
        for route, method in (
            ("confirm", "GET"),
            ("preferences", "GET"),
            ("unsubscribe", "GET"),
            ("unsubscribe", "POST"),
        ):
            answers = {
                who: self._answer(method, f"/followup/{route}/{partner_id}/{wrong}")
                for who, partner_id in (
                    ("present", present.id),
                    ("archived", archived.id),
                    ("missing", missing_id),
                )
            }
            with self.subTest(route=route, method=method):
                self.assertEqual(answers["present"][0], 403)
                self.assertIn("This link is not valid", answers["present"][1])
                self.assertEqual(answers["present"], answers["archived"])
                self.assertEqual(answers["present"], answers["missing"])
        self.assertEqual(
            self._answer("GET", f"/followup/confirm/{present.id}/{wrong}"),
            self._answer("GET", f"/followup/preferences/{missing_id}/{wrong}"),
            "the same page for every kind of link",
        )


@tagged("post_install", "-at_install")
class TestStepDeleted(FollowupDispatchCase):
    """Seen live: deleting the step an enrollment waited for ended it "done" at the
    next dispatch, the rest of the sequence skipped and nothing saying why."""

    def _three_steps(self):
        return self._sequence(
            "Three",
            [
                self._task_step("First"),
                self._task_step("Second", 2, "days"),
                self._task_step("Third", 1, "days"),
            ],
        )

    def _notes(self, enrollment):
        return enrollment.message_ids.filtered(lambda m: m.message_type == "notification")

    def test_the_enrollment_goes_on_with_the_next_step(self):
        sequence = self._three_steps()
        first, second, third = sequence.step_ids
        enrollment = self._enroll(sequence, self.mario)
        self._dispatch()
        self.assertEqual(enrollment.next_step_id, second)
        due = enrollment.next_date
        with self._at(self.MONDAY_10_ROME + timedelta(hours=1)):
            sequence.with_user(self.user_manager).write({"step_ids": [(2, second.id)]})
        self.assertRecordValues(
            enrollment, [{"state": "active", "next_step_id": third.id, "next_date": due}]
        )
        self.assertIn("“Second”", self._notes(enrollment)[:1].body)
        self.assertIn("goes on with the next step, “Third”", self._notes(enrollment)[:1].body)
        self._dispatch(due)
        rows = self.env["followup.dispatch"].search([("enrollment_id", "=", enrollment.id)])
        self.assertEqual(rows.mapped("step_id"), third | first)
        self.assertEqual(set(rows.mapped("state")), {"done"})
        self.assertEqual(enrollment.state, "done")

    def test_deleting_the_last_step_ends_the_enrollment_and_says_so(self):
        sequence = self._three_steps()
        _first, second, third = sequence.step_ids
        enrollment = self._enroll(sequence, self.mario)
        self._dispatch()
        enrollment.action_pause()
        with self._at(self.MONDAY_10_ROME + timedelta(hours=1)):
            (second | third).with_user(self.user_manager).unlink()
        self.assertRecordValues(
            enrollment, [{"state": "done", "next_step_id": False, "next_date": False}]
        )
        self.assertIn("no step follows it: the follow-up ends here", enrollment.stop_note)
        self.assertIn("“Second”", self._notes(enrollment)[:1].body)

    def test_a_salesperson_cannot_delete_a_step(self):
        sequence = self._three_steps()
        enrollment = self._enroll(sequence, self.mario)
        with self.assertRaises(AccessError):
            sequence.step_ids[0].with_user(self.user_salesman).unlink()
        self.assertEqual(enrollment.next_step_id, sequence.step_ids[0])
