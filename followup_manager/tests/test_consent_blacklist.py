from urllib.parse import urlparse

from markupsafe import Markup

from odoo.tests import Form, HttpCase, tagged

from .common import ConsentCase


@tagged("post_install", "-at_install")
class TestConsentBlacklist(ConsentCase):
    """Consent and Odoo's own opt-out lists say the same thing, both ways."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.MailBlacklist = cls.env["mail.blacklist"].with_context(active_test=False)
        cls.PhoneBlacklist = cls.env["phone.blacklist"].with_context(active_test=False)

    def mail_entry(self, email):
        return self.MailBlacklist.search([("email", "=", email)])

    def phone_entry(self, number):
        return self.PhoneBlacklist.search([("number", "=", number)])

    # --- from consent to the blacklists

    def test_withdrawing_email_blacklists_the_address(self):
        self.anna.followup_set_consent("email", "withdrawn", "preference_page")
        entry = self.mail_entry("anna@example.com")
        self.assertTrue(entry.active)
        self.assertIn("Consent to e-mails withdrawn", entry.message_ids[0].body)
        self.assertTrue(self.anna.is_blacklisted)
        # Mirrored once: the blacklist did not answer with an event of its own.
        self.assertEqual(len(self.events(self.anna)), 1)

    def test_granting_email_takes_the_address_off_the_blacklist(self):
        self.anna.followup_set_consent("email", "withdrawn", "preference_page")
        self.anna.followup_set_consent("email", "granted", "double_opt_in")
        self.assertFalse(self.mail_entry("anna@example.com").active)
        self.assertFalse(self.anna.is_blacklisted)

    def test_address_stays_blacklisted_while_someone_using_it_withdrew(self):
        twin = self.env["res.partner"].create({"name": "Anna (shop)", "email": "Anna@Example.com"})
        twin.followup_set_consent("email", "withdrawn", "preference_page")
        self.anna.followup_set_consent("email", "granted", "manual")
        self.assertTrue(self.mail_entry("anna@example.com").active)

    def test_withdrawing_texts_blacklists_the_numbers(self):
        self.anna.phone = "+39 06 1234 5678"
        self.anna.followup_set_consent("sms", "withdrawn", "preference_page")
        self.assertTrue(self.phone_entry("+393471234567").active)
        self.assertTrue(self.phone_entry("+390612345678").active)
        self.assertEqual(len(self.events(self.anna, "sms")), 1)
        self.assertFalse(self.events(self.anna, "phone"))

    def test_granting_texts_takes_the_number_off_unless_calls_are_withdrawn(self):
        self.anna.followup_set_consent("sms", "withdrawn", "preference_page")
        self.anna.followup_set_consent("phone", "withdrawn", "preference_page")
        self.anna.followup_set_consent("sms", "granted", "preference_page")
        self.assertTrue(self.phone_entry("+393471234567").active)
        self.anna.followup_set_consent("phone", "granted", "preference_page")
        self.assertFalse(self.phone_entry("+393471234567").active)

    def test_pending_consent_leaves_the_blacklist_alone(self):
        self.anna.followup_set_consent("email", "withdrawn", "preference_page")
        self.anna.followup_set_consent("email", "pending", "double_opt_in_request")
        self.assertTrue(self.mail_entry("anna@example.com").active)

    # --- from the blacklists to consent

    def test_address_blacklisted_elsewhere_reads_as_withdrawn(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        self.env["mail.blacklist"].sudo()._add(
            "ANNA@example.com", message="Unsubscribed from the newsletter"
        )
        consent = self.consent(self.anna)
        self.assertEqual((consent.state, consent.source), ("withdrawn", "mail_blacklist"))
        event = self.events(self.anna)[0]
        self.assertIn("Unsubscribed from the newsletter", event.proof)
        self.assertEqual(event.origin, self.mail_entry("anna@example.com"))
        self.assertEqual(self.anna.followup_check("email")[0]["reason"], "blacklisted")

    def test_blacklisting_again_records_no_second_event(self):
        self.env["mail.blacklist"].sudo()._add("anna@example.com")
        self.env["mail.blacklist"].sudo()._add("anna@example.com")
        self.assertEqual(len(self.events(self.anna)), 1)

    def test_blacklist_import_withdraws_every_partner_of_each_address(self):
        twin = self.env["res.partner"].create(
            {"name": "Bruno (work)", "email": "bruno@example.com"}
        )
        self.env["mail.blacklist"].sudo().create(
            [{"email": "anna@example.com"}, {"email": "bruno@example.com"}]
        )
        withdrawn = self.Consent.search(
            [
                ("partner_id", "in", (self.partners | twin).ids),
                ("channel", "=", "email"),
                ("state", "=", "withdrawn"),
            ]
        )
        self.assertEqual(withdrawn.partner_id, self.anna | self.bruno | twin)

    def test_reactivated_blacklist_entry_reads_as_withdrawn(self):
        entry = (
            self.env["mail.blacklist"]
            .sudo()
            .create({"email": "carla@example.com", "active": False})
        )
        self.assertFalse(self.consent(self.carla))
        entry.action_unarchive()
        self.assertEqual(self.consent(self.carla).state, "withdrawn")

    def test_removing_from_the_blacklist_grants_nothing(self):
        self.env["mail.blacklist"].sudo()._add("anna@example.com")
        self.env["mail.blacklist"].sudo()._remove("anna@example.com")
        self.assertEqual(self.consent(self.anna).state, "withdrawn")
        self.assertEqual(len(self.events(self.anna)), 1)

    def test_number_blacklisted_elsewhere_withdraws_texts_calls_and_whatsapp(self):
        self.env["phone.blacklist"].sudo().add("+39 347 123 4567", message="STOP received")
        consents = self.Consent.search([("partner_id", "=", self.anna.id)])
        self.assertEqual(sorted(consents.mapped("channel")), ["phone", "sms", "whatsapp"])
        self.assertEqual(set(consents.mapped("state")), {"withdrawn"})
        self.assertIn("STOP received", self.events(self.anna, "sms").proof)
        self.assertEqual(self.anna.followup_check("sms")[0]["reason"], "blacklisted")
        self.assertFalse(self.Consent.search([("partner_id", "=", self.bruno.id)]))


@tagged("post_install", "-at_install")
class TestConsentOneDirection(ConsentCase, HttpCase):
    """One direction: each decision is one row of the history, whichever screen
    it was taken in, with where it came from; Odoo's blacklists follow the
    history, and what the history writes into them never comes back as a row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The blacklist screens are the administrator's (base.group_system).
        cls.admin = cls.env.ref("base.user_admin")
        cls.MailBlacklist = cls.env["mail.blacklist"].with_context(active_test=False)
        cls.PhoneBlacklist = cls.env["phone.blacklist"].with_context(active_test=False)

    def history(self, partners):
        return self.Event.search([("partner_id", "in", partners.ids)])

    def assertOneWithdrawal(self, partner, source, origin, channel="email"):
        rows = self.history(partner).filtered(lambda event: event.channel == channel)
        self.assertEqual(len(rows), 1, rows.mapped("source"))
        self.assertRecordValues(rows, [{"state": "withdrawn", "source": source}])
        self.assertEqual(rows.origin, origin)
        return rows

    def follow_notes(self, entry):
        """The notes the history logs on an entry it writes."""
        return entry.message_ids.filtered(lambda message: "consent history" in message.body)

    def test_blacklist_menu_add_then_archive(self):
        with Form(self.env["mail.blacklist"].with_user(self.admin)) as form:
            form.email = "Anna@Example.com"
        entry = form.record
        row = self.assertOneWithdrawal(self.anna, "mail_blacklist", entry)
        self.assertIn("anna@example.com was added to Odoo's e-mail blacklist", row.proof)
        self.assertEqual(row.user_id, self.admin)
        # The entry was there: the history did not write it again.
        self.assertFalse(self.follow_notes(entry))
        entry.with_user(self.admin).action_archive()
        self.assertFalse(entry.active)
        self.assertEqual(len(self.history(self.anna)), 1, "archiving grants nothing")
        self.assertEqual(self.consent(self.anna).state, "withdrawn")
        self.assertFalse(self.history(self.bruno | self.carla))

    def test_mass_mailing_unsubscribe_and_resubscribe(self):
        """As mass mailing's unsubscribe page calls them (sudo, a message)."""
        entry = (
            self.env["mail.blacklist"]
            .sudo()
            ._add("bruno@example.com", message=Markup("<p>%s</p>") % "Unsubscribed from News")
        )
        self.assertTrue(entry.active)
        row = self.assertOneWithdrawal(self.bruno, "mail_blacklist", entry)
        self.assertIn("Unsubscribed from News", row.proof)
        self.assertFalse(self.follow_notes(entry))
        self.env["mail.blacklist"].sudo()._add("bruno@example.com", message="Again")
        self.env["mail.blacklist"].sudo()._remove("bruno@example.com", message="Resubscribed")
        self.assertFalse(entry.active)
        self.assertEqual(len(self.history(self.bruno)), 1)
        self.assertEqual(self.consent(self.bruno).state, "withdrawn")

    def test_phone_blacklist_menu_and_its_remove_wizard(self):
        self.carla.phone = "+39 06 1234 9999"
        with Form(self.env["phone.blacklist"].with_user(self.admin)) as form:
            form.number = "+39 347 000 1111"
        entry = form.record
        for channel in ("sms", "phone", "whatsapp"):
            with self.subTest(channel=channel):
                self.assertOneWithdrawal(self.carla, "phone_blacklist", entry, channel)
        self.assertEqual(len(self.history(self.carla)), 3)
        self.assertFalse(self.follow_notes(entry))
        # Carla's other number follows her decision, written by the history.
        other = self.PhoneBlacklist.search([("number", "=", "+390612349999")])
        self.assertTrue(other.active)
        self.assertEqual(len(self.follow_notes(other)), 1)
        self.assertEqual(len(self.history(self.carla)), 3, "and came back as no row")
        self.env["phone.blacklist"].sudo()._remove([entry.number], message="Unblocked")
        self.assertFalse(entry.active)
        self.assertEqual(len(self.history(self.carla)), 3)
        # Carla says yes to texts again (calls and WhatsApp stay withdrawn, so both
        # numbers stay listed); the number entered again in the menu is one row more.
        self.carla.sudo().followup_set_consent("sms", "granted", "double_opt_in")
        self.assertTrue(other.active)
        self.env["phone.blacklist"].with_user(self.admin).create({"number": "+39 347 000 1111"})
        self.assertTrue(entry.active)
        self.assertEqual(len(self.history(self.carla)), 5)
        self.assertOneWithdrawal(self.carla, "phone_blacklist", entry, "whatsapp")
        self.assertEqual(self.consent(self.carla, "sms").state, "withdrawn")

    def test_our_own_unsubscribe_page(self):
        self.anna.followup_set_consent("email", "granted", "manual_phone")
        response = self.url_open(
            urlparse(self.anna._followup_unsubscribe_url()).path,
            data={"List-Unsubscribe": "One-Click"},
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        rows = self.history(self.anna)
        self.assertEqual(rows.mapped("source"), ["one_click_unsubscribe", "manual_phone"])
        self.assertFalse(rows[0].origin)
        # Written by the history, once, and not answered with a row of its own.
        entry = self.MailBlacklist.search([("email", "=", "anna@example.com")])
        self.assertTrue(entry.active)
        self.assertEqual(len(self.follow_notes(entry)), 1)
        # The person says yes again on our page: the history takes the address off.
        self.anna.sudo().followup_set_consent("email", "granted", "double_opt_in")
        self.assertFalse(entry.active)
        self.assertEqual(len(self.history(self.anna)), 3)
