from collections import Counter, defaultdict

from markupsafe import Markup

from odoo import fields, models


class FollowupForecastHeadline(models.AbstractModel):
    """The forecast's headline: its totals with their reasons ("Suppressed 10: No
    consent 8, Outside the send window 2"), read at a glance above the details.

    A mixin of ``followup.forecast`` (see followup_forecast.py), which lists it in its
    ``_inherit``."""

    _name = "followup.forecast.headline"
    _description = "Follow-up Forecast: Headline"

    headline = fields.Html(
        compute="_compute_headline",
        sanitize=False,  # built below from escaped values only
        help="What the simulated days would bring, each outcome with its reasons.",
    )

    # The outcomes in the order of the headline, with the colour of their badge in the
    # lists and the graph.
    _HEADLINE_STATES = (
        ("done", "text-success"),
        ("deferred", "text-info"),
        ("suppressed", "text-warning"),
        ("failed", "text-danger"),
    )

    def _followup_headline_counts(self):
        """{forecast id: {state: Counter({reason or False: decisions})}}, one query."""
        counts = defaultdict(lambda: defaultdict(Counter))
        if self.ids:
            for forecast, state, reason, count in self.env["followup.forecast.line"]._read_group(
                [("forecast_id", "in", self.ids)],
                ["forecast_id", "state", "reason"],
                ["count:sum"],
            ):
                counts[forecast.id][state][reason or False] += count
        return counts

    def _followup_headline_parts(self, by_state):
        """[(state, label, total, [(reason label, decisions)])]: each outcome the
        forecast expects, its reasons most frequent first."""
        Line = self.env["followup.forecast.line"]
        states = dict(Line._fields["state"]._description_selection(self.env))
        states.setdefault("failed", self.env._("Failed"))
        reasons = dict(Line._fields["reason"]._description_selection(self.env))
        parts = []
        for state, _css in self._HEADLINE_STATES:
            per_reason = by_state.get(state)
            total = sum(per_reason.values()) if per_reason else 0
            if not total:
                continue
            why = [
                (reasons.get(reason, reason), count)
                for reason, count in sorted(
                    per_reason.items(), key=lambda item: (-item[1], str(item[0]))
                )
                if reason and count
            ]
            parts.append((state, states.get(state, state), total, why))
        return parts

    def _compute_headline(self):
        counts = self._followup_headline_counts()
        css = dict(self._HEADLINE_STATES)
        for forecast in self:
            parts = forecast._followup_headline_parts(counts.get(forecast.id, {}))
            if not parts:
                forecast.headline = Markup('<p class="mb-0">%s</p>') % self.env._(
                    "Nothing would happen: no step falls due in the simulated days."
                )
                continue
            items = Markup()
            for state, label, total, why in parts:
                reasons = ", ".join(
                    self.env._("%(reason)s %(count)s", reason=reason, count=count)
                    for reason, count in why
                )
                line = Markup('<strong class="%s">%s</strong>') % (
                    css[state],
                    self.env._("%(outcome)s %(count)s", outcome=label, count=total),
                )
                if reasons:
                    line += Markup("<span>: %s</span>") % reasons
                items += Markup('<li data-state="%s">%s</li>') % (state, line)
            forecast.headline = Markup('<ul class="list-unstyled mb-0 fs-5">%s</ul>') % items
