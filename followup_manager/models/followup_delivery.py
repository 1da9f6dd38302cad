"""What became of a follow-up message (an e-mail; a text message with
followup_manager_sms) after the dispatch queued it.

Odoo tracks the delivery of every message it sends in its ``mail.notification``, one
per recipient, and so it does for follow-ups (the e-mail adapter writes it, as
``_notify_thread_by_email`` would; ``_message_sms`` writes the text message's): whether it
is queued, sent, not sent (failed or cancelled) or bounced, Odoo's code of the failure
and its reason; the mail queue, the SMS queue and its delivery reports, *Resend* and
Odoo's own bounce matching keep it current, and the chatter's envelope and the failed
messages read it. Those facts are read from there (``followup.dispatch.notification_id``)
and not stored again. This model keeps what Odoo does not track: what failed by the
add-on's reading of a bounce (the address, the mailbox, or the sender, refused for
spam or policy: Odoo leaves the notification *sent* then, and a report about an address
nobody has any more is matched to no notification) with the remote server's own words
(Odoo keeps the report's whole text); when the add-on learnt the state (a notification
has no date of change); the to-do that told the salesperson; and, once Odoo deletes the
notification (its garbage collection of old sent or cancelled ones, the message or the
person deleted), the state it said then (``kept_*``), which a decision of the log keeps
for good. An interrupted sending is Odoo's own failure with the add-on's reason (the
e-mail's and its notification's ``failure_reason``), and the mark on the decision
(``followup.dispatch.mail_sending_started``).

The hooks on ``mail.mail``, ``mail.thread`` (and, with followup_manager_sms,
``sms.tracker``) wrap what Odoo does to the notifications in ``_followup_watch``: a row
per decision is written when its state changes, and a step that was delivered and is
then learnt not to be (failed or bounced) gives its salesperson one to-do on the
followed-up document: a failure is news only once. An add-on that brings a channel
wraps its own queue's updates the same way.
"""

from contextlib import contextmanager

from markupsafe import Markup

from odoo import api, fields, models

from ..policy import bounce
from .tools import activity_vals

#: What Odoo learnt about a queued e-mail or text message.
DELIVERY_STATES = [
    ("sent", "Sent"),
    ("failed", "Not Sent"),
    ("bounced", "Bounced"),
]
#: A decision whose message Odoo has not sent yet.
QUEUED = "queued"
#: The states a person must hear of.
UNDELIVERED = ("failed", "bounced")
#: Odoo's notification status -> the delivery state it reads as.
STATE_OF_STATUS = {
    "ready": QUEUED,
    "process": QUEUED,
    "pending": "sent",
    "sent": "sent",
    "exception": "failed",
    "canceled": "failed",
    "bounce": "bounced",
}
#: What failed, by the add-on's reading of a bounce (``policy.bounce``).
BOUNCE_WHAT = [
    (bounce.ADDRESS, "The address"),
    (bounce.MAILBOX, "The mailbox"),
    (bounce.SENDER, "The sender"),
    ("unknown", "Not recorded"),
]
#: Odoo's failure code of a bounce, by what failed: the sender's refusal as a spam.
BOUNCE_FAILURE_TYPE = {bounce.SENDER: "mail_spam"}
#: The longest reason kept (a bounce may quote a whole message).
REASON_MAX = 1000
#: No delivery: rows of steps that queued no message.
NOTHING = (False, False, False)


