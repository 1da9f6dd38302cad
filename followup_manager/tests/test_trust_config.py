"""A careless configuration: refused where it is saved, by running what will run, and
isolated where it runs, so that it never stops the business (issue 12, point 1)."""

import xmlrpc.client

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..models.followup_step import MAX_DELAY
from .common import FollowupSecurityCase, FollowupSequenceCase

# Valid Python, a valid domain for the ORM, refused by the database.
BAD_FILTER = "[('id', '=', 'abc')]"


@tagged("post_install", "-at_install")
class TestTrustConfigAtSave(FollowupSequenceCase):
    """What will run is run once when it is saved."""

    @mute_logger("odoo.sql_db")
    def test_filter_the_database_rejects_is_refused_at_save(self):
        with (
            self.assertRaisesRegex(ValidationError, "Who May Enter.*abc"),
            self.env.cr.savepoint(),
        ):
            self._create_sequence(
                "Broken", "manual", [self._call_step("Call")], partner_domain=BAD_FILTER
            )
        with self.assertRaisesRegex(ValidationError, "Who May Enter"), self.env.cr.savepoint():
            self.sequence_manual.partner_domain = BAD_FILTER
        # Nothing was saved, and a filter the database runs is accepted.
        self.assertEqual(self.sequence_manual.partner_domain, "[]")
        self.sequence_manual.partner_domain = "[('email', '!=', False)]"
        self.assertEqual(len(self.sequence_manual.enroll(self.customer.ids)), 1)

    def test_filter_that_is_not_a_list_or_not_python_is_refused_at_save(self):
        for domain in ("42", "[('id', '=',", "[('no_such_field', '=', 1)]"):
            with (
                self.subTest(domain=domain),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.sequence_manual.partner_domain = domain

    def test_delay_is_at_most_five_years_in_every_unit(self):
        step = self.sequence_manual.step_ids[0]
        for unit, maximum in MAX_DELAY.items():
            with self.subTest(unit=unit):
                step.write({"delay": maximum, "delay_unit": unit})
                with (
                    self.assertRaisesRegex(ValidationError, "at most five years"),
                    self.env.cr.savepoint(),
                ):
                    step.write({"delay": maximum + 1})
        # Changing the unit alone is checked too: 5 years of hours are not days.
        step.write({"delay": MAX_DELAY["hours"], "delay_unit": "hours"})
        with (
            self.assertRaisesRegex(ValidationError, "at most five years"),
            self.env.cr.savepoint(),
        ):
            step.delay_unit = "weeks"
        self.assertEqual(step.delay_unit, "hours")

    def test_huge_delay_is_refused_at_save_not_by_the_dispatch(self):
        with (
            self.assertRaisesRegex(ValidationError, "at most five years"),
            self.env.cr.savepoint(),
        ):
            self._create_sequence("Later", "manual", [self._call_step("Call", 10**8, "days")])
        # Beyond what the column holds: the same clear refusal, not a database error.
        for delay in (10**12, -(10**12)):
            with self.subTest(delay=delay), self.assertRaises(ValidationError):
                self.sequence_manual.step_ids[0].delay = delay
            with self.subTest(delay=delay), self.assertRaises(ValidationError):
                self._create_sequence("Later", "manual", [self._call_step("Call", delay)])

    def test_order_numbers_out_of_range_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "out of range"):
            self.sequence_manual.write({"sequence": 2**40})
        with self.assertRaisesRegex(ValidationError, "out of range"):
            self.sequence_manual.step_ids[0].write({"sequence": -(2**40)})
        with self.assertRaisesRegex(ValidationError, "out of range"):
            self._create_sequence("Far", "manual", [self._call_step("Call")], sequence=2**40)

    def test_activity_assigned_to_a_non_employee_is_refused(self):
        portal = self.env["res.users"].create(
            {
                "name": "Pia Portal",
                "login": "fm_trust_portal",
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        with self.assertRaisesRegex(ValidationError, "not an employee"), self.env.cr.savepoint():
            self.sequence_manual.step_ids[0].write(
                {"responsible_type": "fixed_user", "responsible_id": portal.id}
            )


@tagged("post_install", "-at_install")
class TestTrustConfigAtRun(FollowupSequenceCase):
    """A configuration that fails when it runs (saved before these checks existed, or
    failing for a reason no check foresaw) skips its own sequence, never the user's act
    nor the other sequences."""

    def _break(self, sequence, order=1):
        """Make the sequence fail at enrollment behind the checks' back (as data saved by
        an older version would) and put it first in line."""
        self.env.cr.execute(
            "UPDATE followup_sequence SET partner_domain = %s, sequence = %s WHERE id = %s",
            [BAD_FILTER, order, sequence.id],
        )
        sequence.invalidate_recordset()
        return sequence

    def _broken_copy(self, sequence):
        return self._break(sequence.sudo().copy({"name": f"Broken {sequence.name}"}))

    def _assert_logged(self, sequence, text="Partners could not be enrolled"):
        sequence = sequence.sudo()
        sequence.invalidate_recordset()
        self.assertIn(text, sequence.followup_error or "")
        self.assertIn(text, sequence.message_ids[:1].body)
        self.assertFalse(self._enrollments(sequence))

    @mute_logger("odoo.sql_db", "odoo.addons.followup_manager.models.followup_sequence")
    def test_inactivity_trigger_goes_through_a_broken_sequence(self):
        broken = self._broken_copy(self.sequence_inactive)
        self.customer._followup_enroll_inactive()
        self.assertEqual(self._enrollments(self.sequence_inactive).partner_id, self.customer)
        self._assert_logged(broken)


@tagged("post_install", "-at_install")
class TestTrustConfigRpc(FollowupSecurityCase, HttpCase):
    """Over XML-RPC, as the issue saw it: a refusal is an Odoo fault with its message."""

    def _execute(self, model, method, *args):
        return self.xmlrpc_object.execute_kw(
            get_db_name(),
            self.user_manager.id,
            self.user_manager.login,
            model,
            method,
            list(args),
        )

    @mute_logger("odoo.sql_db", "odoo.http")
    def test_bad_filter_and_huge_delay_are_refused_over_xml_rpc(self):
        sequence = self._create_sequence("Tiny", "manual", [self._task_step()], purpose="service")
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._execute(
                "followup.sequence", "write", sequence.ids, {"partner_domain": BAD_FILTER}
            )
        self.assertIn("Who May Enter", caught.exception.faultString)
        self.assertNotIn("psycopg2", caught.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._execute("followup.step", "write", sequence.step_ids.ids, {"delay": 10**8})
        self.assertIn("at most five years", caught.exception.faultString)
        # Still as it was, and still usable.
        self.assertEqual(sequence.partner_domain, "[]")
        self.assertEqual(sequence.step_ids.delay, 0)
        self._execute("followup.sequence", "write", sequence.ids, {"partner_domain": "[]"})
