import psycopg2

from odoo import api, models, tools

# The message given to _add() (e.g. "unsubscribed from mailing X"): kept as the
# proof of the withdrawal it causes.
CONTEXT_MESSAGE = "followup_blacklist_message"


class FollowupBlacklistMirror(models.AbstractModel):
    """One of Odoo's opt-out lists, mirroring the consent history.

    One direction. A decision is recorded once, in followup.consent.event, and
    the lists follow from it (_followup_follow): a withdrawal lists the person's
    address or numbers, a grant takes them off unless someone else using them
    still withdrew. The lists are written *below* this mixin
    (``super(FollowupBlacklistMirror, ...)``, _followup_set_listed), so what the
    history writes never comes back to it as a decision. (An add-on loaded after
    this one that overrides a list's create() or write() sits above the mixin:
    it sees the entries made in Odoo's screens, not those the history writes.)

    An entry made anywhere else in Odoo (mass mailing's unsubscribe page, SMS
    marketing's STOP, the blacklist menu, an import) passes through create() and
    write() above Odoo's own and is recorded once, as a withdrawal of the
    channels it reaches, with the entry as its origin (_followup_record_entries);
    the history's projection then finds the entry there and writes nothing.
    Removing an entry grants nothing: consent needs the person's own act,
    recorded with res.partner.followup_set_consent.

    Mixed into mail.blacklist and phone.blacklist *before* them (``_inherit``
    lists this model first), so that these overrides wrap Odoo's own. Each list
    gives what differs: the attributes below, how its values are normalised,
    which partners hold a value, and its wording.
    """

    _name = "followup.blacklist.mirror"
    _description = "Follow-up Mirror of an Odoo Blacklist"

    # The field holding the address or number.
    _followup_value_field = None
    # The consent channels an entry withdraws, and the source of those events.
    _followup_channels = ()
    _followup_source = None

    # ------------------------------------------------------------------
    # In: an entry made elsewhere in Odoo is a withdrawal
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        # create() also returns existing entries, active or not: the active ones count.
        records.filtered("active")._followup_record_entries()
        return records

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active") or (vals.get(self._followup_value_field) and "active" not in vals):
            self.filtered("active")._followup_record_entries()
        return res

    def _add(self, value, message=None):
        return super(
            FollowupBlacklistMirror, self.with_context(**{CONTEXT_MESSAGE: message})
        )._add(value, message=message)

    def _followup_record_entries(self):
        """Record, once, the withdrawals these active entries mean: for every
        partner they reach, each of the list's channels not withdrawn already (an
        address listed again records nothing). Returns the new events."""
        events = self.env["followup.consent.event"]
        if not self:
            return events
        partners, targets = self._followup_targets()
        if not partners:
            return events
        # sudo: an entry Odoo already made; archived partners withdraw too, and
        # only their current consents are read.
        withdrawn = {
            (consent.partner_id.id, consent.channel)
            for consent in self.env["followup.consent"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("channel", "in", list(self._followup_channels)),
                    ("state", "=", "withdrawn"),
                ],
                ["partner_id", "channel"],
            )
        }
        vals_list = []
        for partner in partners:
            entry, proof = targets[partner.id]
            for channel in self._followup_channels:
                if (partner.id, channel) not in withdrawn:
                    vals_list += partner._followup_consent_event_vals(
                        channel, "withdrawn", self._followup_source, proof=proof, origin=entry
                    )
        # The entry is the person's objection as Odoo recorded it (an unsubscribe
        # link, an administrator); recording it only restricts contact.
        return events._record(vals_list)

    def _followup_message_suffix(self):
        """The message given to _add(), as plain text ending the proof."""
        message = self.env.context.get(CONTEXT_MESSAGE)
        return f"\n{tools.html2plaintext(message)}" if message else ""

    def _followup_targets(self):
        """The partners these entries reach, and for each ``{partner id: (the
        entry, the proof of the withdrawal)}``. Override per list."""
        raise NotImplementedError

    # ------------------------------------------------------------------
    # Out: the lists follow the history
    # ------------------------------------------------------------------

    @api.model
    def _followup_follow(self, events):
        """Bring every list that mixes this model in (mail.blacklist,
        phone.blacklist, a third party's) in line with new decisions.

        :param list events: the latest new followup.consent.event of each
            partner and channel
        """
        for name in sorted(self.pool.descendants(["followup.blacklist.mirror"], "_inherit")):
            if not self.env[name]._abstract:
                self.env[name]._followup_follow_decisions(events)

    @api.model
    def _followup_follow_decisions(self, events):
        """List the values of the partners who withdrew one of this list's
        channels; take off those of the partners who granted one, unless someone
        holding the value still withdrew one of them. A pending request changes
        nothing."""
        partners = self.env["res.partner"]
        add, remove = partners, partners
        for event in events:
            if event.channel not in self._followup_channels or event.state == "pending":
                continue
            if event.state == "withdrawn":
                add |= event.partner_id
            else:
                remove |= event.partner_id
        # sudo: only system administrators edit the lists; they follow the person's
        # decision, recorded with its proof; only addresses and numbers are written.
        blacklist = self.sudo().with_context(active_test=False)
        if add:
            blacklist._followup_set_listed(
                set().union(*blacklist._followup_values(add).values()),
                True,
                blacklist._followup_follow_message(True),
            )
        remove -= add
        values = set().union(*blacklist._followup_values(remove).values()) if remove else set()
        if values:
            blacklist._followup_set_listed(
                values - blacklist._followup_still_withdrawn(values),
                False,
                blacklist._followup_follow_message(False),
            )

    @api.model
    def _followup_still_withdrawn(self, values):
        """The values of ``values`` that someone holding them withdrew one of this
        list's channels for: they stay listed."""
        holders = self._followup_holders(values)
        # sudo: every holder of the value counts, whoever may read them; only ids
        # are read.
        still = (
            self.env["followup.consent"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("channel", "in", list(self._followup_channels)),
                    ("state", "=", "withdrawn"),
                    ("partner_id", "in", holders.ids),
                ],
                ["partner_id"],
            )
        )
        kept = self._followup_values(still.partner_id)
        return set(values) & set().union(*kept.values()) if kept else set()

    @api.model
    def _followup_set_listed(self, values, listed, message):
        """Put ``values`` on the list (``listed``) or take them off, in batch,
        logging ``message`` on each entry that changed. Written below this mixin:
        what the history writes is not a new decision."""
        values = self._followup_normalize(values)
        if not values:
            return self.browse()
        field = self._followup_value_field
        entries = self.search([(field, "in", values)])
        changed = entries.filtered(lambda entry: entry.active != listed)
        if changed:
            super(FollowupBlacklistMirror, changed).write({"active": listed})
        if listed:
            known = set(entries.mapped(field))
            changed |= self._followup_insert([value for value in values if value not in known])
        changed._message_log_batch(bodies=dict.fromkeys(changed.ids, message))
        return changed

    @api.model
    def _followup_insert(self, values):
        """New active entries for ``values``, below this mixin.

        Another transaction may list the same value at the same moment (two
        contacts sharing an address unsubscribe at once): the one that commits
        second meets the other's entry. That is what it asked for, the value is
        listed: it goes on without an entry of its own for that value."""
        if not values:
            return self.browse()
        below = super(
            FollowupBlacklistMirror,
            self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True),
        )
        vals_list = [{self._followup_value_field: value} for value in values]
        try:
            with self.env.cr.savepoint():
                return below.create(vals_list)
        except psycopg2.errors.UniqueViolation:
            pass
        created = self.browse()
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    created |= below.create([vals])
            except psycopg2.errors.UniqueViolation:
                continue
        return created

    @api.model
    def _followup_normalize(self, values):
        """The distinct, normalised values of ``values``, sorted, without empty
        ones. Override per list."""
        raise NotImplementedError

    @api.model
    def _followup_values(self, partners):
        """{partner id: the set of values of this list that reach the partner}.
        Override per list."""
        raise NotImplementedError

    @api.model
    def _followup_holders(self, values):
        """Every partner reached by one of ``values``, archived ones too.
        Override per list."""
        raise NotImplementedError

    @api.model
    def _followup_follow_message(self, listed):
        """The note logged on an entry the history lists (``listed``) or takes
        off. Override per list."""
        raise NotImplementedError