class FollowupDelivery(models.Model):
    _name = "followup.delivery"
    _description = "Follow-up Delivery"
    _order = "date desc, id desc"
    _rec_name = "dispatch_id"

    dispatch_id = fields.Many2one(
        "followup.dispatch",
        string="Decision",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    enrollment_id = fields.Many2one(
        related="dispatch_id.enrollment_id", store=True, precompute=True, index=True
    )
    sequence_id = fields.Many2one(
        related="dispatch_id.sequence_id", store=True, precompute=True, index=True
    )
    partner_id = fields.Many2one(related="dispatch_id.partner_id", store=True, precompute=True)
    company_id = fields.Many2one(
        related="dispatch_id.company_id", store=True, precompute=True, index=True
    )
    user_id = fields.Many2one(related="dispatch_id.user_id", store=True, precompute=True)
    channel = fields.Selection(related="dispatch_id.channel", store=True, precompute=True)
    notification_id = fields.Many2one(related="dispatch_id.notification_id")
    # Read from Odoo's notification and the facts below (_followup_facts), never stored.
    state = fields.Selection(DELIVERY_STATES, compute="_compute_facts")
    failure_type = fields.Char(
        compute="_compute_facts", help="Odoo's code of the failure (e.g. mail_smtp, mail_bounce)."
    )
    reason = fields.Text(
        compute="_compute_facts", help="Why it was not delivered, as Odoo learnt it."
    )
    # What Odoo does not track.
    bounce_what = fields.Selection(
        BOUNCE_WHAT,
        string="What Failed",
        readonly=True,
        help="What a bounce of the e-mail said failed, as the add-on reads it: the "
        "address, the mailbox, or the sender (refused for spam or policy; Odoo keeps its "
        "notification sent). Set, the e-mail reads bounced.",
    )
    bounce_reason = fields.Text(
        readonly=True, help="The receiving server's words on the bounce (its diagnostic)."
    )
    date = fields.Datetime(
        string="Learnt On", required=True, readonly=True, default=fields.Datetime.now
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    kept_state = fields.Selection(
        DELIVERY_STATES,
        readonly=True,
        help="The state Odoo's notification said when Odoo deleted it (or when the "
        "message, or its person, was deleted): read once the notification is gone.",
    )
    kept_failure_type = fields.Char(readonly=True)
    kept_reason = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "dispatch_unique",
            "UNIQUE(dispatch_id)",
            "A decision has one delivery: it is updated as Odoo learns more.",
        ),
    ]

    @api.depends(
        "bounce_what",
        "bounce_reason",
        "kept_state",
        "kept_failure_type",
        "kept_reason",
        "dispatch_id.notification_id.notification_status",
        "dispatch_id.notification_id.failure_type",
        "dispatch_id.notification_id.failure_reason",
    )
    def _compute_facts(self):
        facts = self._followup_facts(self.dispatch_id)
        for delivery in self:
            state, failure_type, reason = facts.get(delivery.dispatch_id.id, NOTHING)
            delivery.state = state if state != QUEUED else False
            delivery.failure_type = failure_type
            delivery.reason = reason

    # ------------------------------------------------------------------ reading

    @api.model
    def _followup_facts(self, dispatches):
        """{dispatch id: (state, failure type, reason)} of the decisions ``dispatches``:
        a bounce as the add-on read it, else Odoo's notification, else what it said when
        it was deleted; a decision that queued a message and has none is *queued*."""
        facts = {}
        # sudo: the notifications and deliveries of the decisions' own messages (the
        # mail.mail of a cancelled e-mail among them), for whoever reads the log.
        for dispatch in dispatches.sudo():
            delivery = dispatch.delivery_ids[:1]
            notification = dispatch.notification_id
            if delivery.bounce_what:
                facts[dispatch.id] = (
                    "bounced",
                    BOUNCE_FAILURE_TYPE.get(delivery.bounce_what, "mail_bounce"),
                    delivery.bounce_reason or False,
                )
            elif notification:
                facts[dispatch.id] = self._followup_notification_facts(dispatch, notification)
            elif delivery.kept_state:
                facts[dispatch.id] = (
                    delivery.kept_state,
                    delivery.kept_failure_type or False,
                    delivery.kept_reason or False,
                )
            elif dispatch.state == "done" and dispatch.message_id:
                facts[dispatch.id] = (QUEUED, False, False)
            else:
                facts[dispatch.id] = NOTHING
        return facts

    @api.model
    def _followup_notification_facts(self, dispatch, notification):
        """(state, failure type, reason) as Odoo's ``notification`` of ``dispatch``
        says."""
        state = STATE_OF_STATUS.get(notification.notification_status, QUEUED)
        if state not in UNDELIVERED:
            return (state, False, False)
        # A cancelled e-mail: Odoo's code of why is on the e-mail (the notification's
        # choice has no opt-out nor blacklist).
        failure_type = notification.failure_type or notification.mail_mail_id.failure_type
        labels = dict(notification._fields["failure_type"]._description_selection(self.env))
        reason = (
            notification.failure_reason
            or labels.get(failure_type)
            or failure_type
            or self._followup_no_reason(dispatch, notification)
        )
        return (state, failure_type or False, reason or False)

    @api.model
    def _followup_no_reason(self, dispatch, notification):
        """The reason of a message not delivered whose notification gives none;
        override for a channel's words."""
        return False

    # ------------------------------------------------------------------ learning

    @api.model
    @contextmanager
    def _followup_watch(self, dispatches, before=None):
        """Around what Odoo (or the add-on) does to the notifications of the decisions
        ``dispatches``: when their state changed, it is dated, and those newly not
        delivered are told to their salespeople.

        :param dict before: the facts of some of them as they were earlier
            (``_followup_facts``), when Odoo changed their notifications already
        """
        before = {**self._followup_facts(dispatches), **(before or {})}
        yield
        self._followup_learnt(dispatches, before)

    @api.model
    def _followup_learnt(self, dispatches, before):
        """Date the deliveries of ``dispatches`` whose facts changed since ``before``
        (``_followup_facts``) and tell the salespeople of those newly not delivered.

        :return: the deliveries written
        """
        if not dispatches:
            return self.browse()
        dispatches.invalidate_recordset(["notification_id", "delivery_ids"])
        after = self._followup_facts(dispatches)
        changed = [
            dispatch_id
            for dispatch_id, facts in after.items()
            if facts != before.get(dispatch_id) and facts[0] not in (False, QUEUED)
        ]
        if not changed:
            return self.browse()
        # sudo: nobody may write deliveries (they are facts of Odoo's queues); the hooks
        # calling this run for whoever sends the queue or processes incoming mail.
        Delivery = self.sudo()
        deliveries = Delivery._followup_rows(changed)
        deliveries.write({"date": fields.Datetime.now()})
        deliveries.invalidate_recordset(["state", "failure_type", "reason"])
        news = deliveries.filtered(
            lambda delivery: (
                after[delivery.dispatch_id.id][0] in UNDELIVERED
                and before.get(delivery.dispatch_id.id, NOTHING)[0] not in UNDELIVERED
            )
        )
        news._followup_tell_salesperson()
        return deliveries

    @api.model
    def _followup_rows(self, dispatch_ids):
        """The deliveries of these decisions, created where there are none."""
        existing = self.search([("dispatch_id", "in", list(dispatch_ids))])
        missing = set(dispatch_ids) - set(existing.dispatch_id.ids)
        created = self.create([{"dispatch_id": dispatch_id} for dispatch_id in missing])
        return existing | created

    @api.model
    def _followup_read_bounce(self, dispatches, what, reason):
        """Record the add-on's reading of a bounce of the e-mails of ``dispatches``:
        what failed (``policy.bounce``: the address, the mailbox, the sender) and the
        server's words. Call it inside ``_followup_watch``."""
        if not dispatches:
            return
        # sudo: see _followup_learnt.
        self.sudo()._followup_rows(dispatches.ids).write(
            {
                "bounce_what": what or "unknown",
                "bounce_reason": (reason or "").strip()[:REASON_MAX] or False,
            }
        )

    @api.model
    def _followup_forget_bounce(self, dispatches):
        """A new attempt of these e-mails (sent again by hand): an earlier bounce is
        no longer what became of them."""
        # sudo: see _followup_learnt (the deliveries are read with the facts already).
        dispatches.sudo().delivery_ids.filtered("bounce_what").write(
            {"bounce_what": False, "bounce_reason": False}
        )

    @api.model
    def _followup_keep(self, domain):
        """Odoo is about to delete the notifications of the decisions in ``domain``
        (its garbage collection, their message or person deleted): keep what each said
        (sent, not sent, bounced; not a queued one, whose message goes with it)."""
        # sudo: the decisions of the notifications deleted, whoever deletes them.
        dispatches = (
            self.env["followup.dispatch"]
            .sudo()
            .search([("notification_id", "!=", False), *domain])
        )
        if not dispatches:
            return
        facts = {
            dispatch.id: self._followup_notification_facts(dispatch, dispatch.notification_id)
            for dispatch in dispatches
        }
        kept = [
            dispatch_id for dispatch_id, fact in facts.items() if fact[0] in ("sent", *UNDELIVERED)
        ]
        # sudo: see _followup_learnt.
        for delivery in self.sudo()._followup_rows(kept):
            state, failure_type, reason = facts[delivery.dispatch_id.id]
            delivery.write(
                {"kept_state": state, "kept_failure_type": failure_type, "kept_reason": reason}
            )

    # ------------------------------------------------------------------ the to-do

    def _followup_tell_salesperson(self):
        """One to-do per delivery in ``self`` for the step's salesperson, on the
        followed-up document (on the partner when the document has no activities)."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        pairs = [(delivery, delivery._followup_activity_vals(todo)) for delivery in self]
        pairs = [(delivery, vals) for delivery, vals in pairs if vals]
        if not pairs:
            return
        # No "activity assigned to you" e-mail: the assignee sees it in their activities,
        # and a mail about a mail that did not leave may not leave either.
        # sudo: the to-do is the system's reaction to what the mail or SMS queue
        # learned (often in the queue's cron, as nobody); it goes to the step's salesperson.
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True, mail_create_nosubscribe=True)
            .create([vals for _delivery, vals in pairs])
        )
        for (delivery, _vals), activity in zip(pairs, activities, strict=True):
            delivery.activity_id = activity

    def _followup_salesperson(self):
        """Who hears of the failure: the step's salesperson (who signed it), else the
        enrollment's, else the sequence's creator; archived users hear nothing."""
        self.ensure_one()
        dispatch = self.dispatch_id
        for user in (
            dispatch.user_id,
            dispatch.enrollment_id.user_id,
            self.sequence_id.create_uid,
        ):
            if user and user.active and not user.share:
                return user
        return self.env["res.users"]

    def _followup_activity_record(self):
        """The record the to-do goes on: the followed-up document if it has activities,
        else the partner."""
        self.ensure_one()
        origin = self.enrollment_id.origin
        if origin and "activity_ids" in origin._fields:
            return origin
        return self.partner_id

    def _followup_activity_vals(self, activity_type):
        self.ensure_one()
        user, record = self._followup_salesperson(), self._followup_activity_record()
        if not user or not record:
            return None
        # In the salesperson's language, whoever's queue learnt it.
        delivery = self.with_context(lang=user.lang or self.env.lang)
        return activity_vals(
            record,
            user,
            activity_type,
            delivery._followup_activity_summary(),
            delivery._followup_activity_note(),
            due=fields.Datetime.now(),
            automated=True,
        )

    def _followup_activity_summary(self):
        """The title of the to-do about this step not delivered; override for the
        channels another add-on delivers."""
        return self.env._("Follow-up e-mail not delivered")

    def _followup_activity_note(self):
        dispatch = self.dispatch_id
        values = {
            "step": dispatch.step_id.name or "",
            "partner": self.partner_id.display_name or "",
            "reason": self.reason or self.env._("no reason given"),
        }
        if self.state == "bounced":
            text = self.env._(
                "The follow-up step “%(step)s” to %(partner)s bounced: %(reason)s", **values
            )
        else:
            text = self.env._(
                "The follow-up step “%(step)s” to %(partner)s was not sent: %(reason)s",
                **values,
            )
        return Markup("<p>%s</p>") % text
