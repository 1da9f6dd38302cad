"""What became of a follow-up message (an e-mail; a text message with
followup_manager_sms) after the dispatch queued it.

The dispatch log (``followup.dispatch``) records a decision and never changes it: "done:
e-mail queued". Whether the e-mail then left, failed or bounced is learnt later, by
Odoo's queues and by the incoming-mail gateway; this model is that separate fact, one
row per dispatch row, written when Odoo learns something (the hooks on ``mail.mail`` and
``mail.thread``; an add-on that brings a channel hooks its own queue and calls
``_followup_learn``) and kept current (sent, then bounced).

A step that was delivered and is then learnt not to be (failed or bounced) gives its
salesperson one to-do on the followed-up document: a failure is news only once.
"""

from markupsafe import Markup

from odoo import api, fields, models

from .tools import activity_vals

#: What Odoo learnt about a queued e-mail or text message.
DELIVERY_STATES = [
    ("sent", "Sent"),
    ("failed", "Not Sent"),
    ("bounced", "Bounced"),
]
#: The states a person must hear of.
UNDELIVERED = ("failed", "bounced")
#: The longest reason kept (a bounce may quote a whole message).
REASON_MAX = 1000


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
    state = fields.Selection(DELIVERY_STATES, required=True, readonly=True, index=True)
    failure_type = fields.Char(
        readonly=True, help="Odoo's code of the failure (e.g. mail_smtp, mail_bounce)."
    )
    reason = fields.Text(readonly=True, help="Why it was not delivered, as Odoo learnt it.")
    date = fields.Datetime(
        string="Learnt On", required=True, readonly=True, default=fields.Datetime.now
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")

    _sql_constraints = [
        (
            "dispatch_unique",
            "UNIQUE(dispatch_id)",
            "A decision has one delivery: it is updated as Odoo learns more.",
        ),
    ]

    # ------------------------------------------------------------------ learning

    @api.model
    def _followup_learn(self, facts):
        """Record what Odoo learnt about performed steps and tell the salespeople of
        those newly not delivered.

        :param facts: {followup.dispatch id: (state, failure_type, reason)}
        :return: the deliveries written
        """
        if not facts:
            return self.browse()
        # sudo: nobody may write deliveries (they are facts of Odoo's queues); the hooks
        # calling this run for whoever sends the queue or processes incoming mail.
        Delivery = self.sudo()
        existing = Delivery.search([("dispatch_id", "in", list(facts))])
        by_dispatch = {delivery.dispatch_id.id: delivery for delivery in existing}
        now = fields.Datetime.now()
        news, to_create = Delivery.browse(), []
        for dispatch_id, (state, failure_type, reason) in facts.items():
            vals = {
                "state": state,
                "failure_type": failure_type or False,
                "reason": (reason or "").strip()[:REASON_MAX] or False,
                "date": now,
            }
            delivery = by_dispatch.get(dispatch_id)
            if delivery is None:
                to_create.append({"dispatch_id": dispatch_id, **vals})
                continue
            if all(delivery[name] == vals[name] for name in ("state", "failure_type", "reason")):
                continue  # nothing new (a delivery report repeated)
            if state in UNDELIVERED and delivery.state not in UNDELIVERED:
                news |= delivery
            delivery.write(vals)
        created = Delivery.create(to_create)
        news |= created.filtered(lambda delivery: delivery.state in UNDELIVERED)
        news._followup_tell_salesperson()
        return existing | created

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
