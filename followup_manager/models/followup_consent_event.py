import hashlib
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .followup_arguments import check_choice, check_id, check_text
from .followup_consent import CONTEXT_APPLY
from .followup_consent_mixin import CONSENT_CHANNELS, CONSENT_STATES, LEGAL_BASES

# Size limits of the consent history, in characters. Beyond them create() raises a
# ValidationError naming the field, before the database is reached (a long indexed
# text would otherwise fail there, with a database error).
HISTORY_LIMITS = {
    # A key such as "preference_page" or an importer's own; indexed.
    "source": 128,
    # The wording the person saw: a consent text with the privacy notice it quotes
    # fits many times over; a document does not belong here.
    "proof": 20_000,
    # The model of the document the decision came from (its id is an integer).
    "origin_model": 128,
    # The longest textual IPv6 address (with an IPv4 tail) is 45 characters.
    "ip_address": 45,
    # A browser's User-Agent header; followup_set_consent cuts longer ones to this.
    "user_agent": 512,
}

# The partner's name, e-mail and numbers at the time are copies the history makes
# itself: kept whole up to this length and cut beyond it (with an ellipsis), never
# refused: a partner's odd data must not stop their decision from being recorded.
SNAPSHOT_LIMIT = 512
SNAPSHOT_FIELDS = (
    "partner_name_snapshot",
    "partner_email_snapshot",
    "partner_phone_snapshot",
    # The origin's name at the time: a copy of a document's name, cut like the others.
    "origin_label",
)

AUDITOR_GROUP = "followup_manager.followup_manager_group_auditor"
USER_GROUP = "followup_manager.followup_manager_group_user"

# The columns that make an event what it is. The database refuses to change any of
# them (see init()); partner_id may only move to another partner, which is what
# Odoo's partner merge does with the history of a duplicate.
_FROZEN_COLUMNS = (
    "id",
    "channel",
    "state",
    "legal_basis",
    "source",
    "proof",
    "proof_hash",
    "origin_model",
    "origin_id",
    "origin_label",
    "user_id",
    "ip_address",
    "user_agent",
    "partner_name_snapshot",
    "partner_email_snapshot",
    "partner_phone_snapshot",
    "create_date",
)


