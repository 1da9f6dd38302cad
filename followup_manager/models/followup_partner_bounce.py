from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import email_normalize

from ..policy import bounce
from .tools import FOLLOWUP_READERS, activity_vals, int_param

# Context keys set by mail.thread._routing_handle_bounce (mail_thread.py) for
# the partners Odoo counts the bounce on: what the delivery report said, and the
# message that bounced.
CONTEXT_DELIVERY_STATUS = "followup_delivery_status"
CONTEXT_BOUNCED_MESSAGE = "followup_bounced_message_id"
# The e-mail fields a new bounce or a reset writes.
BOUNCE_FIELDS = (
    "followup_email_bounced_date",
    "followup_email_bounce_info",
    "followup_email_retry_after",
    "followup_email_bounce_message_id",
    "followup_email_soft_since",
)


class FollowupPartnerBounce(models.AbstractModel):
    """Bounces of the partner's e-mail address, as follow-ups see them.

    Odoo's gateway counts every bounce on the partner (``message_bounce``) and
    resets the count when mail comes from the address again; the delivery report
    says more: a hard bounce (5.x.x, or a bounce without a report) makes the
    address unusable for follow-ups until it changes or mail comes from it again;
    a soft one (4.x.x) makes e-mail wait and try again (see policy.bounce). The
    date, the server's words and the message that bounced are kept, so that the
    why-log can say it and delivery tracking can find the decision that sent it.

    A mixin of res.partner: its ``_message_receive_bounce``, ``_message_reset_bounce``
    and ``write`` call the methods below.
    """

    _name = "followup.partner.bounce"
    _description = "Partner: E-mail Bounces"

    followup_email_bounced_date = fields.Datetime(
        string="E-mail Bounced On",
        readonly=True,
        index="btree_not_null",
        copy=False,
        groups=FOLLOWUP_READERS,
        help="A follow-up or other e-mail to this address bounced for good: follow-ups "
        "no longer use it until the address changes or mail comes from it again.",
    )
    followup_email_bounce_info = fields.Char(
        string="Bounce Diagnostic",
        readonly=True,
        copy=False,
        groups=FOLLOWUP_READERS,
        help="What the receiving mail server said about the last bounce.",
    )
    followup_email_retry_after = fields.Datetime(
        string="E-mail Retried After",
        readonly=True,
        copy=False,
        groups=FOLLOWUP_READERS,
        help="The last e-mail bounced with a temporary failure: follow-up e-mails wait "
        "until then.",
    )
    followup_email_bounce_message_id = fields.Many2one(
        "mail.message",
        string="Bounced Message",
        readonly=True,
        copy=False,
        ondelete="set null",
        groups=FOLLOWUP_READERS,
        help="The message whose e-mail bounced last, when the report named it.",
    )
    followup_email_soft_since = fields.Datetime(
        string="Failing Since",
        readonly=True,
        copy=False,
        groups=FOLLOWUP_READERS,
        help="The first of the temporary failures (full mailbox...) since the address "
        "last worked: repeated failures spread over days make it unusable.",
    )
    followup_email_state = fields.Selection(
        [("ok", "Usable"), ("soft", "Bounced temporarily"), ("bounced", "Bounced")],
        string="E-mail Delivery",
        compute="_compute_followup_email_state",
        search="_search_followup_email_state",
        groups=FOLLOWUP_READERS,
    )

    @api.depends("followup_email_bounced_date", "followup_email_retry_after")
    def _compute_followup_email_state(self):
        now = fields.Datetime.now()
        for partner in self:
            if partner.followup_email_bounced_date:
                partner.followup_email_state = "bounced"
            elif partner.followup_email_retry_after and partner.followup_email_retry_after > now:
                partner.followup_email_state = "soft"
            else:
                partner.followup_email_state = "ok"

    def _search_followup_email_state(self, operator, value):
        if operator not in ("=", "!=") or value not in ("ok", "soft", "bounced"):
            return NotImplemented
        now = fields.Datetime.now()
        domains = {
            "bounced": [("followup_email_bounced_date", "!=", False)],
            "soft": [
                ("followup_email_bounced_date", "=", False),
                ("followup_email_retry_after", ">", now),
            ],
            "ok": [
                ("followup_email_bounced_date", "=", False),
                "|",
                ("followup_email_retry_after", "=", False),
                ("followup_email_retry_after", "<=", now),
            ],
        }
        domain = domains[value]
        return domain if operator == "=" else ["!", *domain]

    # ------------------------------------------------------------------ Odoo's counter

    def _followup_bounce_received(self, email):
        """Odoo just counted a bounce of ``email`` on these partners
        (``_message_receive_bounce``): record it for follow-ups, on the partners whose
        current address bounced."""
        status = self.env.context.get(CONTEXT_DELIVERY_STATUS)
        # The address that bounced is the one the delivery report names (as it
        # failed, or as it was written before a forward). Odoo also counts a bounce
        # on the partner the bounced message was sent to, or on the record it was
        # posted on, when the report names an address no partner has any more (the
        # partner changed it since): that is no bounce of their current address.
        addresses = (status.addresses if status else ()) or (email,)
        self._followup_with_address(*addresses)._followup_receive_bounce(
            status, self.env.context.get(CONTEXT_BOUNCED_MESSAGE)
        )

    def _followup_with_address(self, *emails):
        """The partners of ``self`` whose current e-mail address is one of ``emails``."""
        normalized = {email_normalize(email or "") for email in emails} - {False}
        return self.filtered(lambda partner: partner.email_normalized in normalized)

    def _followup_email_changing(self, vals):
        """Before res.partner.write(vals): the partners whose address ``vals`` changes."""
        if "email" not in vals:
            return self.browse()
        new = email_normalize(vals["email"] or "") or False
        return self.filtered(lambda partner: partner.email_normalized != new)

    def _followup_on_email_changed(self):
        """After the write that changed these partners' address."""
        if self:
            # A new address starts clean: the bounces were those of the old one
            # (Odoo's counter included, which would otherwise make its first
            # temporary failure a hard bounce).
            self._followup_clear_bounce()
            self.filtered("message_bounce").write({"message_bounce": 0})

    # ------------------------------------------------------------------ recording

    @api.model
    def _followup_bounce_limit(self):
        """Bounces of an address (Odoo's ``message_bounce``) after which a temporary
        failure counts as a hard bounce (system parameter
        ``followup_manager.bounce_limit``, default 3; 0: never)."""
        return int_param(self.env, "followup_manager.bounce_limit", 3)

    @api.model
    def _followup_soft_bounce_hours(self):
        """Hours follow-up e-mails wait after a temporary failure (system parameter
        ``followup_manager.soft_bounce_hours``, default 24)."""
        return int_param(self.env, "followup_manager.soft_bounce_hours", 24, minimum=1)

    @api.model
    def _followup_bounce_spread_days(self):
        """Days the temporary failures of an address must span before they make it
        unusable (system parameter ``followup_manager.bounce_spread_days``, default
        7: Odoo's mass mailing wants a week between the first and the last bounce)."""
        return int_param(self.env, "followup_manager.bounce_spread_days", 7)

    def _followup_receive_bounce(self, status, message_id=False):
        """Record a bounce of these partners' address (Odoo counted it already).

        :param status: the recipient's ``policy.bounce.DeliveryStatus``, or None
            when the bounce carried no delivery report
        :param int message_id: the ``mail.message`` whose e-mail bounced, if known
        """
        now = fields.Datetime.now()
        limit = self._followup_bounce_limit()
        info = status.summary if status else False
        spread_after = timedelta(days=self._followup_bounce_spread_days())
        hard, soft = self.browse(), self.browse()
        for partner in self:
            # sudo: the gateway's user reads what it recorded before.
            since = partner.sudo().followup_email_soft_since
            spread = bool(since) and now - since >= spread_after
            kind = bounce.bounce_kind(status, partner.message_bounce, limit, spread)
            if kind == bounce.HARD:
                hard |= partner
            elif kind == bounce.SOFT:
                soft |= partner
        # sudo: the gateway's user records what the mail servers reported; these
        # fields are read-only for everybody else.
        values = {
            "followup_email_bounce_info": info,
            "followup_email_bounce_message_id": message_id,
        }
        if soft:
            retry = now + timedelta(hours=self._followup_soft_bounce_hours())
            soft.sudo().write(dict(values, followup_email_retry_after=retry))
            soft.sudo().filtered(lambda partner: not partner.followup_email_soft_since).write(
                {"followup_email_soft_since": now}
            )
        newly = hard.filtered(lambda partner: not partner.followup_email_bounced_date)
        if hard:
            hard.sudo().write(
                dict(values, followup_email_bounced_date=now, followup_email_retry_after=False)
            )
        if newly:
            newly._followup_on_hard_bounce()
        return hard, soft

    def _followup_clear_bounce(self):
        # sudo: only whether the address bounced is read, to clear it (as below).
        bounced = self.filtered(
            lambda partner: (
                partner.sudo().followup_email_bounced_date
                or partner.sudo().followup_email_retry_after
            )
        )
        if bounced:
            # sudo: see _followup_receive_bounce.
            bounced.sudo().write(dict.fromkeys(BOUNCE_FIELDS, False))

    def _followup_on_hard_bounce(self):
        """The address just became unusable: follow-ups that only had e-mails left
        stop (reason ``bounced``), and the responsible salesperson gets one
        activity asking to check the address. Override to react further."""
        enrollments = self.env["followup.enrollment"]._followup_stop_for_bounced(self)
        self._followup_bounce_activities(enrollments)

    def _followup_bounce_activities(self, stopped):
        """One "check the address" activity per partner followed up (running or
        just stopped enrollments), for the partner's salesperson or else the
        enrollment's, unless one is still open."""
        activity_type = self.env.ref(
            "followup_manager.mail_activity_type_followup_bounced", raise_if_not_found=False
        )
        if not activity_type:
            return self.env["mail.activity"]
        # sudo: a system reaction to a mail server's report; it reads the partners'
        # enrollments and open activities only to avoid duplicates.
        partners = self.sudo()
        running = (
            self.env["followup.enrollment"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("state", "=", "active")])
        )
        followed = running | stopped.sudo()
        open_types = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        already = set(open_types.mapped("res_id"))
        vals_list = []
        for partner in partners:
            enrollments = followed.filtered(lambda e, p=partner: e.partner_id == p)
            if not enrollments or partner.id in already:
                continue
            user = partner.user_id or enrollments.user_id[:1]
            if not user:
                continue
            vals_list.append(partner._followup_bounce_activity_vals(activity_type, user))
        # sudo: the to-do is the system's reaction to a mail server's report; the
        # assignee is the partner's salesperson, whoever handles the bounce.
        return self.env["mail.activity"].sudo().create(vals_list)

    def _followup_bounce_activity_vals(self, activity_type, user):
        """The values of the "check the address" activity of this partner for ``user``,
        written in the user's language."""
        self.ensure_one()
        lang = user.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        return activity_vals(
            self,
            user,
            activity_type,
            env._("E-mail address bounced: check it"),
            Markup("<p>%s</p>")
            % env._(
                "The e-mail address %(email)s of %(partner)s bounced on %(date)s: "
                "%(info)s. Follow-ups no longer write to it; correct the address "
                "or ask the person for a new one.",
                email=self.email or "",
                partner=self.display_name,
                date=fields.Datetime.to_string(self.followup_email_bounced_date)[:16],
                info=self.followup_email_bounce_info or env._("no explanation from the server"),
            ),
        )
