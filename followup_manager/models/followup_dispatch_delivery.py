"""The delivery of a decision: the dispatch row stays as decided ("done: e-mail
queued"); what Odoo's queues learnt since is read from its ``followup.delivery``.

A done row that queued an e-mail or a text message (it links the chatter message) is
*Queued* until Odoo learns more; rows of other steps have no delivery."""

from odoo import api, fields, models
from odoo.osv import expression

from .followup_delivery import DELIVERY_STATES

DISPATCH_DELIVERY_STATES = [("queued", "Queued"), *DELIVERY_STATES]


class FollowupDispatch(models.Model):
    _inherit = "followup.dispatch"

    # Odoo's queues find the decision of a mail or a message by these links.
    mail_id = fields.Many2one(index="btree_not_null")
    message_id = fields.Many2one(index="btree_not_null")
    delivery_ids = fields.One2many(
        "followup.delivery", "dispatch_id", string="Deliveries", readonly=True
    )
    delivery_state = fields.Selection(
        DISPATCH_DELIVERY_STATES,
        string="Delivery",
        compute="_compute_delivery",
        search="_search_delivery_state",
        help="What became of the e-mail or text message this step queued, as Odoo's "
        "queues learnt it: queued, sent, not sent (failed) or bounced.",
    )
    delivery_reason = fields.Text(
        compute="_compute_delivery", help="Why it was not delivered, as Odoo learnt it."
    )
    delivery_date = fields.Datetime(
        compute="_compute_delivery", help="When Odoo learnt the delivery state."
    )

    @api.model
    def _followup_delivery_tracked_domain(self):
        """Rows whose delivery is followed: done rows that queued a message (the e-mail
        and text message adapters link it)."""
        return [("state", "=", "done"), ("message_id", "!=", False)]

    @api.depends("state", "message_id", "delivery_ids.state", "delivery_ids.reason")
    def _compute_delivery(self):
        for dispatch in self:
            delivery = dispatch.delivery_ids[:1]
            if delivery:
                state = delivery.state
            elif dispatch.state == "done" and dispatch.message_id:
                state = "queued"
            else:
                state = False
            dispatch.delivery_state = state
            dispatch.delivery_reason = delivery.reason or False
            dispatch.delivery_date = delivery.date or False

    @api.model
    def _search_delivery_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(operator)
        values = set(value) if isinstance(value, (list, tuple, set)) else {value}
        learnt = sorted(values & {code for code, _label in DELIVERY_STATES})
        domains = []
        if learnt:
            domains.append([("delivery_ids.state", "in", learnt)])
        if "queued" in values:
            domains.append(
                expression.AND(
                    [self._followup_delivery_tracked_domain(), [("delivery_ids", "=", False)]]
                )
            )
        if False in values or None in values:
            domains.append(
                ["!", *expression.normalize_domain(self._followup_delivery_tracked_domain())]
            )
        domain = expression.OR(domains) if domains else expression.FALSE_DOMAIN
        if operator in ("!=", "not in"):
            return ["!", *expression.normalize_domain(domain)]
        return domain

    # ------------------------------------------------------------------ finders

    @api.model
    def _followup_of_mails(self, mail_ids):
        """{mail.mail id: dispatch row} of the follow-up e-mails among ``mail_ids``."""
        # sudo: only the links are read, to record the delivery of our own e-mails,
        # whoever sends the queue.
        rows = self.sudo().search([("mail_id", "in", list(mail_ids))])
        return {row.mail_id.id: row for row in rows}

    @api.model
    def _followup_of_messages(self, message_ids):
        """{mail.message id: dispatch row} of the follow-up messages among
        ``message_ids``."""
        # sudo: as above, for the gateway (bounces) and other queues' delivery reports.
        rows = self.sudo().search([("message_id", "in", list(message_ids))])
        return {row.message_id.id: row for row in rows}
