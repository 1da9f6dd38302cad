"""The dispatch on real cursors and committed data, as on a server with several workers.

These tests do not run in a test transaction: each one commits its own data through
``registry.cursor()`` and removes it afterwards. Dispatchers run in threads, each with its
own cursor, committing after every batch like the cron does.
"""

import threading
from collections import Counter
from unittest.mock import patch

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestDispatchConcurrency(BaseCase):
    PARTNERS = 40

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr, {"tracking_disable": True})
            self.trigger_floor = env["ir.cron.trigger"].search([], order="id desc", limit=1).id
            # Partners with a salesperson who is not the user running the dispatch.
            salesperson = env.ref("base.user_admin")
            partners = env["res.partner"].create(
                [
                    {"name": f"Concurrent {index}", "user_id": salesperson.id}
                    for index in range(self.PARTNERS)
                ]
            )
            activity_todo = env.ref("mail.mail_activity_data_todo")
            # Two internal tasks due at once: no time rule applies, every step is due
            # as soon as the previous one is done.
            sequence = env["followup.sequence"].create(
                {
                    "name": "Concurrency test",
                    "purpose": "service",
                    "step_ids": [
                        (
                            0,
                            0,
                            {
                                "name": name,
                                "sequence": index,
                                "delay": 0,
                                "delay_unit": "hours",
                                "action": "activity",
                                "channel": "none",
                                "activity_type_id": activity_todo.id,
                            },
                        )
                        for index, name in enumerate(("First task", "Second task"))
                    ],
                }
            )
            self.enrollment_ids = sequence.enroll(partners.ids)
            self.partner_ids = partners.ids
            self.sequence_id = sequence.id
            self.step_ids = sequence.step_ids.ids
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)]
            ).unlink()
            env["followup.dispatch"].search(
                [("enrollment_id", "in", self.enrollment_ids)]
            ).unlink()
            env["followup.enrollment"].browse(self.enrollment_ids).unlink()
            env["followup.sequence"].browse(self.sequence_id).unlink()
            env["mail.message"].sudo().search(
                [("model", "=", "res.partner"), ("res_id", "in", self.partner_ids)]
            ).unlink()
            env["mail.followers"].sudo().search(
                [("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)]
            ).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            env["ir.cron.trigger"].sudo().search([("id", ">", self.trigger_floor)]).unlink()

    def _env(self, cr, context=None):
        # The registry is given, not looked up by name: during the post-install tests
        # the loading thread holds the registry lock that the lookup would wait for.
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, context or {})

    def _run(self, name, errors, results, before=None, **kwargs):
        """A worker: its own cursor, its own transactions, like a cron worker."""
        try:
            if before:
                before()
            with self.registry.cursor() as cr:
                env = self._env(cr)
                # Only this test's enrollments: the database has demo ones too.
                rows = env["followup.dispatcher"]._dispatch_due(
                    auto_commit=True, enrollment_ids=self.enrollment_ids, **kwargs
                )
                results[name] = rows.ids
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors[name] = error

    def _state(self):
        """What is committed: done rows per (enrollment, step), activities per partner."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            dispatches = env["followup.dispatch"].search(
                [("enrollment_id", "in", self.enrollment_ids)]
            )
            done = Counter(
                (d.enrollment_id.id, d.step_id.id) for d in dispatches if d.state == "done"
            )
            activities = Counter(
                env["mail.activity"]
                .search([("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)])
                .mapped("res_id")
            )
            states = Counter(
                env["followup.enrollment"].browse(self.enrollment_ids).mapped("state")
            )
            return done, activities, states

    def _assert_each_step_done_once(self):
        done, activities, states = self._state()
        expected = {(e, s) for e in self.enrollment_ids for s in self.step_ids}
        self.assertEqual(set(done), expected, "every step of every enrollment is done")
        self.assertEqual(set(done.values()), {1}, "and only once")
        self.assertEqual(activities, Counter({pid: 2 for pid in self.partner_ids}))
        self.assertEqual(states, Counter({"done": self.PARTNERS}))

    def test_two_workers_on_the_same_due_steps_do_each_step_exactly_once(self):
        errors, results = {}, {}
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=self._run,
                name=f"dispatch-{index}",
                args=(f"worker{index}", errors, results, barrier.wait),
                kwargs={"batch_size": 7},
            )
            for index in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors, errors)
        self.assertEqual(set(results), {"worker0", "worker1"})
        total = len(results["worker0"]) + len(results["worker1"])
        self.assertEqual(total, self.PARTNERS * 2)
        self._assert_each_step_done_once()

    @mute_logger("odoo.sql_db")
    def test_a_worker_crashing_after_its_claim_loses_nothing_and_resends_nothing(self):
        """Worker A claims a batch, does everything but crashes before the end of its
        transaction; worker B runs meanwhile and skips A's locked steps; after A's
        rollback, the next run does A's steps, once."""
        Dispatcher = self.registry["followup.dispatcher"]
        original = Dispatcher._followup_move_on
        claimed = threading.Event()
        other_done = threading.Event()
        crashed = {}

        def move_on(dispatcher, outcomes, now):
            if threading.current_thread().name == "crasher" and not crashed:
                crashed["enrollments"] = [o.enrollment.id for o in outcomes]
                claimed.set()
                other_done.wait(timeout=60)
                raise RuntimeError("simulated crash after the claim")
            return original(dispatcher, outcomes, now)

        errors, results = {}, {}
        with patch.object(Dispatcher, "_followup_move_on", move_on):
            crasher = threading.Thread(
                target=self._run,
                name="crasher",
                args=("crasher", errors, results),
                kwargs={"batch_size": 5, "max_batches": 1},
            )
            crasher.start()
            self.assertTrue(claimed.wait(timeout=60))
            other = threading.Thread(
                target=self._run, name="other", args=("other", errors, results)
            )
            other.start()
            other.join(timeout=120)
            # B skipped what A holds: none of A's enrollments has a row yet.
            done, _activities, _states = self._state()
            self.assertFalse({e for e, _s in done} & set(crashed["enrollments"]))
            self.assertEqual(len(done), (self.PARTNERS - 5) * 2)
            other_done.set()
            crasher.join(timeout=60)
        self.assertIsInstance(errors.pop("crasher"), RuntimeError)
        self.assertFalse(errors, errors)
        # The next run picks up what the crash rolled back.
        self._run("after", errors, results)
        self.assertFalse(errors, errors)
        self.assertEqual(len(results["after"]), 5 * 2)
        self._assert_each_step_done_once()

    @mute_logger("odoo.sql_db")
    def test_claim_after_another_worker_committed_starts_a_fresh_transaction(self):
        """Odoo's transactions are REPEATABLE READ: a row another worker changed after
        this transaction began cannot be locked. The cron's claim starts over in a new
        transaction; a claim that must not commit lets the error through."""
        first = self.enrollment_ids[0]
        for retry in (False, True):
            with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
                env_a = self._env(cr_a)
                dispatcher = env_a["followup.dispatcher"]
                now = env_a["followup.enrollment"].browse(first).next_date
                # A's snapshot is taken; B changes a due enrollment and commits.
                cr_a.execute("SELECT 1")
                cr_b.execute(
                    "UPDATE followup_enrollment SET write_date = now() WHERE id = %s", [first]
                )
                cr_b.commit()
                if not retry:
                    with self.assertRaises(psycopg2.errors.SerializationFailure):
                        dispatcher._followup_claim(now, 100, enrollment_ids=self.enrollment_ids)
                    cr_a.rollback()
                    continue
                claimed = dispatcher._followup_claim(
                    now, 100, retry=True, enrollment_ids=self.enrollment_ids
                )
                self.assertEqual(sorted(claimed.ids), sorted(self.enrollment_ids))
                cr_a.rollback()
