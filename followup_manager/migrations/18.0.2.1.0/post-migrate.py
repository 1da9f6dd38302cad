"""18.0.2.1.0: a decision's delivery is read from Odoo's notification of its message.

Up to 18.0.2.0.0, ``followup_delivery`` stored the state Odoo's queues learnt (``state``:
sent, failed, bounced), Odoo's code of the failure and its reason, copies of what Odoo's
``mail.notification`` tracks. The decision now links its notification
(``followup_dispatch.notification_id``) and reads them there; the delivery keeps what
Odoo does not track (followup_delivery.py). Every fact of the old columns stays:

1. Each decision is linked to the notification of its message to its partner (e-mails
   queued since the notifications of 18.0.2.0.0; every text message).
2. A follow-up e-mail queued before those notifications and still in the mail queue
   (no delivery learnt yet) gets the notification Odoo writes for any e-mail it queues,
   so that the queue marks it when it leaves.
3. A bounce is the add-on's reading: ``bounce_what`` (the sender for ``mail_spam``, as
   read then; "not recorded" for the others, whose address or mailbox was not kept)
   and the server's words (``bounce_reason``), which Odoo's notification does not hold.
4. An e-mail cancelled at sending (the person said no): its reason goes to its
   notification, whose status Odoo already wrote without it.
5. A delivery with no notification left (its message deleted, or an e-mail sent before
   the notifications): the state, code and reason stored are kept (``kept_*``).

Once every module is loaded, end-migrate.py logs any delivery that would read
otherwise than its old columns, then drops them."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, sql

TABLE = "followup_delivery"


def migrate(cr, version):
    if not version or not sql.column_exists(cr, TABLE, "state"):
        return
    api.Environment(cr, SUPERUSER_ID, {}).flush_all()
    link_notifications(cr)
    notify_queued_emails(cr)
    link_notifications(cr)
    cr.execute(
        SQL(
            """UPDATE followup_delivery
                  SET bounce_what = CASE failure_type WHEN 'mail_spam' THEN 'sender'
                                                      ELSE 'unknown' END,
                      bounce_reason = reason
                WHERE state = 'bounced' AND failure_type IN ('mail_bounce', 'mail_spam')
                  AND bounce_what IS NULL"""
        )
    )
    cr.execute(
        SQL(
            """UPDATE mail_notification n
                  SET failure_reason = fd.reason
                 FROM followup_delivery fd
                 JOIN followup_dispatch d ON d.id = fd.dispatch_id
                WHERE n.id = d.notification_id AND fd.state = 'failed'
                  AND n.notification_type = 'email'
                  AND n.notification_status IN ('exception', 'canceled')
                  AND COALESCE(n.failure_reason, '') = '' AND fd.reason IS NOT NULL"""
        )
    )
    cr.execute(
        SQL(
            """UPDATE followup_delivery fd
                  SET kept_state = fd.state, kept_failure_type = fd.failure_type,
                      kept_reason = fd.reason
                 FROM followup_dispatch d
                WHERE d.id = fd.dispatch_id AND d.notification_id IS NULL
                  AND fd.state IN ('sent', 'failed', 'bounced')"""
        )
    )
    # end-migrate.py checks the facts once every module is loaded (the SMS failure
    # labels among them), then drops the old columns.


def link_notifications(cr):
    """Each decision's notification: the one of its message to its partner."""
    cr.execute(
        SQL(
            """UPDATE followup_dispatch d
                  SET notification_id = n.id
                 FROM mail_notification n
                WHERE d.notification_id IS NULL AND d.message_id IS NOT NULL
                  AND n.mail_message_id = d.message_id AND n.res_partner_id = d.partner_id
                  AND n.notification_type IN ('email', 'sms')"""
        )
    )


def notify_queued_emails(cr):
    """The notification of each follow-up e-mail still queued that has none, as the
    e-mail adapter writes it (read already: no news for the partner)."""
    cr.execute(
        SQL(
            """INSERT INTO mail_notification (mail_message_id, mail_mail_id, res_partner_id,
                                              author_id, notification_type,
                                              notification_status, is_read, read_date)
               SELECT d.message_id, mm.id, d.partner_id, m.author_id, 'email', 'ready',
                      TRUE, now() at time zone 'UTC'
                 FROM followup_dispatch d
                 JOIN mail_mail mm ON mm.id = d.mail_id
                 JOIN mail_message m ON m.id = d.message_id
                WHERE d.notification_id IS NULL AND d.partner_id IS NOT NULL
                  AND mm.state = 'outgoing'
                  AND NOT EXISTS (SELECT 1 FROM followup_delivery fd
                                   WHERE fd.dispatch_id = d.id)
                  AND NOT EXISTS (SELECT 1 FROM mail_notification n
                                   WHERE n.mail_message_id = d.message_id
                                     AND n.res_partner_id = d.partner_id)"""
        )
    )
