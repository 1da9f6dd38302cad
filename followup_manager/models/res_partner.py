from odoo import api, fields, models

from .followup_partner_lifecycle import FOLLOWUP_LIFECYCLE_FIELDS
from .tools import FOLLOWUP_READERS


class ResPartner(models.Model):
    """The partner as follow-ups see it. Each concern is a mixin, in its own file:

    - ``followup.partner.lifecycle``: the lifecycle stage (visitor, prospect,
      customer, loyal, inactive), how the facts move it and setting it by hand;
    - ``followup.partner.lifecycle.facts``: the facts it is computed from (orders,
      opportunities, subscriptions), which the companions give;
    - ``followup.partner.contact``: what the person asked for, their time zone,
      whether their e-mail and numbers can be used, and whether they are away;
    - ``followup.partner.consent``: consent, its history, followup_check;
    - ``followup.partner.links``: signed public links, the headers and footer of
      follow-up e-mails, the double opt-in request;
    - ``followup.partner.followups``: the person's enrollments, the last decisions
      of the dispatch and "May we contact them now?";
    - ``followup.partner.bounce``: bounces of the person's e-mail address.

    Here: the relations to the add-on's records, and the one override of each of
    Odoo's methods, which call the mixins' named methods where a concern reacts."""

    _name = "res.partner"
    _inherit = [
        "res.partner",
        "followup.origin.mixin",
        "followup.partner.lifecycle",
        "followup.partner.lifecycle.facts",
        "followup.partner.contact",
        "followup.partner.consent",
        "followup.partner.links",
        "followup.partner.followups",
        "followup.partner.bounce",
    ]

    # Consent belongs to the person, not to a company: followup.consent has no
    # company, and a withdrawal recorded anywhere binds every company.
    followup_consent_ids = fields.One2many(
        "followup.consent",
        "partner_id",
        string="Consents",
        groups=FOLLOWUP_READERS,
    )
    followup_enrollment_ids = fields.One2many(
        "followup.enrollment",
        "partner_id",
        string="Follow-up Enrollments",
        groups=FOLLOWUP_READERS,
    )
    # The mixin's count, readable by auditors on the contact form too.
    followup_enrollment_count = fields.Integer(groups=FOLLOWUP_READERS)

    def _compute_followup_enrollment_count(self):
        # Every enrollment about the person, whatever document it follows up.
        counts = self._followup_count_per_partner("followup.enrollment")
        for partner in self:
            partner.followup_enrollment_count = counts.get(partner, 0)

    # ------------------------------------------------------------------ lifecycle

    @api.model
    def _commercial_fields(self):
        # The stage is the relationship's, shared by the company and its contacts.
        return super()._commercial_fields() + list(FOLLOWUP_LIFECYCLE_FIELDS)

    def _fields_sync(self, values):
        # _followup_apply_lifecycle() writes the stage on whole families at once;
        # the per-partner sync to children would only repeat it, one query each.
        if self.env.context.get("followup_lifecycle_family_written") and set(values) <= set(
            FOLLOWUP_LIFECYCLE_FIELDS
        ):
            return
        return super()._fields_sync(values)

    # ------------------------------------------------------------------ bounces

    def _message_receive_bounce(self, email, partner):
        res = super()._message_receive_bounce(email, partner)
        self._followup_bounce_received(email)
        return res

    def _message_reset_bounce(self, email):
        # Mail came from the address: it works again, for follow-ups too, for the
        # partners whose address it is.
        res = super()._message_reset_bounce(email)
        self._followup_with_address(email)._followup_clear_bounce()
        return res

    # ------------------------------------------------------------------ ORM

    def write(self, vals):
        # What each concern must know of the partners as they were.
        vals, stage_before = self._followup_lifecycle_prepare_write(vals)
        archived = self._followup_being_archived(vals)
        new_address = self._followup_email_changing(vals)
        res = super().write(vals)
        # Their reactions: the stage reached (or the company joined), the follow-ups
        # of archived partners stop, a new address forgets the old one's bounces.
        self._followup_lifecycle_written(vals, stage_before)
        archived._followup_on_archived()
        new_address._followup_on_email_changed()
        return res

    def unlink(self):
        # The database deletes the partners' notifications with them: the follow-up
        # decisions keep what those said (followup_delivery.py).
        self.env["followup.delivery"]._followup_keep([("partner_id", "in", self.ids)])
        return super().unlink()