class FollowupConsentEvent(models.Model):
    """One consent decision, as it happened: the append-only history.

    Every grant, withdrawal, confirmation, soft opt-in or import is a new row;
    corrections are new rows too. Nobody can change or delete a row: not users
    (no access rights), not administrators nor sudo() code (write/unlink raise),
    not SQL (a trigger, see init()).

    One direction: every decision enters here once, through _record, whoever
    takes it (a user, the person on a public page, a confirmed order, an entry
    made in Odoo's own blacklist screens: see followup.blacklist.mirror), and
    the current state (followup.consent) and Odoo's blacklists follow from the
    new events (_apply_to_consents); nothing they write comes back as an event.

    Partners with a history cannot be deleted (partner_id is ``restrict``): archive
    them. The name, e-mail and phone at the time of the decision are kept on the
    event, so the proof still reads right after the partner changes address.
    """

    _name = "followup.consent.event"
    _inherit = ["followup.consent.mixin"]
    _description = "Follow-up Consent Event"
    _order = "create_date desc, id desc"

    partner_id = fields.Many2one(ondelete="restrict")
    source = fields.Char(required=True, index=True)
    proof = fields.Text(readonly=True, help="The wording the person saw, or what happened.")
    proof_hash = fields.Char(
        string="Proof Hash (SHA-256)",
        readonly=True,
        index=True,
        help="SHA-256 of the wording: events with the same hash showed the same text.",
    )
    # The document the decision came from, as it was: its model, id and name at the
    # time. Not a stored Reference: Odoo's partner merge rewrites every stored
    # reference to a merged contact, and the history is not rewritten (see
    # base_partner_merge_automatic_wizard.py). ``origin`` reads the pair.
    origin_model = fields.Char(readonly=True)
    origin_id = fields.Many2oneReference(
        string="Origin Record", model_field="origin_model", readonly=True
    )
    origin_label = fields.Char(
        string="Origin at the Time",
        readonly=True,
        help="The name of the document when the decision was recorded: it stays "
        "readable after the document is merged or deleted.",
    )
    origin = fields.Reference(
        selection="_selection_origin_model",
        compute="_compute_origin",
        help="The document the decision came from (empty once it no longer exists: "
        "see Origin at the Time).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        # The history names who recorded it: such users are archived, not deleted.
        ondelete="restrict",
    )
    ip_address = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(readonly=True)
    partner_name_snapshot = fields.Char(string="Name at the Time", readonly=True)
    partner_email_snapshot = fields.Char(string="E-mail at the Time", readonly=True)
    partner_phone_snapshot = fields.Char(string="Phone at the Time", readonly=True)

    @api.model
    def _selection_origin_model(self):
        # sudo: only the technical names and labels of the models, for the selection.
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("origin_model", "origin_id")
    def _compute_origin(self):
        # One existence check per model; a merged or deleted document reads as empty.
        ids_by_model = defaultdict(set)
        for event in self:
            if event.origin_model in self.env and event.origin_id:
                ids_by_model[event.origin_model].add(event.origin_id)
        existing = {
            model: set(self.env[model].browse(ids).exists()._ids)
            for model, ids in ids_by_model.items()
        }
        for event in self:
            model, res_id = event.origin_model, event.origin_id
            found = res_id in existing.get(model, ())
            event.origin = f"{model},{res_id}" if found else False

    @api.depends("partner_id", "channel", "state")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        states = dict(self._fields["state"]._description_selection(self.env))
        for event in self:
            event.display_name = self.env._(
                "%(partner)s: %(channel)s %(state)s",
                partner=event.partner_name_snapshot or event.partner_id.display_name,
                channel=channels.get(event.channel, ""),
                state=(states.get(event.state) or "").lower(),
            )

    def init(self):
        # The last line of defence, below the ORM: nothing but a partner merge may
        # touch a stored event. TRUNCATE is refused too.
        frozen = SQL(" OR ").join(
            SQL("NEW.%s IS DISTINCT FROM OLD.%s", SQL.identifier(col), SQL.identifier(col))
            for col in _FROZEN_COLUMNS
        )
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE FUNCTION followup_consent_event_append_only()
            RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.partner_id IS NOT NULL AND NOT (%s) THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'followup_consent_event is append-only: %% refused', TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$;
            DROP TRIGGER IF EXISTS followup_consent_event_append_only ON followup_consent_event;
            CREATE TRIGGER followup_consent_event_append_only
                BEFORE UPDATE OR DELETE ON followup_consent_event
                FOR EACH ROW EXECUTE FUNCTION followup_consent_event_append_only();
            DROP TRIGGER IF EXISTS followup_consent_event_no_truncate ON followup_consent_event;
            CREATE TRIGGER followup_consent_event_no_truncate
                BEFORE TRUNCATE ON followup_consent_event
                FOR EACH STATEMENT EXECUTE FUNCTION followup_consent_event_append_only();
            """,
                frozen,
            )
        )

    # ------------------------------------------------------------------
    # Append-only
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._followup_check_recorder()
        # The values as they will be inserted: the defaults (a caller's context can
        # carry default_proof...) under the given ones.
        defaults = self.default_get(list(HISTORY_LIMITS))
        for vals in vals_list:
            self._followup_check_sizes({**defaults, **vals})
        # sudo: the snapshot copies the name, e-mail and numbers of the partners of
        # events whose creation was already allowed (followup_set_consent checks the
        # caller, the other creators are system reactions); nothing is returned.
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .browse({vals["partner_id"] for vals in vals_list if vals.get("partner_id")})
        )
        numbers = partners._followup_phone_numbers()
        for vals in vals_list:
            proof = vals.get("proof") or ""
            # Always computed here, never taken from the caller.
            vals["proof_hash"] = hashlib.sha256(proof.encode()).hexdigest() if proof else False
            partner = partners.browse(vals.get("partner_id"))
            if partner:
                vals.setdefault("partner_name_snapshot", partner.name)
                vals.setdefault(
                    "partner_email_snapshot", partner.email_normalized or partner.email
                )
                vals.setdefault(
                    "partner_phone_snapshot", ", ".join(numbers.get(partner.id, ())) or False
                )
            self._followup_cut_snapshots(vals)
        events = super().create(vals_list)
        events._apply_to_consents()
        return events

    # ------------------------------------------------------------------
    # What may enter: who records a decision, how large each text may be
    # (checked on the values as they will be stored, whatever the path)
    # ------------------------------------------------------------------

    @api.model
    def _followup_check_recorder(self):
        """Auditors record nothing (separation of duties): a consent auditor who is
        not also a follow-up user cannot append to the history, whatever public
        method they call. Everybody else is checked by the method that records."""
        user = self.env.user
        if user.has_group(AUDITOR_GROUP) and not user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Consent auditors read the consent history; they cannot record "
                    "decisions in it."
                )
            )

    @api.model
    def _followup_check_sizes(self, vals):
        """Raise a ValidationError naming the first text of ``vals`` longer than
        its limit (HISTORY_LIMITS)."""
        for name, limit in HISTORY_LIMITS.items():
            value = vals.get(name)
            if isinstance(value, str) and len(value) > limit:
                raise ValidationError(
                    self.env._(
                        "%(field)s of a consent decision can be at most %(limit)s "
                        "characters long (%(length)s given).",
                        field=self._fields[name]._description_string(self.env),
                        limit=limit,
                        length=len(value),
                    )
                )

    @api.model
    def _followup_cut_snapshots(self, vals):
        """Cut the snapshots of ``vals`` (SNAPSHOT_FIELDS) to SNAPSHOT_LIMIT, in place."""
        for name in SNAPSHOT_FIELDS:
            value = vals.get(name)
            if isinstance(value, str) and len(value) > SNAPSHOT_LIMIT:
                vals[name] = value[: SNAPSHOT_LIMIT - 1] + "…"

    @api.model
    def _record(self, vals_list):
        """Record a batch of decisions: the one door every part of the add-on
        uses to write the history.

        :param list vals_list: one dict per event with ``partner_id``,
            ``channel``, ``state`` and ``source``, and optionally
            ``legal_basis`` (default ``consent`` for a grant or a pending
            request), ``proof``, ``origin`` (a record or ``"model,id"``),
            ``ip_address`` and ``user_agent``; checked here (UserError)
        :return: the new events
        """
        vals_list = self._record_origin_labels([self._record_vals(vals) for vals in vals_list])
        # sudo: nobody has create rights on the append-only history. This
        # private method is the add-on's only way in: followup_set_consent
        # checks its caller first, the other callers are system reactions (a
        # confirmed order's soft opt-in, a blacklist entry, a merge); user_id
        # keeps who made the call.
        return self.sudo().create(vals_list)

    @api.model
    def _record_vals(self, vals):
        """The checked values of one event (see _record): a UserError naming the
        argument for anything malformed, whoever the caller."""
        env = self.env
        channel = check_choice(env, "channel", vals.get("channel"), CONSENT_CHANNELS)
        state = check_choice(env, "state", vals.get("state"), CONSENT_STATES)
        legal_basis = check_choice(
            env, "legal_basis", vals.get("legal_basis"), LEGAL_BASES, optional=True
        )
        source = vals.get("source")
        if not source or not isinstance(source, str):
            raise UserError(env._("Say where the consent decision comes from (source)."))
        # Lengths are bounded where every writer passes (HISTORY_LIMITS).
        check_text(env, "source", source)
        if not legal_basis and state in ("granted", "pending"):
            legal_basis = "consent"
        origin_model, origin_id = self._record_origin(vals.get("origin"))
        return {
            "partner_id": check_id(env, "partner_id", vals.get("partner_id")),
            "channel": channel,
            "state": state,
            "legal_basis": legal_basis or False,
            "source": source,
            "proof": check_text(env, "proof", vals.get("proof")),
            "origin_model": origin_model,
            "origin_id": origin_id,
            "user_id": self.env.uid,
            "ip_address": check_text(env, "ip_address", vals.get("ip_address")),
            "user_agent": (check_text(env, "user_agent", vals.get("user_agent")) or "")[:512]
            or False,
        }

    @api.model
    def _record_origin(self, origin):
        """``(model, id)`` of an origin given as a record or ``"model,id"``."""
        if not origin:
            return False, False
        if isinstance(origin, models.BaseModel):
            if len(origin) != 1:
                raise UserError(self.env._("The origin of a decision is one document."))
            return origin._name, origin.id
        model, _sep, res_id = origin.partition(",") if isinstance(origin, str) else ("", "", "")
        if model not in self.env:
            raise UserError(
                self.env._(
                    "Invalid value for origin: %(origin)s. Expected a document given as "
                    '"model,id", such as "res.partner,42".',
                    origin=repr(origin)[:80],
                )
            )
        return model, check_id(self.env, "origin", res_id)

    @api.model
    def _record_origin_labels(self, vals_list):
        """Fill ``origin_label``, the name of each origin now, read per model."""
        ids_by_model = defaultdict(set)
        for vals in vals_list:
            if vals["origin_model"]:
                ids_by_model[vals["origin_model"]].add(vals["origin_id"])
        names = {}
        for model, ids in ids_by_model.items():
            # sudo: only the names of the documents, for the history's own record of
            # where a decision came from; callers checked their access to the origin.
            for record in self.env[model].sudo().browse(ids).exists():
                names[model, record.id] = record.display_name
        for vals in vals_list:
            key = (vals["origin_model"], vals["origin_id"])
            vals["origin_label"] = names.get(key, False) if vals["origin_model"] else False
        return vals_list

    def write(self, vals):
        if self:
            raise UserError(
                self.env._("The consent history cannot be changed: record a new decision instead.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The consent history cannot be deleted."))

    # ------------------------------------------------------------------
    # Projection onto the current state
    # ------------------------------------------------------------------

    def _apply_to_consents(self):
        """Write the current state (followup.consent) from these new events, the
        last event of a partner and channel winning; Odoo's blacklists follow the
        same decisions. A fixed number of queries for the whole batch."""
        latest = {}
        for event in self:
            latest[event.partner_id.id, event.channel] = event
        # sudo: the projection follows events whose creation was already allowed;
        # it is the only writer of followup.consent (see CONTEXT_APPLY).
        consents = (
            self.env["followup.consent"]
            .sudo()
            .with_context(**{CONTEXT_APPLY: True, "mail_create_nosubscribe": True})
        )
        existing = consents.search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("channel", "in", list(set(self.mapped("channel")))),
            ]
        )
        by_key = {(consent.partner_id.id, consent.channel): consent for consent in existing}
        to_create, to_write = [], defaultdict(lambda: consents)
        for (partner_id, channel), event in latest.items():
            vals = {
                "state": event.state,
                "legal_basis": event.legal_basis,
                "source": event.source,
                "date": event.create_date,
            }
            consent = by_key.get((partner_id, channel))
            if consent:
                to_write[tuple(vals.items())] |= consent
            else:
                to_create.append(dict(vals, partner_id=partner_id, channel=channel))
        # The chatter shows each change as tracking would, but logged in batch
        # (mail.thread's own tracking posts one message per record at commit).
        track = not self.env.context.get("tracking_disable")
        before = existing._followup_tracked_values() if track else {}
        for vals, records in to_write.items():
            records.with_context(tracking_disable=True).write(dict(vals))
        consents.create(to_create)
        if track:
            existing._followup_log_changes(before)
        # Odoo's opt-out lists, which its other apps honour, follow the same
        # decisions (each list decides what a decision means for it).
        self.env["followup.blacklist.mirror"]._followup_follow(list(latest.values()))
        self.partner_id._followup_on_consent_changed(self)
