"""A step's delivery is read from Odoo's notification of its message
(followup_delivery.py): Odoo's *Resend* shows on the step; what the notification said
stays on the step once Odoo deletes it; a database of 18.0.2.0.0, which stored those
facts on followup_delivery, keeps every one of them through the migration."""

import importlib.util
import smtplib
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import mute_logger, sql
from odoo.tools.misc import file_path

from .test_dispatch_delivery import DeliveryMailCase

MIGRATION = "followup_manager/migrations/18.0.2.1.0/%s-migrate.py"


def _migration(stage):
    path = file_path(MIGRATION % stage)
    spec = importlib.util.spec_from_file_location(f"followup_delivery_{stage}_18_0_2_1_0", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestDeliveryNotification(DeliveryMailCase):
    def _refuse(self, partner):
        return smtplib.SMTPRecipientsRefused({partner.email: (550, b"5.1.1 User unknown")})

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_odoo_resend_of_a_failed_email_reads_sent(self):
        dispatch = self._queue_email(self.mario)
        self._send_queue(dispatch, refuse=self._refuse(self.mario))
        self.assertEqual(dispatch.delivery_state, "failed")
        notification = dispatch.notification_id
        self.assertRecordValues(
            notification, [{"notification_status": "exception", "res_partner_id": self.mario.id}]
        )
        # The chatter's envelope, then Resend, as a salesperson does it.
        wizard = (
            self.env["mail.resend.message"]
            .with_context(mail_message_to_resend=dispatch.message_id.id)
            .create({})
        )
        with self.mock_smtplib_connection():
            # Odoo sends it at once (a new e-mail of the same message).
            wizard.resend_mail_action()
        self.assertEqual(len(self.emails), 1)
        self.assertEqual(notification.notification_status, "sent")
        self.assertRecordValues(dispatch, [{"delivery_state": "sent", "delivery_reason": False}])

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_what_the_notification_said_stays_once_odoo_deletes_it(self):
        sent = self._queue_email(self.mario)
        self._send_queue(sent)
        refused = self._create_customer("Rita Refused", "rita")
        failed = self._queue_email(refused)
        self._send_queue(failed, refuse=self._refuse(refused))
        reason = failed.delivery_reason
        # Odoo's garbage collection of old sent notifications deletes them.
        sent.notification_id.unlink()
        # A message deleted from the chatter takes its notification with it.
        failed.message_id.unlink()
        (sent | failed).invalidate_recordset()
        self.assertFalse(sent.notification_id)
        self.assertFalse(failed.message_id)
        self.assertRecordValues(
            sent | failed,
            [
                {"delivery_state": "sent", "delivery_reason": False},
                {"delivery_state": "failed", "delivery_reason": reason},
            ],
        )
        Dispatch = self.env["followup.dispatch"]
        mine = [("id", "in", (sent | failed).ids)]
        self.assertEqual(Dispatch.search([*mine, ("delivery_state", "=", "sent")]), sent)
        self.assertEqual(Dispatch.search([*mine, ("delivery_state", "=", "failed")]), failed)
        self.assertEqual(self.sequence_care.undelivered_count, 1)
        self.assertEqual(len(self._todos(refused)), 1, "no news: no second to-do")

    def test_notifications_collected_by_odoo_after_months_stay_sent(self):
        """Odoo's autovacuum deletes sent notifications of employees read months ago."""
        employee = self.user_salesman.partner_id
        with self._at(self.MONDAY_10_ROME):
            dispatch = self._queue_email(employee)
            self._send_queue(dispatch)
        with self._at(self.MONDAY_10_ROME + timedelta(days=200)):
            self.env["mail.notification"]._gc_notifications()
        dispatch.invalidate_recordset()
        self.assertFalse(dispatch.notification_id, "collected by Odoo")
        self.assertEqual(dispatch.delivery_state, "sent")

    # ------------------------------------------------------------------ migration

    def _as_in_18_0_2_0_0(self, dispatches, pre_notification=(), without_reason=()):
        """The deliveries of ``dispatches`` as 18.0.2.0.0 stored them: the facts read
        now in the old columns, none of what 18.0.2.1.0 adds; the e-mails of
        ``pre_notification`` queued by a release before the notifications (they have
        none); the notifications ``without_reason`` cancelled without one, as
        18.0.2.0.0 cancelled an e-mail's."""
        # Every delivery of the database as that release stored it (the demo's too,
        # when it is installed), not only the test's.
        every = self.env["followup.delivery"].search([]).dispatch_id | dispatches
        facts = self.env["followup.delivery"]._followup_facts(every)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE followup_delivery ADD COLUMN state varchar,"
            " ADD COLUMN failure_type varchar, ADD COLUMN reason text"
        )
        for dispatch in every.filtered("delivery_ids"):
            state, failure_type, reason = facts[dispatch.id]
            cr.execute(
                "UPDATE followup_delivery SET state = %s, failure_type = %s, reason = %s,"
                " bounce_what = NULL, bounce_reason = NULL, kept_state = NULL,"
                " kept_failure_type = NULL, kept_reason = NULL WHERE dispatch_id = %s",
                [state, failure_type or None, reason or None, dispatch.id],
            )
        gone = [dispatch.notification_id.id for dispatch in pre_notification]
        cr.execute(
            "UPDATE followup_dispatch SET notification_id = NULL WHERE id IN %s",
            [tuple(every.ids)],
        )
        cr.execute("DELETE FROM mail_notification WHERE id IN %s", [tuple(gone)])
        cr.execute(
            "UPDATE mail_notification SET failure_reason = NULL WHERE id IN %s",
            [tuple(notification.id for notification in without_reason)],
        )
        self.env.invalidate_all()
        return {dispatch.id: facts[dispatch.id] for dispatch in dispatches}

    @mute_logger("odoo.addons.mail.models.mail_mail", "odoo.models.unlink")
    def test_migration_from_18_0_2_0_0_keeps_every_delivery_fact(self):
        people = {
            name: self._create_customer(name.title(), name)
            for name in ("rita", "anna", "bruno", "dora", "olga", "quinto")
        }
        sent = self._queue_email(self.mario)
        self._send_queue(sent)
        failed = self._queue_email(people["rita"])
        self._send_queue(failed, refuse=self._refuse(people["rita"]))
        cancelled = self._queue_email(people["anna"])
        self.env["mail.blacklist"]._add(people["anna"].email)
        self._send_queue(cancelled)
        bounced = self._queue_email(people["bruno"])
        self._send_queue(bounced)
        self._bounce(bounced)
        deleted = self._queue_email(people["dora"])
        self._send_queue(deleted)
        deleted.message_id.unlink()
        old_sent = self._queue_email(people["olga"])
        self._send_queue(old_sent)
        old_queued = self._queue_email(people["quinto"])
        rows = sent | failed | cancelled | bounced | deleted | old_sent | old_queued
        self.assertEqual(
            rows.mapped("delivery_state"),
            ["sent", "failed", "failed", "bounced", "sent", "sent", "queued"],
        )
        todos = self.env["mail.activity"].search([]).ids
        before = self._as_in_18_0_2_0_0(rows, old_sent | old_queued, cancelled.notification_id)

        post, end = _migration("post"), _migration("end")
        self.assertTrue(end.check(self.env), "without the migration, they read otherwise")
        post.migrate(self.env.cr, "18.0.2.0.0")
        self.env.invalidate_all()
        self.assertEqual(end.check(self.env), [], "each reads as its old columns say")
        end.migrate(self.env.cr, "18.0.2.0.0")

        self.env.invalidate_all()
        for column in end.OLD_COLUMNS:
            self.assertFalse(sql.column_exists(self.env.cr, "followup_delivery", column))
        after = self.env["followup.delivery"]._followup_facts(rows)
        self.assertEqual(after, before, "every state, failure code and reason")
        self.assertEqual(
            rows.mapped("delivery_state"),
            ["sent", "failed", "failed", "bounced", "sent", "sent", "queued"],
        )
        self.assertEqual(cancelled.delivery_ids.failure_type, "mail_bl")
        self.assertEqual(bounced.delivery_ids.bounce_what, "unknown", "not recorded then")
        self.assertEqual(
            [sent.notification_id.notification_status, failed.notification_id.notification_status],
            ["sent", "exception"],
        )
        self.assertFalse(old_sent.notification_id, "it has none: the facts are kept")
        self.assertEqual(old_sent.delivery_ids.kept_state, "sent")
        # The e-mail still queued got its notification, and Odoo's queue marks it.
        self.assertEqual(old_queued.notification_id.notification_status, "ready")
        self._send_queue(old_queued)
        self.assertEqual(old_queued.delivery_state, "sent")
        self.assertEqual(self.env["mail.activity"].search([]).ids, todos, "no to-do again")
