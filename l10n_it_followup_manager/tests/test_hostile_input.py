"""Hostile input (issue 27): what people type or send to the register's import and
export must neither break it nor make it lie."""

import hashlib

from odoo.tests import tagged

from .test_register import HEADER, RegisterCase


def _long_text(length=10_000):
    """Text that does not compress (a database index would compress a repeated letter
    under its size limit): hexadecimal digests, ``length`` characters."""
    chunks = (hashlib.sha256(str(i).encode()).hexdigest() for i in range(length // 64 + 1))
    return "".join(chunks)[:length]


@tagged("post_install", "-at_install")
class TestRegisterLongAddress(RegisterCase):
    def test_a_ten_thousand_character_address_in_the_answer_is_a_rejected_line(self):
        """Seen live: the import raised PostgreSQL's index size error, with a traceback."""
        wizard = self._import(
            HEADER + "phone;+390649910001;clear\n" + f"post;Via {_long_text()} 1, Roma;clear\n"
        )
        self.assertEqual((wizard.state, wizard.rejected_count), ("rejected", 1))
        self.assertIn("Line 3 rejected, address longer than 500 characters", wizard.report)
        self.assertLess(len(wizard.report), 1000, "the report does not repeat the whole line")
        self.assertFalse(self.env["followup.rpo.entry"].search([]), "nothing was imported")

    def test_a_ten_thousand_character_street_can_be_saved(self):
        """A customer may type anything in their street (the portal lets them): the
        address checked against the register is cut to a length the indexes take."""
        partner = self._italian("Lunga Via", "lunga", "+39 06 4991 0003", city="Roma")
        partner.with_user(self.user_salesman).write({"street": f"Via {_long_text()}"})
        partner.flush_recordset()
        self.assertEqual(len(partner.followup_rpo_address), 500)
        self.assertTrue(partner.followup_rpo_address.startswith("VIA "))
