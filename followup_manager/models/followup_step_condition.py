"""A condition per step: a filter on the followed-up document ("only if the invoice is
not paid", "only if the quote is still open"), checked when the step falls due. When it
does not hold, the step is skipped (reason ``condition``) and the next one is planned
(see ``followup.dispatcher._followup_check_conditions``)."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .tools import eval_domain


class FollowupStepCondition(models.AbstractModel):
    """A step's condition on the followed-up document (see the module's docstring)."""

    _name = "followup.step.condition"
    _description = "Follow-up Step: Condition"

    condition_domain = fields.Char(
        string="Only If",
        help="A filter on the document followed up (on the contact for sequences that "
        "follow contacts up), checked when the step falls due: when the document does "
        "not match it, the step is skipped and the next one is planned.",
    )

    @api.model
    def _followup_clean_condition(self, vals):
        """``vals`` with an empty condition (``[]``, what the filter editor leaves once
        its last rule is removed) stored as no condition: the step always goes, and the
        dispatch and the forecast do not treat it as conditional."""
        condition = vals.get("condition_domain")
        if isinstance(condition, str) and condition.replace(" ", "") in ("", "[]"):
            return dict(vals, condition_domain=False)
        return vals

    def _followup_condition_model(self):
        """The model the condition filters: the sequence's followed-up model."""
        self.ensure_one()
        return self.sequence_id._followup_trigger_model()

    def _followup_condition(self):
        """The condition as a domain list (empty: no condition); override to add terms."""
        self.ensure_one()
        return eval_domain(self, self.condition_domain) if self.condition_domain else []

    @api.constrains("condition_domain", "sequence_id")
    def _check_condition_domain(self):
        """Run the condition once, as the dispatch will (see the sequence's
        ``_check_partner_domain``): a filter the database rejects is refused here, where
        the person who wrote it can fix it.

        It runs with the rights of the person who saves it: the dispatch runs it as
        superuser and its log says whether it held, so a condition on a field or a
        document its author cannot read would answer what they may not see."""
        for step in self.filtered("condition_domain"):
            Model = self.env[step._followup_condition_model()]
            try:
                with self.env.cr.savepoint():
                    Model.with_context(active_test=False).search_count(
                        step._followup_condition(), limit=1
                    )
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except AccessError as error:
                raise ValidationError(
                    self.env._(
                        "The condition of step “%(name)s” reads data you cannot read "
                        "(%(error)s): a condition may only use what its author can see.",
                        name=step.name,
                        error=step.sequence_id._followup_error_sentence(error),
                    )
                ) from error
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The condition of step “%(name)s” is not a valid filter on "
                        "%(model)s: %(error)s",
                        name=step.name,
                        model=Model._description,
                        error=step.sequence_id._followup_error_sentence(error),
                    )
                ) from error
