from datetime import datetime

from lxml import html

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import ConsentCase

# A Wednesday, 11:00 in Rome: inside the default 9:00-19:00 window.
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 0)
# The same Wednesday, 22:00 in Rome: outside it.
WEDNESDAY_NIGHT = datetime(2026, 3, 4, 21, 0)


@tagged("post_install", "-at_install")
class TestContactNow(ConsentCase):
    """ "Why was this person not contacted?": the contact form answers, per channel,
    whether the add-on may contact the person now, why not and from when."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman.tz = "Europe/Rome"

    def rows(self, partner, user=None, moment=WEDNESDAY_MORNING):
        """{channel: [channel label, answer, why, from]} as the user reads the block
        on the contact form (the form's own read, in the user's language, clock frozen)."""
        user = user or self.user_salesman
        with self._at(moment):
            self.env.invalidate_all()
            form = Form(partner.with_user(user).with_context(lang=user.lang))
            table = html.fromstring(str(form.followup_contact_now_html))
        return {
            row.get("data-channel"): [" ".join(" ".join(cell.itertext()).split()) for cell in row]
            for row in table.iter("tr")
            if row.get("data-channel")
        }

    def test_salesperson_reads_why_a_withdrawn_and_blacklisted_person_is_not_contacted(self):
        self.anna.followup_set_consent("sms", "granted", "manual")
        self.anna.followup_set_consent("phone", "granted", "manual")
        self.anna.followup_set_consent("email", "withdrawn", "manual")
        self.env["phone.blacklist"]._add([self.anna.phone_sanitized])
        rows = self.rows(self.anna)
        self.assertEqual(list(rows), ["email", "sms", "phone"])
        email, sms, phone = rows["email"], rows["sms"], rows["phone"]
        self.assertEqual(email[:2], ["E-mail", "No"])
        # Withdrawing e-mail consent put the address on Odoo's opt-out list.
        self.assertTrue(email[2].startswith("Blacklisted "), email[2])
        self.assertIn("the E-mail address of Anna is on the opt-out list", email[2])
        self.assertEqual(email[3], "Not until this changes")
        for label, row in (("SMS", sms), ("Phone", phone)):
            with self.subTest(channel=label):
                self.assertEqual(row[:2], [label, "No"])
                self.assertTrue(row[2].startswith("Blacklisted "), row[2])
                self.assertEqual(row[3], "Not until this changes")
        # The same answers as over RPC: the block is followup_check in words.
        with self._at(WEDNESDAY_MORNING):
            codes = {
                channel: self.anna.followup_check(channel)[0]["reason"]
                for channel in ("email", "sms", "phone")
            }
        self.assertEqual(codes["sms"], "blacklisted")
        self.assertEqual(codes["phone"], "blacklisted")

    def test_a_granted_consent_reads_yes_by_day_and_later_at_night(self):
        self.anna.followup_set_consent("email", "granted", "manual")
        self.assertEqual(self.rows(self.anna)["email"][:2], ["E-mail", "Yes"])
        email = self.rows(self.anna, moment=WEDNESDAY_NIGHT)["email"]
        self.assertEqual(email[1], "Later")
        # From when: 9:00 the next morning in Rome, the salesperson's time zone too.
        self.assertIn("9:00", email[3])
        self.assertIn("Mar 5, 2026", email[3])
        self.assertIn("Mar 5, 2026", email[2])

    def test_a_person_without_any_consent_reads_no_consent(self):
        email = self.rows(self.bruno)["email"]
        self.assertEqual(email[1], "No")
        self.assertEqual(
            email[2],
            "No consent Suppressed: Bruno has not agreed to receive marketing by E-mail; "
            "this step is skipped.",
        )

    def test_the_block_is_in_the_readers_language(self):
        self.assertEqual(self.rows(self.anna)["email"][3], "Not until this changes")
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        self.user_salesman.lang = "it_IT"
        self.anna.followup_set_consent("email", "withdrawn", "manual")
        email = self.rows(self.anna)["email"]
        self.assertEqual(email[:2], ["E-mail", "No"])
        self.assertTrue(email[2].startswith("Nella lista nera Soppresso:"), email[2])
        self.assertEqual(email[3], "Non finché questo non cambia")

    def test_employees_without_follow_up_rights_do_not_see_it(self):
        employee = mail_new_test_user(self.env, login="fm_employee_cn", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.anna.with_user(employee).read(["followup_contact_now_html"])
