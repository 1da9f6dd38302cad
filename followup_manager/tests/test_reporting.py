from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged, users

from .common import FollowupDispatchCase


class ReportingCase(FollowupDispatchCase):
    """Four customers in a two-step e-mail sequence: the first step on Monday, the
    second on Wednesday, then replies, an order and opt-outs at chosen moments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.followup_cap_count = 0  # no cap: both steps are done on time
        cls.t0 = cls.MONDAY_10_ROME
        cls.anna, cls.bruno, cls.carlo, cls.dora = (
            cls._create_customer(name, name.lower()) for name in ("Anna", "Bruno", "Carlo", "Dora")
        )
        cls.customers = cls.anna | cls.bruno | cls.carlo | cls.dora
        cls.sequence = cls._create_sequence(
            "Care",
            "manual",
            [
                cls._email_step("Hello", cls.template_partner),
                cls._email_step("Again", cls.template_partner, 2, "days"),
            ],
            purpose="service",
            stop_on_reply=False,
            partner_domain=repr([("id", "in", cls.customers.ids)]),
        )
        cls.hello, cls.again = cls.sequence.step_ids

    def _post_reply(self, partner, moment, record=None):
        with self._at(moment):
            (record or partner).message_post(
                body="Thanks, all good", author_id=partner.id, message_type="comment"
            )

    def _run_both_steps(self):
        self._enroll(self.sequence, self.customers, self.t0)
        first = self._dispatch(self.t0)
        second = self._dispatch(self.t0 + timedelta(days=2))
        return first, second

    def _queries(self, function):
        return self._count_queries(function)[0]


@tagged("post_install", "-at_install")
class TestDispatchReport(ReportingCase):
    """Dispatch analysis: pivot and graph of the "why" log, with their dimensions."""

    def test_dispatch_analysis_graph_and_pivot_load_with_data(self):
        self.env["mail.blacklist"]._add(self.dora.email)
        self._run_both_steps()
        manager = self.env(user=self.user_manager)
        action = manager["ir.actions.act_window"]._for_xml_id(
            "followup_manager.followup_dispatch_report_action"
        )
        self.assertEqual(action["view_mode"].split(",")[:2], ["graph", "pivot"])
        Dispatch = manager["followup.dispatch"]
        views = Dispatch.get_views(
            [(view_id, mode) for view_id, mode in action["views"]]
            + [(action["search_view_id"][0], "search")]
        )["views"]
        self.assertIn('interval="week"', views["graph"]["arch"])
        self.assertIn('name="sequence_id"', views["pivot"]["arch"])
        for group_by in ("groupby_week", "groupby_user", "groupby_step", "groupby_reason"):
            self.assertIn(f'name="{group_by}"', views["search"]["arch"])

        domain = [("sequence_id", "=", self.sequence.id)]
        by_state = {
            group["state"]: group["state_count"]
            for group in Dispatch.read_group(domain, ["state"], ["state"])
        }
        self.assertEqual(by_state, {"done": 6, "suppressed": 2})
        by_reason = {
            group["reason"]: group["reason_count"]
            for group in Dispatch.read_group(domain, ["reason"], ["reason"])
        }
        self.assertEqual(by_reason, {False: 6, "blacklisted": 2})
        for group_by in ("channel", "sequence_id", "user_id", "step_id", "create_date:week"):
            groups = Dispatch.web_read_group(domain, ["__count"], [group_by], lazy=False)["groups"]
            self.assertEqual(sum(group["__count"] for group in groups), 8, group_by)
        (week,) = Dispatch.read_group(domain, ["__count"], ["create_date:week"], lazy=False)
        self.assertEqual(week["__count"], 8)
        (salesperson,) = Dispatch.read_group(domain, ["__count"], ["user_id"], lazy=False)
        self.assertEqual(salesperson["user_id"][0], self.user_salesman.id)

    @users("fm_manager")
    def test_forecast_graph_and_pivot_load_with_data(self):
        self._enroll(self.sequence, self.customers, self.t0)
        with self._at(self.t0):
            forecast = self.env["followup.forecast"]._followup_run(self.sequence, now=self.t0)
        action = forecast.action_view_lines()
        Line = self.env["followup.forecast.line"]
        views = Line.get_views(
            [(False, "graph"), (False, "pivot"), (False, "list"), (False, "search")]
        )["views"]
        self.assertIn('name="date"', views["graph"]["arch"])
        self.assertIn('name="step_id"', views["pivot"]["arch"])
        by_day = Line.read_group(
            action["domain"], ["count:sum"], ["date:day", "state"], lazy=False
        )
        self.assertEqual(
            {(group["date:day"], group["state"]): group["count"] for group in by_day},
            {("30 Nov 2026", "done"): 4, ("02 Dec 2026", "done"): 4},
        )
        fields = Line.fields_get(["state", "reason", "channel"])
        self.assertIn(("deferred", "Deferred"), fields["state"]["selection"])
        self.assertIn(("cap", "Frequency cap reached"), fields["reason"]["selection"])


@tagged("post_install", "-at_install")
class TestWhyNotContacted(ReportingCase):
    """The partner form says what was decided about the person, most recent first."""

    def test_partner_form_lists_the_last_decisions_most_recent_first(self):
        self.env["mail.blacklist"]._add(self.dora.email)
        self._run_both_steps()
        self.assertEqual(
            self.anna.followup_last_dispatch_ids.mapped("step_id"), self.again | self.hello
        )
        decisions = self.dora.followup_last_dispatch_ids
        self.assertEqual(decisions.mapped("state"), ["suppressed", "suppressed"])
        self.assertEqual(decisions.mapped("reason"), ["blacklisted", "blacklisted"])
        self.assertIn("Dora", decisions[0].note)
        with patch.object(type(self.anna), "_FOLLOWUP_LAST_DECISIONS", 1):
            self.anna.invalidate_recordset(["followup_last_dispatch_ids"])
            self.assertEqual(self.anna.followup_last_dispatch_ids.step_id, self.again)

    def test_deferred_decision_shows_the_next_try(self):
        saturday = self.t0 - timedelta(days=2)
        self._enroll(self.sequence, self.anna, saturday)
        self._dispatch(saturday)
        (decision,) = self.anna.followup_last_dispatch_ids
        self.assertEqual((decision.state, decision.reason), ("deferred", "weekend"))
        self.assertEqual(decision.next_try, self.t0.replace(hour=8))  # Monday 09:00 Rome

    def test_decisions_of_many_partners_are_read_in_one_query(self):
        self._run_both_steps()
        one = self._queries(lambda: self.anna.followup_last_dispatch_ids)
        four = self._queries(lambda: self.customers.mapped("followup_last_dispatch_ids"))
        self.assertEqual(one, four)

    @users("fm_salesman")
    def test_salesperson_sees_the_decisions_page_of_the_partner_form(self):
        arch = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="followup_decisions"', arch)
        self.assertIn('name="followup_last_dispatch_ids"', arch)
        action = self.anna.with_env(self.env).action_followup_view_decisions()
        self.assertEqual(action["domain"], [("partner_id", "=", self.anna.id)])


@tagged("post_install", "-at_install")
class TestSequencePerformance(ReportingCase):
    """Reply rate, orders after enrollment and opt-outs caused per step."""

    def test_replies_count_for_the_step_just_before_them(self):
        self._post_reply(self.bruno, self.t0 - timedelta(hours=1))  # before any step
        self._enroll(self.sequence, self.customers, self.t0)
        self._dispatch(self.t0)
        self._post_reply(self.anna, self.t0 + timedelta(hours=1))
        self._dispatch(self.t0 + timedelta(days=2))
        self._post_reply(self.carlo, self.t0 + timedelta(days=2, hours=1))
        # A message by someone else on the thread is no reply.
        with self._at(self.t0 + timedelta(days=2, hours=2)):
            self.dora.message_post(body="Internal remark", message_type="comment")
        self.assertRecordValues(
            self.hello | self.again,
            [
                {"done_count": 4, "replied_count": 1, "reply_rate": 0.25},
                {"done_count": 4, "replied_count": 1, "reply_rate": 0.25},
            ],
        )
        self.assertRecordValues(
            self.sequence, [{"contacted_count": 4, "replied_count": 2, "reply_rate": 0.5}]
        )

    def test_optouts_are_blamed_on_the_last_step_within_the_window(self):
        self._run_both_steps()
        with self._at(self.t0 + timedelta(hours=3)):
            self.anna.followup_set_consent("email", "withdrawn", "manual")  # after "Hello"
        with self._at(self.t0 + timedelta(days=2, hours=3)):
            # After "Again": one opt-out, whatever the number of channels withdrawn.
            self.carlo.followup_set_consent("email", "withdrawn", "manual")
            self.carlo.followup_set_consent("sms", "withdrawn", "manual")
        with self._at(self.t0 + timedelta(days=20)):
            self.bruno.followup_set_consent("email", "withdrawn", "manual")  # too late
        with self._at(self.t0 + timedelta(days=3)):
            self.dora.followup_set_consent("email", "granted", "manual")  # not an opt-out
        self.assertRecordValues(
            self.hello | self.again,
            [
                {"optout_count": 1, "optout_rate": 0.25},
                {"optout_count": 1, "optout_rate": 0.25},
            ],
        )
        self.assertEqual(self.sequence.optout_count, 2)
        self.env["ir.config_parameter"].set_param("followup_manager.optout_window_days", "30")
        self.env.invalidate_all()
        self.assertEqual(self.again.optout_count, 2)

    @users("fm_manager")
    def test_sequence_form_shows_the_performance_and_the_forecast_button(self):
        arch = self.env["followup.sequence"].get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("action_forecast", "performance", "reply_rate", "optout_count"):
            self.assertIn(f'name="{name}"', arch)
