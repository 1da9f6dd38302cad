from collections import defaultdict

from odoo import api, fields, models

from ..policy import vocabulary


class FollowupEnrollment(models.Model):
    """Stopping follow-ups: by hand, and on the events that end them (a reply, a
    withdrawal, a cancelled document)."""

    _inherit = "followup.enrollment"

    def action_stop(self, reason="manual", note=False):
        """Stop these enrollments (public, works on many records). Returns True."""
        self.check_access("write")
        self._stop(reason, note)
        return True

    def _stop(self, reason, note=False):
        """Stop the running (active or paused) enrollments of ``self`` with a reason, in
        batch, and tell the followed-up documents."""
        active = self.filtered(lambda enrollment: enrollment.state in vocabulary.RUNNING_STATES)
        if not active:
            return active
        active.write(
            {
                "state": "stopped",
                "stop_reason": reason,
                "stop_note": note or False,
                "date_stop": fields.Datetime.now(),
                "next_date": False,
            }
        )
        active._followup_log_on_origins("stopped")
        return active

    def _followup_active_domain(self):
        """Domain of the enrollments still running (a paused one too: a reply or a
        withdrawal ends it as well); override to narrow every stop."""
        return [("state", "in", list(vocabulary.RUNNING_STATES))]

    @api.model
    def _followup_stop_for_origins(self, records, reason, note=False, triggers=None):
        """Stop the active enrollments following up ``records`` (any model), only
        those of sequences with one of ``triggers`` if given."""
        if not records:
            return self.browse()
        domain = self._followup_active_domain() + [
            ("origin_model", "=", records._name),
            ("origin_id", "in", records.ids),
        ]
        if triggers is not None:
            domain.append(("sequence_id.trigger", "in", list(triggers)))
        # sudo: a stop is the consequence of an event the user was allowed to cause
        # (cancelling, archiving); it only ends follow-ups and reads nothing back.
        return self.sudo().search(domain)._stop(reason, note).sudo(False)

    @api.model
    def _followup_stop_for_partners(self, partners, reason, note=False, triggers=None):
        """Stop the active enrollments of ``partners`` (only of sequences with one of
        ``triggers`` if given)."""
        if not partners:
            return self.browse()
        domain = self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        if triggers is not None:
            domain.append(("sequence_id.trigger", "in", list(triggers)))
        # sudo: see _followup_stop_for_origins.
        return self.sudo().search(domain)._stop(reason, note).sudo(False)

    @api.model
    def _followup_stop_for_withdrawn(self, partners, channels):
        """Stop the active enrollments of ``partners`` whose remaining steps only
        contact them on channels they withdrew their consent for.

        Called by ``res.partner.followup_set_consent`` after a withdrawal. ``channels``
        are the channels just withdrawn; channels withdrawn earlier count as well.
        Steps without a channel (internal tasks) do not contact anybody and are ignored;
        an enrollment whose remaining steps contact nobody keeps running.
        """
        if not partners or not channels:
            return self.browse()
        # sudo: called from consent changes made by the person (public preference page)
        # or a user; only stops follow-ups, reads nothing back.
        enrollments = self.sudo().search(
            self._followup_active_domain() + [("partner_id", "in", partners.ids)]
        )
        if not enrollments:
            return self.browse()
        withdrawn = defaultdict(set)
        for partner in partners:
            withdrawn[partner.id].update(channels)
        if "followup.consent" in self.env:
            # sudo: as above; the current consents of these partners decide what stops.
            consents = (
                self.env["followup.consent"]
                .sudo()
                .search_fetch(
                    [("partner_id", "in", partners.ids), ("state", "=", "withdrawn")],
                    ["partner_id", "channel"],
                )
            )
            for consent in consents:
                withdrawn[consent.partner_id.id].add(consent.channel)
        to_stop = enrollments.browse()
        for enrollment in enrollments:
            remaining = (
                enrollment.next_step_id._followup_remaining_steps()
                if enrollment.next_step_id
                else enrollment.next_step_id
            )
            used = set().union(*(step._followup_channels() for step in remaining)) - {"none"}
            if used and used <= withdrawn[enrollment.partner_id.id]:
                to_stop |= enrollment
        return to_stop._stop("consent_withdrawn").sudo(False)

    @api.model
    def _followup_stop_on_reply(self, record, message):
        """A message was posted on ``record``: if its author is a partner followed up
        there by a sequence that stops on reply, stop following them up."""
        if not message.author_id:
            return self.browse()
        author = message.author_id
        # sudo: the author may be a customer (portal, incoming e-mail) without access
        # to enrollments; this only ends their own follow-ups on this document.
        enrollments = self.sudo().search(
            self._followup_active_domain()
            + [
                ("origin_model", "=", record._name),
                ("origin_id", "=", record.id),
                ("sequence_id.stop_on_reply", "=", True),
            ]
        )
        replied = enrollments.filtered(
            lambda enrollment: (
                enrollment.partner_id == author
                or enrollment.partner_id.commercial_partner_id == author.commercial_partner_id
            )
        )
        return replied._stop("replied").sudo(False)
