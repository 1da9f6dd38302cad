from datetime import date, datetime, time, timedelta, timezone

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTourFirstHour(HttpCase):
    """A new sales manager's first hour with the core alone (contacts; no orders, no
    leads): enroll three contacts from the Contacts list, find them in My Follow-ups,
    pause one, snooze one and stop one; the sequence's form fits 1280×800."""

    # The smallest screen the add-on's forms are made for.
    browser_size = "1280x800"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = ["base.group_user", "followup_manager.followup_manager_group_manager"]
        # A sales manager where Sales' groups exist (the core does not need them).
        if cls.env.ref("sales_team.group_sale_manager", raise_if_not_found=False):
            groups.append("sales_team.group_sale_manager")
        cls.manager = new_test_user(
            cls.env,
            login="fm_first_hour",
            name="Hana First-Hour",
            groups=",".join(groups),
            email="hana@example.com",
        )
        call = cls.env.ref("mail.mail_activity_data_call")
        steps = [("Call about the quote", 0, "days"), ("Second call", 2, "business_days")]
        cls.sequence = cls.env["followup.sequence"].create(
            {
                "name": "First Hour Chase",
                "trigger": "manual",
                "purpose": "service",
                "step_ids": [
                    Command.create(
                        {
                            "sequence": index,
                            "name": name,
                            "delay": delay,
                            "delay_unit": unit,
                            "action": "activity",
                            "channel": "phone",
                            "activity_type_id": call.id,
                        }
                    )
                    for index, (name, delay, unit) in enumerate(steps)
                ],
            }
        )
        # No salesperson: enrolled by hand, they become the enrolling manager's.
        cls.anna, cls.bruno, cls.carla, cls.dario = cls.env["res.partner"].create(
            [
                {"name": f"First Hour {name}", "email": f"{name.lower()}@example.com"}
                for name in ("Anna", "Bruno", "Carla", "Dario")
            ]
        )

    def _contacts_url(self):
        action = self.env.ref("contacts.action_contacts", raise_if_not_found=False)
        xmlid = "contacts.action_contacts" if action else "base.action_partner_form"
        return f"/odoo/action-{xmlid}"

    def test_first_hour_enroll_find_pause_snooze_stop(self):
        # The date the tour types: in two days, 10:00 on the machine's clock (the
        # browser's time zone, where the web client reads and writes datetimes).
        until_local = datetime.combine(date.today() + timedelta(days=2), time(10))
        until = until_local.astimezone(timezone.utc).replace(tzinfo=None)

        self.start_tour(
            self._contacts_url(),
            "followup_first_hour_tour",
            login=self.manager.login,
            timeout=240,
        )

        enrollments = self.env["followup.enrollment"].search(
            [("sequence_id", "=", self.sequence.id)]
        )
        self.assertEqual(enrollments.partner_id, self.anna | self.bruno | self.carla)
        self.assertEqual(len(enrollments), 3)
        self.assertEqual(enrollments.mapped("user_id"), self.manager)
        by_partner = {enrollment.partner_id: enrollment for enrollment in enrollments}

        paused = by_partner[self.anna]
        self.assertEqual(paused.state, "paused")
        self.assertTrue(paused.date_paused)
        self.assertEqual(paused.next_step_id.name, "Call about the quote")

        snoozed = by_partner[self.bruno]
        self.assertEqual(snoozed.state, "active")
        self.assertEqual(snoozed.snoozed_until, until)
        self.assertEqual(snoozed.next_date, until)
        self.assertEqual(snoozed.snooze_reason, "Back from the trade fair")

        stopped = by_partner[self.carla]
        self.assertEqual(stopped.state, "stopped")
        self.assertEqual(stopped.stop_reason, "manual")
        self.assertEqual(stopped.stop_note, "Bought from a competitor")
        self.assertTrue(stopped.date_stop)
        self.assertFalse(stopped.next_date)
