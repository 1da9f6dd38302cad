from datetime import datetime, timedelta

from odoo.tests import tagged

from .mail_gateway_common import FollowupGatewayCase


@tagged("post_install", "-at_install")
class TestFollowupReplies(FollowupGatewayCase):
    """Answers to a follow-up, routed by the gateway to the followed-up document
    through In-Reply-To: automatic replies stop nothing, people do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.care = cls._create_sequence(
            "Care",
            "manual",
            [
                cls._email_step("Check-in", cls.template_partner),
                cls._email_step("Second check-in", cls.template_partner, 1, "days"),
                cls._call_step("Call", 1, "days", channel="phone"),
            ],
            purpose="service",
            stop_on_reply=True,
        )

    def _start(self):
        self._enroll(self.care, self.mario)
        dispatch = self._dispatch()
        self.assertEqual(dispatch.state, "done")
        return dispatch

    def _posted(self, dispatch):
        """Messages the gateway posted on the followed-up document after ours."""
        return self.mario.message_ids.filtered(
            lambda m: m.message_type == "email" and m.id > dispatch.message_id.id
        )

    def test_automatic_replies_of_every_kind_stop_nothing(self):
        dispatch = self._start()
        enrollment = dispatch.enrollment_id
        for index, header in enumerate(
            (
                "Auto-Submitted: auto-replied\n",
                "X-Autoreply: yes\n",
                "X-Autorespond: yes\n",
                "Precedence: auto_reply\n",
            )
        ):
            with self.subTest(header=header):
                self._process(
                    self._reply(
                        dispatch,
                        "Thank you for your message. I will read it soon.",
                        subject="Re: your follow-up",
                        headers=header,
                        msg_id=f"auto-{index}",
                    )
                )
                self.assertEqual(enrollment.state, "active")
        self.assertEqual(len(self._posted(dispatch)), 4, "kept on the document's thread")

    def test_italian_out_of_office_with_a_return_date_waits_until_the_day_after(self):
        dispatch = self._start()
        enrollment = dispatch.enrollment_id
        self._process(
            self._reply(
                dispatch,
                "Buongiorno,\nsono fuori ufficio fino al 9 dicembre con accesso limitato "
                "alla posta.\nCordiali saluti",
                subject="Risposta automatica: Help us help you",
                headers="Auto-Submitted: auto-replied\n",
            )
        )
        self.assertEqual(enrollment.state, "active")
        # Back on 10 December, 00:00 in Rome. (Not the 7th: the 8th is a public
        # holiday in the company's calendar, which would move the next try too.)
        self.assertEqual(self.mario.followup_away_until, datetime(2026, 12, 9, 23, 0))
        self.assertEqual(str(self.mario.followup_away_return), "2026-12-09")
        deferred = self._dispatch(self.MONDAY_10_ROME + timedelta(days=1, hours=1))
        self.assertRecordValues(deferred, [{"state": "deferred", "reason": "away"}])
        self.assertEqual(
            deferred.note,
            "Deferred: Mario Rossi is away according to their automatic reply, until "
            "Dec 9, 2026; next try on Dec 10, 2026, 9:00 AM (Europe/Rome).",
        )
        self.assertEqual(deferred.next_try, datetime(2026, 12, 10, 8, 0))
        # Calls wait too: the person is away.
        self.mario.followup_set_consent("phone", "granted", "manual_phone")
        with self._at(self.MONDAY_10_ROME + timedelta(days=1)):
            check = self.mario.followup_check("phone")[0]
        self.assertEqual(
            (check["allowed"], check["reason"], check["next_allowed"]),
            (False, "away", "2026-12-10 08:00:00"),
        )

    def test_english_out_of_office_without_a_date_waits_the_companys_days(self):
        dispatch = self._start()
        self._process(
            self._reply(
                dispatch,
                "I am currently out of the office with limited access to e-mail.",
                subject="Automatic reply: Help us help you",
                headers="X-Autoreply: yes\n",
            )
        )
        self.assertEqual(dispatch.enrollment_id.state, "active")
        self.assertFalse(self.mario.followup_away_return)
        # Three days (the default), from the moment it arrived, in Rome.
        self.assertEqual(self.mario.followup_away_until, datetime(2026, 12, 2, 23, 0))
        deferred = self._dispatch(self.MONDAY_10_ROME + timedelta(days=1, hours=1))
        self.assertEqual(
            deferred.note,
            "Deferred: Mario Rossi is away according to their automatic reply, which gives "
            "no return date; next try on Dec 3, 2026, 9:00 AM (Europe/Rome).",
        )

    def test_out_of_office_told_by_an_encoded_subject_waits_until_the_day_after(self):
        dispatch = self._start()
        self._process(
            self._reply(
                dispatch,
                "Je lirai votre message à mon retour.",
                # "Réponse automatique : absent jusqu'au 14 décembre", as mail programs
                # write a non-ASCII subject (RFC 2047), and no header says it.
                subject="=?utf-8?q?R=C3=A9ponse_automatique_=3A_absent_jusqu=27au_14_d=C3=A9cembre?=",
            )
        )
        self.assertEqual(dispatch.enrollment_id.state, "active")
        self.assertFalse(self._stop_requests())
        self.assertEqual(str(self.mario.followup_away_return), "2026-12-14")
        deferred = self._dispatch(self.MONDAY_10_ROME + timedelta(days=1, hours=1))
        self.assertRecordValues(deferred, [{"state": "deferred", "reason": "away"}])
        self.assertEqual(deferred.next_try, datetime(2026, 12, 15, 8, 0))

    def test_an_automatic_reply_under_someone_elses_address_moves_nobody(self):
        dispatch = self._start()
        self._process(
            self._reply(
                dispatch,
                "I am out of the office until 7 December.",
                subject="Automatic reply: your follow-up",
                headers="Auto-Submitted: auto-replied\n",
                # A name that reads like Mario's address, outside quotes.
                email_from="mario@example.com <assistant@example.net>",
            )
        )
        self.assertFalse(self.mario.followup_away_until)
        self.assertEqual(dispatch.enrollment_id.state, "active")

    def test_an_automatic_reply_threaded_on_someone_elses_follow_up_moves_nobody(self):
        dispatch = self._start()
        eve = self._create_customer("Eve Stranger", "eve")
        self._enroll(self.care, eve)
        eves = self._dispatch().filtered(lambda d: d.partner_id == eve)
        # Eve answers her own follow-up "as Mario", with an automatic reply.
        self._process(
            self._reply(
                eves,
                "I am out of the office until 20 December.",
                subject="Automatic reply: your follow-up",
                headers="Auto-Submitted: auto-replied\n",
                email_from="Mario Rossi <mario@example.com>",
                msg_id="forged-auto",
            )
        )
        self.assertFalse(self.mario.followup_away_until)
        self.assertEqual(dispatch.enrollment_id.state, "active")
        # Mario's own mail program, answering his follow-up, does.
        self._process(
            self._reply(
                dispatch,
                "I am out of the office until 20 December.",
                subject="Automatic reply: your follow-up",
                headers="Auto-Submitted: auto-replied\n",
                msg_id="real-auto",
            )
        )
        self.assertTrue(self.mario.followup_away_until)

    def test_a_human_reply_stops_the_sequence(self):
        dispatch = self._start()
        self._process(self._reply(dispatch, "Thanks, all good. I'll call you on Monday."))
        self.assertEqual(len(self._posted(dispatch)), 1)
        self.assertRecordValues(
            dispatch.enrollment_id, [{"state": "stopped", "stop_reason": "replied"}]
        )
        self.assertFalse(self._stop_requests())

    def _stop_requests(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.mario.id),
                (
                    "summary",
                    "=",
                    "The customer may have asked not to be contacted: record their decision",
                ),
            ]
        )

    def test_please_stop_asks_the_salesperson_to_record_the_decision(self):
        self.mario.followup_set_consent("email", "granted", "manual_writing")
        dispatch = self._start()
        self._process(
            self._reply(
                dispatch,
                "Per favore non contattatemi più.\n\n"
                "Il giorno lun 30 nov 2026 alle 10:00 Sam Salesman ha scritto:\n"
                "> Help us help you",
            )
        )
        self.assertEqual(dispatch.enrollment_id.stop_reason, "replied")
        activity = self._stop_requests()
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertIn("Record a Decision", str(activity.note))
        self.assertIn("non contattatemi", str(activity.note))
        # Words are not a legal decision: the consent stands until someone records it.
        consent = self.env["followup.consent"].search(
            [("partner_id", "=", self.mario.id), ("channel", "=", "email")]
        )
        self.assertEqual(consent.state, "granted")

    def test_the_new_sentences_speak_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        dispatch = self.env["followup.dispatch"].with_context(lang="it_IT")
        when = {"local_time": "2026-12-08 09:00", "tz": "Europe/Rome"}
        self.assertEqual(
            dispatch._followup_note(
                "away", {"partner": "Mario Rossi", "away_return": "2026-12-07", **when}
            ),
            "Rinviato: Mario Rossi è assente secondo la sua risposta automatica, fino al "
            "7 dic 2026; prossimo tentativo il 8 dic 2026, 09:00 (Europe/Rome).",
        )
        self.assertEqual(
            dispatch._followup_note(
                "invalid_address",
                {
                    "partner": "Mario Rossi",
                    "bounced": True,
                    "bounce_date": "2026-11-30 09:05:00",
                    "bounce_info": "550 5.1.1 User unknown",
                },
            ),
            "Soppresso: l'indirizzo e-mail di Mario Rossi è stato respinto il 30 nov 2026, "
            "09:05 (UTC): 550 5.1.1 User unknown; questo passo viene saltato.",
        )
