"""What every channel adapter shares: the batch with a fallback to one step at a time,
and the record a template is rendered on.

An adapter is an abstract model ``followup.channel.<action>`` (the value of
``followup.step.action``) inheriting this one, with one method, ``_perform(outcomes,
now)``: carry out a batch of allowed steps and return their outcomes, each linked to what
it produced (``outcome.link(...)``) or failed (``outcome.fail(error)``). The adapters are
the only code of the dispatch that touches ``mail`` (and another add-on's adapter, its
own app: followup_manager_sms's ``followup.channel.sms``).

What an adapter would produce for one step, without producing it, is its
``_followup_preview(outcome)``: the step preview (``followup.step.preview``) and the test
send show it. Each adapter answers with the very methods its ``_perform`` uses (the
rendering, the message and e-mail values, the footer and headers, the activity values),
called on one outcome; nothing is created, posted or queued there.
"""

import logging
from collections import defaultdict

from odoo import api, models

from ..policy.vocabulary import FAILED

_logger = logging.getLogger(__name__)


class FollowupChannel(models.AbstractModel):
    _name = "followup.channel"
    _description = "Follow-up Channel Adapter"

    @api.model
    def _perform(self, outcomes, now):
        """Carry out ``outcomes`` (allowed steps of this adapter's action) at ``now``
        (naive UTC); return them linked or failed, in the same order."""
        raise NotImplementedError(f"{self._name} does not carry out steps")

    @api.model
    def _followup_preview(self, outcome):
        """{part: value} of what carrying out ``outcome`` would produce, for a person to
        read. Override in each adapter."""
        return {}

    @api.model
    def _followup_preview_template(self, template):
        """``template`` as the user who previews it, even when the adapter reads the
        rest as the dispatch does: as Odoo's own template preview
        (``mail.template.preview``), it renders only what that user may read, and a
        template reading more is refused as Odoo refuses it."""
        return template.with_env(self.env(su=False))

    @api.model
    def _followup_isolate(self, outcomes, batch_fn):
        """``batch_fn(outcomes)`` (returns the outcomes) in a savepoint; if it raises,
        ``batch_fn([outcome])`` for each outcome in its own savepoint, so that only the
        faulty steps fail (rolled back, with the error)."""
        try:
            with self.env.cr.savepoint():
                return batch_fn(outcomes)
        except Exception:  # noqa: BLE001 - any error of a template or action
            _logger.info("Follow-up batch of %s steps failed; retrying one by one", len(outcomes))
        results = []
        for outcome in outcomes:
            try:
                with self.env.cr.savepoint():
                    results.extend(batch_fn([outcome]))
            except Exception as error:  # noqa: BLE001
                results.append(outcome.fail(self._followup_error_text(error)))
        return results

    @api.model
    def _followup_render_then_send(self, outcomes, template_of, render, send):
        """The batch of a templated channel, in two isolated phases: each template
        renders its steps (a failing rendering fails only its own steps), then what
        rendered is sent together.

        :param template_of: outcome -> its template
        :param render: (template, outcomes) -> {outcome key: rendered content}
        :param send: (outcomes, {outcome key: rendered content}) -> outcomes, linked
        """
        by_template = defaultdict(list)
        for outcome in outcomes:
            by_template[template_of(outcome)].append(outcome)
        rendered, results = {}, {}
        for template, group in by_template.items():

            def render_batch(batch, template=template):
                rendered.update(render(template, batch))
                return batch

            for outcome in self._followup_isolate(group, render_batch):
                if outcome.state == FAILED:
                    results[outcome.key] = outcome
        ready = [o for o in outcomes if o.key in rendered and o.key not in results]
        if ready:
            sent = self._followup_isolate(ready, lambda batch: send(batch, rendered))
            results.update((outcome.key, outcome) for outcome in sent)
        return [results.get(outcome.key, outcome) for outcome in outcomes]

    @api.model
    def _followup_error_text(self, error):
        text = str(error) or error.__class__.__name__
        return text.strip()[:1000]

    @api.model
    def _followup_render_target(self, outcome, model):
        """The record a template made for ``model`` is rendered on: the followed-up
        document, or the partner for templates written for contacts."""
        if model == outcome.origin._name:
            return outcome.origin
        if model == "res.partner":
            return outcome.partner
        raise ValueError(
            self.env._(
                "the template is made for %(model)s records, but this enrollment follows "
                "up a %(origin)s",
                model=model,
                origin=outcome.origin._name,
            )
        )
