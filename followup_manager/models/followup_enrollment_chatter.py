from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, models

from .tools import by_note_lang, int_param, note_lang


class FollowupEnrollmentChatter(models.AbstractModel):
    """What the followed-up documents' chatter says when follow-ups start or stop: one
    note per document in its readers' language, or one summary per sequence when they
    are too many; and the notes in the enrollments' own chatter."""

    _name = "followup.enrollment.chatter"
    _description = "Follow-up Enrollment: Chatter Notes"

    def _followup_note_author(self):
        """Author of automatic notes: the user if internal, else OdooBot (a customer
        replying or unsubscribing must not appear as the author of our notes)."""
        if self.env.user._is_internal():
            return self.env.user.partner_id.id
        return self.env.ref("base.partner_root").id

    @api.model
    def _followup_note_limit(self):
        """Most followed-up documents noted one by one when enrollments start or stop
        together (system parameter ``followup_manager.note_per_document_limit``, default
        100). Beyond, each sequence gets one summary note instead: thousands of chatter
        messages would cost more than the enrollments themselves, and the partner's
        follow-ups stay visible on its form (smart button)."""
        return int_param(self.env, "followup_manager.note_per_document_limit", 100)

    def _followup_note_langs(self):
        """{enrollment id: the language of the notes about it}. Someone acting reads
        their own; when nobody is (a scheduled job): the followed-up document's
        salesperson's, else the partner's salesperson's, else the company's (see
        tools.note_lang). One query per model of followed-up documents."""
        if self.env.context.get("lang"):
            return dict.fromkeys(self.ids, self.env.lang)
        ids_by_model = defaultdict(set)
        for enrollment in self:
            if enrollment.origin_model in self.env and enrollment.origin_id:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        salespeople = {}
        for model, ids in ids_by_model.items():
            field = self.env[model]._fields.get("user_id")
            if field is None or field.comodel_name != "res.users":
                continue
            # Deleted documents are left out; the rest read with their salesperson.
            origins = (
                self.env[model]
                .with_context(active_test=False)
                .search_fetch([("id", "in", sorted(ids))], ["user_id"])
            )
            salespeople.update(((model, origin.id), origin.user_id) for origin in origins)
            origins.user_id.fetch(["lang"])
        return {
            enrollment.id: note_lang(
                self.env,
                [
                    salespeople.get((enrollment.origin_model, enrollment.origin_id)),
                    enrollment.partner_id.user_id,
                ],
                enrollment.company_id,
            )
            for enrollment in self
        }

    def _followup_log_on_origins(self, event):
        """Post one note per followed-up document about these enrollments
        (``event``: "started" or "stopped"), in the language of its readers, or one
        summary note per sequence when they are more than ``_followup_note_limit()``
        documents."""
        documents = {(enrollment.origin_model, enrollment.origin_id) for enrollment in self}
        if len(documents) > self._followup_note_limit():
            if self.env.context.get("followup_enroll_job"):
                # A batch of a background job: the job notes its whole count at the end.
                return None
            return self._followup_log_summary(event, len(documents))
        langs = self._followup_note_langs()
        for enrollments in by_note_lang(self, lambda e: langs[e.id]).values():
            enrollments._followup_log_on_origins_in_lang(event)
        return None

    def _followup_log_on_origins_in_lang(self, event):
        reasons = dict(self._fields["stop_reason"]._description_selection(self.env))
        lines = defaultdict(list)
        for enrollment in self:
            if event == "started":
                line = self.env._(
                    "Follow-up sequence “%(sequence)s” started for %(partner)s.",
                    sequence=enrollment.sequence_id.name,
                    partner=enrollment.partner_id.display_name,
                )
            else:
                line = self.env._(
                    "Follow-up sequence “%(sequence)s” stopped for %(partner)s: %(reason)s.",
                    sequence=enrollment.sequence_id.name,
                    partner=enrollment.partner_id.display_name,
                    reason=reasons.get(enrollment.stop_reason, enrollment.stop_reason or ""),
                )
                if enrollment.stop_note:
                    line = f"{line} {enrollment.stop_note}"
            lines[enrollment.origin_model, enrollment.origin_id].append(line)
        by_model = defaultdict(dict)
        for (model, res_id), texts in lines.items():
            by_model[model][res_id] = Markup("<br/>").join(escape(text) for text in texts)
        author_id = self._followup_note_author()
        for model, bodies in by_model.items():
            # Origins deleted since the enrollment started get no note.
            records = self.env[model].browse(list(bodies)).exists()
            # _message_log_batch writes as superuser: the notes only describe
            # enrollments the user just changed.
            records._message_log_batch(
                bodies={rid: bodies[rid] for rid in records.ids}, author_id=author_id
            )

    def _followup_log_summary(self, event, documents):
        """One note per sequence saying how many of these enrollments started or
        stopped (and why), instead of a note on each of ``documents`` (a count)."""
        reasons = dict(self._fields["stop_reason"]._description_selection(self.env))
        bodies = {}
        for sequence in self.sequence_id:
            enrollments = self.filtered(lambda e, s=sequence: e.sequence_id == s)
            if event == "started":
                text = self.env._(
                    "%(count)s enrollments started, on %(documents)s documents: too many "
                    "for a note on each of them (see the enrollments of the sequence).",
                    count=len(enrollments),
                    documents=documents,
                )
            else:
                counts = defaultdict(int)
                for enrollment in enrollments:
                    counts[enrollment.stop_reason] += 1
                text = self.env._(
                    "%(count)s enrollments stopped (%(reasons)s), on %(documents)s documents: "
                    "too many for a note on each of them (see the enrollments of the "
                    "sequence).",
                    count=len(enrollments),
                    reasons=", ".join(
                        f"{reasons.get(reason, reason or '')}: {n}" for reason, n in counts.items()
                    ),
                    documents=documents,
                )
            bodies[sequence.id] = escape(text)
        # _message_log_batch writes as superuser: the notes only describe enrollments
        # the user just changed.
        self.sequence_id._message_log_batch(bodies=bodies, author_id=self._followup_note_author())

    # ------------------------------------------------------------------ the enrollments' chatter

    def _followup_log_batch(self, line):
        """One note per enrollment in its chatter, ``line(enrollment)`` its text; one
        batch insert for all."""
        if not self:
            return
        # _message_log_batch writes as superuser: the notes describe a change the user
        # just made (write access was checked by the public method).
        self._message_log_batch(
            bodies={e.id: Markup("<p>%s</p>") % escape(line(e)) for e in self},
            author_id=self._followup_note_author(),
        )
