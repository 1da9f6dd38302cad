"""The steps' conditions, checked in batch when the steps fall due: ONE search per
(model, condition) for the whole batch, whatever its size. A condition that raises
(``context_today().replace(day=31)`` in a month of 30 days) fails its own steps, logged
with the reason; the rest of the batch goes on."""

import logging
from collections import defaultdict

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..policy import vocabulary
from ..policy.vocabulary import SUPPRESSED
from .followup_outcome import PENDING

_logger = logging.getLogger(__name__)


class FollowupDispatcher(models.AbstractModel):
    _inherit = "followup.dispatcher"

    @api.model
    def _followup_check_conditions(self, outcomes, evaluate=True):
        """Skip the pending steps whose condition does not hold for their document
        (state suppressed, reason ``condition``: the next step is planned as after
        any step behind us).

        :param evaluate: False for the forecast: a condition depends on the document
            as it will be when the step falls due, unknown today; such outcomes are
            only marked ``conditional`` and decided as if it held.
        """
        groups = defaultdict(list)
        for index, outcome in enumerate(outcomes):
            if outcome.state == PENDING and outcome.step.condition_domain:
                step = outcome.step
                groups[step._followup_condition_model(), step.condition_domain].append(index)
        if not groups:
            return outcomes
        outcomes = list(outcomes)
        if not evaluate:
            for indexes in groups.values():
                for index in indexes:
                    outcomes[index] = outcomes[index].replace(conditional=True)
            return outcomes
        for (model, _text), indexes in groups.items():
            targets = {
                index: self._followup_condition_target(outcomes[index], model) for index in indexes
            }
            ids = {target for target in targets.values() if target}
            # sudo: the dispatch acts on the documents it follows up (as the cron does);
            # the condition was checked at save with its author's rights.
            Model = self.env[model].sudo().with_context(active_test=False)
            step = outcomes[indexes[0]].step
            try:
                with self.env.cr.savepoint():
                    domain = step._followup_condition()
                    holding = set(Model._search([("id", "in", list(ids)), *domain]))
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:
                # One broken condition fails its own steps, not the whole dispatch.
                _logger.warning(
                    "The condition of follow-up step %s could not be checked",
                    step.id,
                    exc_info=True,
                )
                message = self.env._(
                    "its condition could not be checked (%(error)s)",
                    error=step.sequence_id._followup_error_sentence(error),
                )
                for index in indexes:
                    outcomes[index] = outcomes[index].fail(message)
                continue
            for index, target in targets.items():
                if target not in holding:
                    outcomes[index] = outcomes[index].replace(
                        state=SUPPRESSED, reason=vocabulary.CONDITION
                    )
        return outcomes

    @api.model
    def _followup_condition_target(self, outcome, model):
        """The id of the record the condition of ``outcome``'s step filters: the
        followed-up document, or the partner for a sequence that follows contacts."""
        if outcome.origin is not None and outcome.origin._name == model:
            return outcome.origin.id
        if model == "res.partner":
            return outcome.partner.id
        return False
