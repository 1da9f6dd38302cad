"""Shared fixtures of the add-on's Odoo tests."""

import re
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch
from urllib.parse import urlparse

from freezegun import freeze_time

from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user

#: The CSRF token of a page's form (the preference page, the unsubscribe page).
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def url_path(url):
    """The path of an absolute URL (the links the add-on mails), to open in a test."""
    return urlparse(url).path


class FollowupCase(TransactionCase):
    """Base class: a company with the default follow-up settings and the
    three kinds of users the add-on serves (salesperson, manager, auditor)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Keep tests fast and quiet: no tracking values or followers unless a
        # test asks for them.
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.user_salesman = mail_new_test_user(
            cls.env,
            login="fm_salesman",
            name="Sam Salesman",
            groups="base.group_partner_manager,followup_manager.followup_manager_group_user",
            tz="Europe/Rome",
        )
        cls.user_manager = mail_new_test_user(
            cls.env,
            login="fm_manager",
            name="Mia Manager",
            groups="base.group_partner_manager,followup_manager.followup_manager_group_manager",
            tz="Europe/Rome",
        )
        cls.user_auditor = mail_new_test_user(
            cls.env,
            login="fm_auditor",
            name="Ada Auditor",
            groups="base.group_user,followup_manager.followup_manager_group_auditor",
        )

    @contextmanager
    def _at(self, moment, stamp=None):
        """Run the block at ``moment`` (naive UTC) for Python and for the database: the
        transaction's timestamp (``create_date``, ``write_date``, the dispatch log the
        contact cap counts) is ``stamp``, by default ``moment`` too."""
        stamp = stamp or moment
        with freeze_time(moment), patch.object(self.env.cr, "now", lambda: stamp):
            yield

    def _count_queries(self, function, *args, **kwargs):
        """Call ``function``; return (its number of queries, its result).

        Counted as ``assertQueryCount`` counts: from cold caches, with the pending writes
        flushed before and after, Odoo's random bus clean-up kept out. For tests that
        compare two costs (the same for 10 records as for 50) rather than pin a number.
        """
        self.env.flush_all()
        self.env.invalidate_all()
        with patch("random.random", lambda: 1):
            before = self.env.cr.sql_log_count
            result = function(*args, **kwargs)
            self.env.flush_all()
        return self.env.cr.sql_log_count - before, result

    def _consent_events(self, partner):
        """The consent history of ``partner``, oldest first."""
        return self.env["followup.consent.event"].search(
            [("partner_id", "=", partner.id)], order="id"
        )


class FollowupSequenceCase(FollowupCase):
    """Sequences for each trigger and customers in two calendars (Italy:
    Saturday-Sunday weekend; Saudi Arabia: Friday-Saturday)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only the sequences of the test react to triggers (not the demo ones).
        cls.env["followup.sequence"].search([]).action_archive()
        cls.template_partner = cls.env.ref("followup_manager.mail_template_followup_partner_help")
        cls.activity_call = cls.env.ref("mail.mail_activity_data_call")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Carla Customer",
                "email": "carla@example.com",
                "country_id": cls.env.ref("base.it").id,
                "tz": "Europe/Rome",
            }
        )
        cls.customer_sa = cls.env["res.partner"].create(
            {
                "name": "Saad Customer",
                "email": "saad@example.com",
                "country_id": cls.env.ref("base.sa").id,
                "tz": "Asia/Riyadh",
            }
        )
        cls.sequence_manual = cls._create_sequence(
            "Nurture",
            "manual",
            [
                cls._call_step("Call", 3, "business_days"),
                cls._email_step("News", cls.template_partner, 1, "weeks"),
            ],
        )
        cls.sequence_inactive = cls._create_sequence(
            "Help us help you",
            "partner_inactive",
            [cls._email_step("Help us", cls.template_partner, 0, "days")],
        )

    @classmethod
    def _create_sequence(cls, name, trigger, steps, **values):
        return cls.env["followup.sequence"].create(
            {
                "name": name,
                "trigger": trigger,
                "step_ids": [
                    (0, 0, dict(step, sequence=index)) for index, step in enumerate(steps)
                ],
                **values,
            }
        )

    @classmethod
    def _call_step(cls, name, delay=0, unit="days", **values):
        return {
            "name": name,
            "delay": delay,
            "delay_unit": unit,
            "action": "activity",
            "channel": "phone",
            "activity_type_id": cls.activity_call.id,
            **values,
        }

    @classmethod
    def _email_step(cls, name, template, delay=0, unit="days", **values):
        return {
            "name": name,
            "delay": delay,
            "delay_unit": unit,
            "action": "email",
            "mail_template_id": template.id,
            **values,
        }

    def _enrollments(self, sequence, partner=None, origin=None):
        domain = [("sequence_id", "=", sequence.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        if origin:
            domain += [("origin_model", "=", origin._name), ("origin_id", "=", origin.id)]
        return self.env["followup.enrollment"].search(domain)


class ConsentCase(FollowupCase):
    """Three Italian contacts (e-mail and mobile), for the consent tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.italy = cls.env.ref("base.it")
        cls.anna, cls.bruno, cls.carla = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "email": f"{name.lower()}@example.com",
                    "mobile": mobile,
                    "country_id": cls.italy.id,
                    "tz": "Europe/Rome",
                }
                for name, mobile in (
                    ("Anna", "+39 347 123 4567"),
                    ("Bruno", "+39 347 765 4321"),
                    ("Carla", "+39 347 000 1111"),
                )
            ]
        )
        cls.partners = cls.anna | cls.bruno | cls.carla
        cls.Consent = cls.env["followup.consent"]
        cls.Event = cls.env["followup.consent.event"]

    def consent(self, partner, channel="email"):
        return self.Consent.search([("partner_id", "=", partner.id), ("channel", "=", channel)])

    def events(self, partners, channel="email"):
        return self.Event.search([("partner_id", "in", partners.ids), ("channel", "=", channel)])


class FollowupDispatchCase(FollowupSequenceCase):
    """The dispatch engine's world: salespeople in two time zones, customers in
    Italy and Saudi Arabia with usable addresses, and a clock the test controls
    (``_at``: freezes Python's clock and the transaction's, which stamps the
    dispatch log the contact cap counts)."""

    # Monday 30 November 2026, 10:00 in Rome (CET, UTC+1).
    MONDAY_10_ROME = datetime(2026, 11, 30, 9, 0)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = cls.env["followup.dispatcher"]
        cls.user_salesman_ny = mail_new_test_user(
            cls.env,
            login="fm_salesman_ny",
            name="Nina New York",
            groups="base.group_partner_manager,followup_manager.followup_manager_group_user",
            tz="America/New_York",
        )
        cls.italy = cls.env.ref("base.it")
        cls.mario = cls._create_customer("Mario Rossi", "mario")

    @classmethod
    def _create_customer(cls, name, login, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{login}@example.com",
                "mobile": "+39 347 123 4567",
                "phone": "+39 06 4991 0000",
                "country_id": cls.italy.id,
                "tz": "Europe/Rome",
                "user_id": cls.user_salesman.id,
                **values,
            }
        )

    def _enroll(self, sequence, partners, moment=None, **origin):
        with self._at(moment or self.MONDAY_10_ROME):
            ids = sequence.enroll(partners.ids, **origin)
        return self.env["followup.enrollment"].browse(ids)

    def _dispatch(self, moment=None, **kwargs):
        moment = moment or self.MONDAY_10_ROME
        with self._at(moment):
            return self.dispatcher._dispatch_due(now=moment, **kwargs)

    def _sequence(self, name, steps, **values):
        """A manual sequence (the partner is the followed-up document); service unless
        said otherwise, so that no consent is needed."""
        values.setdefault("purpose", "service")
        return self._create_sequence(name, "manual", steps, **values)

    @classmethod
    def _task_step(cls, name="Prepare the visit", delay=0, unit="days", **values):
        """An internal task: an activity on channel none (nobody is contacted)."""
        return cls._call_step(name, delay, unit, channel="none", **values)


class FollowupSecurityCase(FollowupDispatchCase):
    """Who may do what: besides the salesperson, manager and auditor, an employee
    without follow-up rights, a follow-up user who is not a salesperson, the
    administrator (not superuser), a portal user and the public user; a second
    company with its own sequence, customer and salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_employee = mail_new_test_user(
            cls.env, login="fm_employee", name="Emma Employee", groups="base.group_user"
        )
        cls.user_followup = mail_new_test_user(
            cls.env,
            login="fm_followup_user",
            name="Ugo User",
            groups="base.group_partner_manager,followup_manager.followup_manager_group_user",
        )
        cls.user_admin = cls.env.ref("base.user_admin")
        cls.user_portal = mail_new_test_user(
            cls.env, login="fm_portal", name="Paolo Portal", groups="base.group_portal"
        )
        cls.user_public = cls.env.ref("base.public_user")
        cls.company_b = cls.env["res.company"].create(
            {
                "name": "FM Company B",
                "email": "hello@company-b.example.com",
                "followup_cap_count": 1,
                "followup_cap_days": 7,
                "followup_window_start": 13.0,
                "followup_window_end": 14.0,
            }
        )
        cls.user_salesman_b = mail_new_test_user(
            cls.env,
            login="fm_salesman_b",
            name="Bea Company B",
            groups="base.group_partner_manager,followup_manager.followup_manager_group_user",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
            tz="Europe/Rome",
        )
        cls.customer_b = cls._create_customer(
            "Bianca Company B", "bianca", company_id=cls.company_b.id, user_id=False
        )
        cls.sequence_b = cls._create_sequence(
            "Company B nurture",
            "manual",
            [cls._call_step("Call B")],
            company_id=cls.company_b.id,
            purpose="service",
        )
