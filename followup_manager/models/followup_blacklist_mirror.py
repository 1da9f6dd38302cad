from odoo import api, models, tools

# Set while the consent history writes into the blacklist: the decision is
# recorded already, so the blacklist must not mirror it back as a new event.
CONTEXT_FROM_CONSENT = "followup_blacklist_from_consent"
# The message given to _add() (e.g. "unsubscribed from mailing X"): kept as the
# proof of the withdrawal it causes.
CONTEXT_MESSAGE = "followup_blacklist_message"


class FollowupBlacklistMirror(models.AbstractModel):
    """Keeps consent and one of Odoo's blacklists in line, both ways.

    An entry made anywhere in Odoo (a mass mailing or SMS marketing opt-out, the
    blacklist menu, an import) reads as withdrawn consents here, with events.
    Removing an entry grants nothing: consent needs the person's own act,
    recorded with res.partner.followup_set_consent. The other way, the consent
    history adds and removes entries in batch (_followup_add, _followup_remove).

    Mixed into mail.blacklist and phone.blacklist *before* them (``_inherit``
    lists this model first), so that these overrides wrap Odoo's own. Each
    blacklist gives what differs: the attributes below, how its values are
    normalised, which partners its entries reach, and the proof's wording.
    """

    _name = "followup.blacklist.mirror"
    _description = "Follow-up Mirror of an Odoo Blacklist"

    # The field holding the address or number.
    _followup_value_field = None
    # The consent channels an entry withdraws, and the source of those events.
    _followup_channels = ()
    _followup_source = None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        # create() also returns existing entries, active or not: mirror the active ones.
        records.filtered("active")._followup_withdraw_consents()
        return records

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active") or (vals.get(self._followup_value_field) and "active" not in vals):
            self.filtered("active")._followup_withdraw_consents()
        return res

    def _add(self, value, message=None):
        return super(
            FollowupBlacklistMirror, self.with_context(**{CONTEXT_MESSAGE: message})
        )._add(value, message=message)

    def _followup_withdraw_consents(self):
        if not self or self.env.context.get(CONTEXT_FROM_CONSENT):
            return
        partners, targets = self._followup_targets()
        if not partners:
            return
        partners._followup_withdraw_from_blacklist(
            list(self._followup_channels),
            self._followup_source,
            lambda partner: targets[partner.id][1],
            {partner_id: origin for partner_id, (origin, _proof) in targets.items()},
        )

    def _followup_message_suffix(self):
        """The message given to _add(), as plain text ending the proof."""
        message = self.env.context.get(CONTEXT_MESSAGE)
        return f"\n{tools.html2plaintext(message)}" if message else ""

    def _followup_targets(self):
        """The partners these entries reach, and for each ``{partner id: (the
        entry, the proof of the withdrawal)}``. Override per blacklist."""
        raise NotImplementedError

    @api.model
    def _followup_normalize(self, values):
        """The distinct, normalised values of ``values``, sorted, without empty
        ones. Override per blacklist."""
        raise NotImplementedError

    @api.model
    def _followup_add(self, values, message):
        """Blacklist ``values`` in batch, logging ``message`` on each entry.
        Unlike _add(), one call for many values."""
        values = self._followup_normalize(values)
        if not values:
            return self.browse()
        blacklist = self.with_context(
            active_test=False,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            **{CONTEXT_FROM_CONSENT: True},
        )
        # create() returns the existing entries too (phone.blacklist reactivates them).
        records = blacklist.create([{self._followup_value_field: value} for value in values])
        records.filtered(lambda record: not record.active).write({"active": True})
        records._message_log_batch(bodies=dict.fromkeys(records.ids, message))
        return records

    @api.model
    def _followup_remove(self, values, message):
        """Take ``values`` off the blacklist in batch, logging ``message`` on
        each entry that was active."""
        values = self._followup_normalize(values)
        if not values:
            return self.browse()
        records = self.with_context(**{CONTEXT_FROM_CONSENT: True}).search(
            [(self._followup_value_field, "in", values)]
        )
        records.write({"active": False})
        records._message_log_batch(bodies=dict.fromkeys(records.ids, message))
        return records
