"""A forecast of a large population simulates a sample of the people and multiplies
its counts (``followup_manager.forecast_sample_size``); the answer says so."""

import heapq

from odoo import api, models

from .tools import int_param

# Default of followup_manager.forecast_sample_size: most enrollments simulated one by one
# (a forecast simulates about a thousand a second; beyond, a sample says as much).
SAMPLE_SIZE = 5000


_MASK64 = (1 << 64) - 1


def _sample_rank(partner_id):
    """Where a person stands in the forecast's sample order: the id mixed by
    splitmix64's finalizer (stable across runs and processes, unlike Python's
    ``hash``; consecutive ids land far apart)."""
    z = (partner_id + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31), partner_id


class FollowupForecast(models.Model):
    _inherit = "followup.forecast"

    def _followup_sampled(self, enrolled, matching, events, partners):
        """What is simulated of the running rows ``enrolled``, the ``matching`` people
        and the trigger ``events`` (their people: ``partners``): everything, or the
        sample (see _followup_sample_partners). Returns (their size, the kept partner
        ids or None, and the simulated rows, matching, events and people)."""
        size = len(enrolled) + len(matching) + len(events)
        kept = self._followup_sample_partners(
            {row[1] for row in enrolled} | set(matching.ids) | {p.id for p, _o, _a in events},
            size,
        )
        if kept is None:
            return size, kept, enrolled, matching, events, partners
        matching = matching.filtered(lambda p: p.id in kept)
        events = [event for event in events if event[0].id in kept]
        partners = matching | self.env["res.partner"].union(
            *(partner for partner, _origin, _at in events)
        )
        rows = [row for row in enrolled if row[1] in kept]
        return size, kept, rows, matching, events, partners

    @api.model
    def _followup_sample_limit(self):
        """Most enrollments a forecast simulates one by one (system parameter
        ``followup_manager.forecast_sample_size``, default SAMPLE_SIZE); beyond, it
        simulates a sample of the people and multiplies the counts."""
        return int_param(self.env, "followup_manager.forecast_sample_size", SAMPLE_SIZE, minimum=1)

    def _followup_sample_partners(self, people, size):
        """The ids of the people simulated when the population (``size`` enrollments
        of ``people``, partner ids) is larger than ``_followup_sample_limit()`` (None:
        everyone). Whole people are kept, with all their enrollments (the contact cap
        counts per person): one person in N, picked by a hash of their id, so that
        the sample is the same at every run and follows no pattern of the ids (taking
        every N-th id would, e.g. records imported in a repeating order)."""
        limit = self._followup_sample_limit()
        if size <= limit:
            return None
        stride = -(-size // limit)
        return set(heapq.nsmallest(-(-len(people) // stride), people, key=_sample_rank))

    def _followup_sample_sentence(self, size, simulated, people):
        """Say that the forecast sampled, and how."""
        # Formatted before the call: Odoo's term extractor evaluates _()'s arguments.
        factor = f"{size / simulated:.2f}" if simulated else "1"
        return self.env._(
            "Sampled: %(size)s enrollments are more than the %(limit)s simulated one by one; "
            "%(simulated)s of them (all those of %(people)s people picked at random, the "
            "same at every run) were simulated and every count multiplied by %(factor)s.",
            size=size,
            limit=self._followup_sample_limit(),
            simulated=simulated,
            people=people,
            factor=factor,
        )
