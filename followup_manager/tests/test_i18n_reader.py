"""Every sentence in the reader's language: the why-log is composed when it is read (an
Italian and an English reader of the same decision each read their own sentence, dates
in their locale), and the notes the scheduled jobs write are in the language of the
salesperson who reads them, not in the job's empty context."""

import importlib.util
from datetime import datetime

from odoo.tests import tagged
from odoo.tools.misc import file_path

from odoo.addons.mail.tests.common import mail_new_test_user

from ..policy import vocabulary
from .common import FollowupDispatchCase

# The first word of each kind of English sentence: an Italian one must not start so.
_ENGLISH_STARTS = ("Allowed", "Deferred", "Done", "Failed", "Skipped", "Stopped", "Suppressed")


def _load_italian(env):
    env["res.lang"]._activate_lang("it_IT")
    env["ir.module.module"]._load_module_terms(["followup_manager"], ["it_IT"], overwrite=True)


@tagged("post_install", "-at_install")
class TestSentencesInTheReadersLanguage(FollowupDispatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_italian(cls.env)
        groups = (
            "base.group_partner_manager,followup_manager.followup_manager_group_user,"
            "base.group_allow_export"
        )
        cls.reader_it = mail_new_test_user(
            cls.env, login="fm_reader_it", groups=groups, lang="it_IT", tz="Europe/Rome"
        )
        cls.reader_en = mail_new_test_user(
            cls.env, login="fm_reader_en", groups=groups, lang="en_US", tz="Europe/London"
        )
        cls.Dispatch = cls.env["followup.dispatch"]

    def _quiet_hours_dispatch(self):
        """Monday 30 November 2026, 20:30 in Rome: a call waits for the morning."""
        sequence = self._sequence("Evening", [self._call_step("Call")])
        evening = datetime(2026, 11, 30, 19, 30)
        self._enroll(sequence, self.mario, evening)
        return self._dispatch(evening)

    def test_the_same_decision_reads_in_italian_and_in_english(self):
        dispatch = self._quiet_hours_dispatch()
        self.assertEqual(dispatch.note_code, "quiet_hours")
        self.assertEqual(dispatch.note_data["next_try"], "2026-12-01 08:00:00")
        self.assertEqual(
            dispatch.with_user(self.reader_it).note,
            "Rinviato: per Mario Rossi sono le 20:30 (Europe/Rome), fuori dalla fascia "
            "oraria di invio 09:00-19:00; prossimo tentativo il 1 dic 2026, 09:00 "
            "(Europe/Rome).",
        )
        # An English reader in London: English words, English dates, and their own
        # time beside the partner's.
        self.assertEqual(
            dispatch.with_user(self.reader_en).note,
            "Deferred: it is 8:30 PM for Mario Rossi (Europe/Rome), outside the sending "
            "hours 9:00 AM-7:00 PM; next try on Dec 1, 2026, 9:00 AM (Europe/Rome; "
            "Dec 1, 2026, 8:00 AM your time).",
        )
        # A language in the context wins over the user's (the web client sends it).
        self.assertTrue(
            dispatch.with_user(self.reader_en)
            .with_context(lang="it_IT")
            .note.startswith("Rinviato:")
        )

    def test_the_log_shows_and_exports_the_readers_sentence_and_searches_the_company_copy(self):
        dispatch = self._quiet_hours_dispatch()
        # The plain copy, in the company's language, is what full-text search finds.
        self.assertIn("outside the sending hours", dispatch.note_text)
        found = self.Dispatch.with_user(self.reader_it).search(
            [("note", "ilike", "outside the sending hours"), ("id", "=", dispatch.id)]
        )
        self.assertEqual(found, dispatch)
        exported = dispatch.with_user(self.reader_it).export_data(["note"])["datas"]
        self.assertTrue(exported[0][0].startswith("Rinviato: per Mario Rossi"))

    def test_a_row_written_before_the_details_keeps_its_sentence(self):
        """18.0.1.1.0 stored only the sentence: the migration renames the column, and
        the row shows its sentence as written, in every language."""
        dispatch = self._quiet_hours_dispatch()
        self.env.flush_all()
        old = "Deferred: it is 20:30 for Mario Rossi (Europe/Rome), as written in 2026."
        cr = self.env.cr
        # The table as 18.0.1.1.0 left it: the sentence in "note", no details.
        cr.execute("ALTER TABLE followup_dispatch RENAME COLUMN note_text TO note")
        cr.execute(
            "UPDATE followup_dispatch SET note = %s, note_code = NULL, note_data = NULL "
            "WHERE id = %s",
            (old, dispatch.id),
        )
        path = file_path("followup_manager/migrations/18.0.1.2.0/pre-migrate.py")
        spec = importlib.util.spec_from_file_location("followup_manager_pre_1_2", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(dispatch.with_user(self.reader_it).note, old)
        self.assertEqual(dispatch.note_text, old)
        self.assertEqual(self.Dispatch.search([("note", "=", old)]), dispatch)

    def test_a_sentence_written_as_such_is_kept(self):
        dispatch = self._quiet_hours_dispatch()
        dispatch.note = "Called her instead."
        self.assertEqual(dispatch.with_user(self.reader_it).note, "Called her instead.")
        self.assertFalse(dispatch.note_code)

    def test_every_reason_has_a_sentence_in_english_and_in_italian(self):
        details = {
            "partner": "Mario Rossi",
            "channel": "email",
            "purpose": "marketing",
            "tz": "Europe/Rome",
            "country": "IT",
            "country_name": "Italy",
            "next_try": "2026-12-01 08:00:00",
            "local_time": "2026-12-01 09:00",
            "now_local": "2026-11-30 20:30",
            "window_start": "09:00",
            "window_end": "19:00",
            "preferred_start": "17:00",
            "preferred_end": "18:00",
            "count": 1,
            "days": 7,
            "contacts": 2,
            "step": "Call",
            "what": "Call",
            "error": "boom",
        }
        english = self.Dispatch.with_context(lang="en_US", tz="Europe/Rome")
        italian = self.Dispatch.with_context(lang="it_IT", tz="Europe/Rome")
        for code in (*vocabulary.REASONS, "allowed"):
            with self.subTest(reason=code):
                vals = dict(details, reason=code)
                en, it = english._followup_note(code, vals), italian._followup_note(code, vals)
                for sentence in (en, it):
                    self.assertNotRegex(sentence, r"%\(|%s|\bFalse\b|\bNone\b")
                    if "_" in code:
                        self.assertNotIn(code, sentence)
                self.assertTrue(en.startswith(_ENGLISH_STARTS), en)
                self.assertFalse(it.startswith(_ENGLISH_STARTS), it)
                self.assertNotEqual(en, it)
        # The dates of a deferral in each locale's own format.
        self.assertIn("Dec 1, 2026, 9:00 AM", english._followup_note("cap", details))
        self.assertIn("1 dic 2026, 09:00", italian._followup_note("cap", details))

    def test_followup_check_answers_a_sentence_in_the_language_asked(self):
        partner = self.mario
        (plain,) = partner.followup_check("email")
        self.assertNotIn("sentence", plain)
        self.assertEqual(plain["reason"], "no_consent")
        (answer,) = partner.with_context(lang="it_IT").followup_check("email")
        self.assertEqual(answer["reason"], "no_consent")
        self.assertEqual(
            answer["sentence"],
            "Soppresso: Mario Rossi non ha acconsentito a ricevere comunicazioni di "
            "marketing tramite E-mail; questo passaggio è saltato.",
        )
        (answer,) = partner.with_context(lang="en_US").followup_check("none")
        self.assertTrue(answer["allowed"])
        self.assertEqual(
            answer["sentence"],
            "Allowed: Mario Rossi may be contacted by None (internal task) now.",
        )

    def test_italian_weekend_sentence_names_the_country_without_a_wrong_preposition(self):
        """ "in Stati Uniti" is wrong Italian (it is "negli Stati Uniti"): the sentence
        names the country in brackets, right for every country; the reader's own time
        reads "nella tua ora locale"."""
        nina = self._create_customer(
            "Nina Newyorker",
            "nina",
            country_id=self.env.ref("base.us").id,
            tz="America/New_York",
            mobile="+1 212 555 0101",
            phone="+1 212 555 0102",
        )
        # Base's Italian country names, without loading all of base's terms.
        self.env.ref("base.us").with_context(lang="it_IT").name = "Stati Uniti"
        sequence = self._sequence("Weekend", [self._call_step("Call")])
        saturday = datetime(2026, 12, 5, 15, 0)  # 10:00 in New York, 16:00 in Rome
        self._enroll(sequence, nina, saturday)
        dispatch = self._dispatch(saturday)
        self.assertEqual(dispatch.note_code, "weekend")
        note = dispatch.with_user(self.reader_it).note
        self.assertTrue(
            note.startswith("Rinviato: è fine settimana per Nina Newyorker (Stati Uniti);"),
            note,
        )
        self.assertNotIn("in Stati Uniti", note)
        self.assertTrue(note.endswith("nella tua ora locale)."), note)


@tagged("post_install", "-at_install")
class TestJobNotesInTheSalespersonsLanguage(FollowupDispatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_italian(cls.env)
        cls.company.write({"followup_inactive_days": 365})
        cls.salesman_it = mail_new_test_user(
            cls.env,
            login="fm_venditore",
            name="Vittorio Venditore",
            groups="base.group_partner_manager,followup_manager.followup_manager_group_user",
            lang="it_IT",
            tz="Europe/Rome",
        )
        cls.cliente = cls._create_customer("Chiara Cliente", "chiara", user_id=cls.salesman_it.id)

    def _last_note(self, record, *domain):
        return self.env["mail.message"].search(
            [("model", "=", record._name), ("res_id", "=", record.id), *domain],
            order="id desc",
            limit=1,
        )

    def test_a_stop_by_a_job_is_told_in_the_salespersons_language(self):
        sequence = self._sequence("Richiamo", [self._call_step("Call")])
        enrollment = self._enroll(sequence, self.cliente)
        enrollment._stop("manual")
        body = self._last_note(self.cliente).body
        self.assertIn("Sequenza di follow-up “Richiamo” interrotta per Chiara Cliente", body)
        # Someone acting reads their own language.
        enrollment_en = self._enroll(sequence, self.cliente)
        enrollment_en.with_context(lang="en_US")._stop("manual")
        self.assertIn("Follow-up sequence “Richiamo” stopped", self._last_note(self.cliente).body)

    def test_the_salespersons_activity_is_titled_in_their_language(self):
        sequence = self._sequence(
            "Richiamo",
            [self._call_step("Call", activity_summary="Call the customer back")],
        )
        step = sequence.step_ids
        step.with_context(lang="it_IT").activity_summary = "Richiama il cliente"
        self._enroll(sequence, self.cliente)
        dispatch = self._dispatch()
        self.assertEqual(dispatch.state, "done")
        self.assertEqual(dispatch.activity_id.user_id, self.salesman_it)
        self.assertEqual(dispatch.activity_id.summary, "Richiama il cliente")
        self.assertIn("Richiama il cliente", dispatch.with_user(self.salesman_it).note)
        self.assertTrue(dispatch.with_user(self.salesman_it).note.startswith("Completato:"))
