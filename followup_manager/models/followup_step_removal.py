"""A step deleted while enrollments wait for it: they go on with the next step.

The enrollment's ``next_step_id`` would otherwise be emptied by the database
(``ondelete="set null"``), and an enrollment without a next step ends "done" at its
next dispatch: the rest of the sequence silently skipped. Instead, before the steps go,
each enrollment waiting for one of them (running or paused) moves on to the step that
follows in the sequence's order, at the date it had (no step comes sooner than planned);
when none follows, it ends there. Either way its chatter says which step was deleted and
what became of the follow-up.
"""

from markupsafe import escape

from odoo import fields, models


class FollowupStep(models.Model):
    _inherit = "followup.step"

    def unlink(self):
        # Refused before anything moves when the user may not delete these steps.
        self.check_access("unlink")
        self._followup_move_waiting_enrollments()
        return super().unlink()

    def _followup_waiting_enrollments(self):
        """The running or paused enrollments whose next step is one of these.
        Override to move other enrollments too."""
        # sudo: the enrollments of every salesperson wait for the step; the user may
        # delete it (checked above), and they only move on in its own sequence.
        return (
            self.env["followup.enrollment"]
            .sudo()
            .search([("next_step_id", "in", self.ids), ("state", "in", ("active", "paused"))])
        )

    def _followup_move_waiting_enrollments(self):
        waiting = self._followup_waiting_enrollments()
        if not waiting:
            return
        following = {}
        for sequence in waiting.sequence_id:
            ordered = sequence.step_ids  # in the sequence's order (_order)
            for index, step in enumerate(ordered):
                if step in self:
                    later = ordered[index + 1 :] - self
                    following[step.id] = later[:1]
        moves, bodies, finished = {}, {}, waiting.browse()
        for enrollment in waiting:
            deleted, step = enrollment.next_step_id, following.get(enrollment.next_step_id.id)
            if step:
                moves.setdefault(step, enrollment.browse())
                moves[step] |= enrollment
                bodies[enrollment.id] = self.env._(
                    "The step “%(deleted)s” this follow-up was waiting for was deleted: it "
                    "goes on with the next step, “%(step)s”.",
                    deleted=deleted.name,
                    step=step.name,
                )
            else:
                finished |= enrollment
                bodies[enrollment.id] = self.env._(
                    "The step “%(deleted)s” this follow-up was waiting for was deleted, and "
                    "no step follows it: the follow-up ends here.",
                    deleted=deleted.name,
                )
        for step, enrollments in moves.items():
            enrollments.write({"next_step_id": step.id})
        for enrollment in finished:
            enrollment.write(
                {
                    "state": "done",
                    "next_step_id": False,
                    "next_date": False,
                    "date_stop": fields.Datetime.now(),
                    "stop_note": bodies[enrollment.id],
                }
            )
        waiting._message_log_batch(
            bodies={res_id: escape(body) for res_id, body in bodies.items()}
        )
