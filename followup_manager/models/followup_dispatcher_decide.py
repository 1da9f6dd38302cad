"""The dispatch's gathering and deciding: what a claimed batch needs, and the policy's
answer for each of its steps. The forecast decides its simulated enrollments with the
same methods (``_followup_responsible``, ``_followup_decide``).

A mixin of ``followup.dispatcher`` (see followup_dispatcher.py), which lists it in its
``_inherit``.

The steps' conditions are checked here too, in batch when the steps fall due: ONE search
per (model, condition) for the whole batch, whatever its size. A condition that raises
(``context_today().replace(day=31)`` in a month of 30 days) fails its own steps, logged
with the reason; the rest of the batch goes on."""

import logging
from collections import defaultdict

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..policy import decision as policy_decision
from ..policy import planner, vocabulary
from ..policy.vocabulary import DEFERRED, DONE, ERROR, FAILED, STOPPED, SUPPRESSED
from .followup_outcome import (
    ALREADY_DONE,
    FINISHED,
    PENDING,
    StepOutcome,
)

_logger = logging.getLogger(__name__)

# What followup.dispatcher._followup_prepare reads of each record of the batch.
_ENROLLMENT_FIELDS = [
    "partner_id",
    "sequence_id",
    "next_step_id",
    "next_date",
    "origin_model",
    "origin_id",
    "company_id",
    "user_id",
    "resumed_date",
]
_STEP_FIELDS = [
    "sequence_id",
    "sequence",
    "name",
    "action",
    "channel",
    "delay",
    "delay_unit",
    "activity_type_id",
    "activity_summary",
    "note",
    "responsible_type",
    "responsible_id",
    "mail_template_id",
    "server_action_id",
    "urgent",
    "condition_domain",
    "wait_for_activity",
    "channel_choice",
    "channel_order",
]


class FollowupDispatcherDecide(models.AbstractModel):
    _name = "followup.dispatcher.decide"
    _description = "Follow-up Dispatch: Gathering and Deciding"

    # --- prefetch

    @api.model
    def _followup_step_fields(self):
        """The fields of the due steps read with the batch; override to add the field
        of another add-on's action (its template)."""
        return list(_STEP_FIELDS)

    @api.model
    def _followup_prepare(self, enrollments, now):
        """The outcomes of a claimed batch, everything read in a fixed number of
        queries; each knows who is responsible for its step."""
        enrollments.fetch(_ENROLLMENT_FIELDS)
        enrollments.next_step_id.fetch(self._followup_step_fields())
        enrollments.sequence_id.fetch(["name", "purpose", "company_id", "step_ids", "create_uid"])
        partners = enrollments.partner_id
        # Our fields and the ones _followup_facts reads, in one query.
        partner_fields = {"name", "email", "lang", "user_id", "company_id", "country_id", "tz"}
        partner_fields.update(getattr(partners, "_FOLLOWUP_FACT_FIELDS", ()))
        partners.fetch(partner_fields & set(partners._fields))
        partners.country_id.fetch(["name", "code"])
        origins = self._followup_origins(enrollments)
        outcomes = []
        for enrollment in enrollments:
            outcome = StepOutcome(
                enrollment,
                enrollment.next_step_id,
                enrollment.partner_id,
                origins.get((enrollment.origin_model, enrollment.origin_id)),
            )
            if outcome.step:
                outcome = outcome.replace(user=self._followup_responsible(outcome))
            outcomes.append(outcome)
        # The responsible users' time zones and names (one query).
        users = self.env["res.users"].union(*(o.user for o in outcomes if o.user))
        users.fetch(["tz", "partner_id", "active"])
        users.partner_id.fetch(["name", "email", "lang"])
        return outcomes

    @api.model
    def _followup_origins(self, enrollments):
        """{(model, id): record} of the documents followed up, one query per model;
        deleted ones are left out."""
        ids_by_model = defaultdict(set)
        for enrollment in enrollments:
            if enrollment.origin_model and enrollment.origin_id:
                ids_by_model[enrollment.origin_model].add(enrollment.origin_id)
        origins = {}
        for model, ids in ids_by_model.items():
            if model not in self.env:
                continue
            records = self.env[model].browse(sorted(ids)).exists()
            fnames = ["display_name"]
            user_field = records._fields.get("user_id")
            if user_field is not None and user_field.comodel_name == "res.users":
                fnames.append("user_id")
            records.fetch(fnames)
            origins.update({(model, record.id): record for record in records})
        return origins

    @api.model
    def _followup_responsible(self, outcome):
        """The user who owns the step: gets the activity, signs the e-mail. Override to
        add a rule. Falls back to the partner's salesperson, then to the sequence's
        creator, when the chosen one is missing or archived."""
        step, origin, partner = outcome.step, outcome.origin, outcome.partner
        candidates = []
        if step.responsible_type == "fixed_user":
            candidates.append(step.responsible_id)
        elif step.responsible_type == "origin_salesperson" and origin is not None:
            field = origin._fields.get("user_id")
            if field is not None and field.comodel_name == "res.users":
                candidates.append(origin.user_id)
        candidates += [partner.user_id, step.sequence_id.create_uid]
        for user in candidates:
            if user and user.active:
                return user
        return self.env.user

    # --- decisions

    @api.model
    def _followup_company(self, outcome):
        """The company whose contact policy applies to a step: the company that follows
        the person up (the enrollment's, i.e. its sequence's), never the cron's own
        env.company, which is only the superuser's company."""
        return outcome.enrollment.company_id or outcome.partner.company_id or self.env.company

    @api.model
    def _followup_partners_by_company(self, outcomes):
        """{company: partner ids} of the batch, each partner under the company of each
        of its enrollments (a person followed up by two companies is in both)."""
        # Dicts as ordered sets: a forecast passes tens of thousands at once.
        partners_by_company = defaultdict(dict)
        for outcome in outcomes:
            partners_by_company[self._followup_company(outcome)][outcome.partner.id] = None
        return {company: list(ids) for company, ids in partners_by_company.items()}

    @api.model
    def _followup_settings(self, outcomes, by_company=None):
        """The policy of each outcome's request, as ``policy.planner.plan`` takes it (a
        function request -> Settings): the policy of the company that follows the
        person up, narrowed by the person's own frequency (see
        ``res.partner._followup_settings``). One call per company. The planner counts
        the person's contacts of every company against it: one person, one cap count.

        :param by_company: {company id: {partner id: Settings}} already read (see
            ``_followup_settings_by_company``), instead of reading them
        """
        if by_company is None:
            by_company = self._followup_settings_by_company(outcomes)
        companies = [self._followup_company(outcome).id for outcome in outcomes]

        def settings_of(request):
            return by_company[companies[request.key]].get(request.partner_id)

        return settings_of

    @api.model
    def _followup_settings_by_company(self, outcomes):
        """{company id: {partner id: Settings}} of the outcomes' people, each under the
        company that follows them up (see ``_followup_settings``)."""
        partners_by_company = self._followup_partners_by_company(outcomes)
        self.env["res.company"].union(*partners_by_company).fetch(
            self.env["res.company"]._followup_settings_fields()
        )
        return {
            company.id: self.env["res.partner"].browse(partner_ids)._followup_settings(company)
            for company, partner_ids in partners_by_company.items()
        }

    @api.model
    def _followup_facts(self, outcomes, now):
        """{partner id: PartnerFacts}, read in the company that follows each person up
        (time zone fallback, soft opt-in lifetime): one call per company."""
        facts = {}
        Partner = self.env["res.partner"]
        for company, partner_ids in self._followup_partners_by_company(outcomes).items():
            partners = Partner.browse([pid for pid in partner_ids if pid not in facts])
            facts.update(partners.with_company(company)._followup_facts(now=now))
        return facts

    @api.model
    def _followup_decide(
        self, outcomes, now, facts=None, done_before=None, used=None, settings=None
    ):
        """Plan the batch: one call of the pure planner for every step that may run.
        Returns the outcomes, decided.

        :param facts: {partner id: PartnerFacts} to decide with instead of reading them
            (the forecast passes the facts it carries through simulated time; its
            steps' conditions are then "unknown until due", see
            ``_followup_check_conditions``)
        :param done_before: {idempotency key: date} of the steps already carried out,
            instead of reading them (the forecast reads them once for all its runs)
        :param used: {(limit key, day start): count} of the daily limits (the forecast
            carries its own, see ``_followup_daily_limits``)
        :param settings: {company id: {partner id: Settings}} to decide with instead of
            reading them (the forecast reads them once for all its runs, see
            ``_followup_settings_by_company``)
        """
        outcomes = [self._followup_precheck(outcome) for outcome in outcomes]
        outcomes = self._followup_skip_done_before(outcomes, done_before)
        outcomes = self._followup_check_conditions(outcomes, evaluate=facts is None)
        to_plan = [outcome for outcome in outcomes if outcome.state == PENDING]
        if not to_plan:
            return outcomes
        if facts is None:
            facts = self._followup_facts(to_plan, now)
        requests = [
            self._followup_request(outcome, index, now) for index, outcome in enumerate(to_plan)
        ]
        limits = self._followup_daily_limits(to_plan, now, used)
        results = planner.plan(
            requests, facts, self._followup_settings(to_plan, settings), now, limits
        )
        decided = {
            to_plan[request.key].key: self._followup_apply_decision(
                to_plan[request.key].replace(request=request), result
            )
            for request, result in results
        }
        return [decided.get(outcome.key, outcome) for outcome in outcomes]

    @api.model
    def _followup_request(self, outcome, index, now):
        """The policy's request for one step: its channel and purpose, urgent for the
        urgent steps of service sequences (the constraint of followup.step keeps them
        there; a sequence turned to marketing behind its back loses the urgency). A step
        that lets the person's preferred channel decide offers its channels as the
        request's ``choices``: the planner picks one (``policy.choice``)."""
        step = outcome.step
        purpose = step.sequence_id.purpose or "service"
        channels = step._followup_channels()
        choices = ()
        if step.channel_choice == "preferred":
            choices = tuple(
                (channel, self._followup_limit_key(outcome, channel)) for channel in channels
            )
        return policy_decision.Request(
            partner_id=outcome.partner.id,
            channel=channels[0],
            purpose=purpose,
            due=outcome.enrollment.next_date or now,
            key=index,
            urgent=bool(step.urgent) and purpose == "service",
            limit_key=self._followup_limit_key(outcome, channels[0]),
            choices=choices,
        )

    @api.model
    def _followup_precheck(self, outcome):
        """Before the policy: no step left (the enrollment ends), or the followed-up
        document is gone (the enrollment stops)."""
        if not outcome.step:
            return outcome.replace(state=FINISHED)
        if outcome.origin is None:
            return outcome.replace(
                state=SUPPRESSED,
                reason=STOPPED,
                stop_reason="origin_cancelled",
            )
        return outcome

    @api.model
    def _followup_apply_decision(self, outcome, result):
        """The outcome of the policy's ``result`` for one step."""
        outcome = outcome.replace(decision=result)
        if result.allowed:
            return outcome.replace(state=DONE)
        if result.deferred:
            return outcome.replace(
                state=DEFERRED, reason=result.reason, next_try=result.next_allowed
            )
        if result.reason == ERROR:
            # Facts missing for a partner: a bug, not the person's choice.
            return outcome.replace(
                state=FAILED,
                reason=ERROR,
                error=result.details.get("error") or "error",
            )
        stop_reason = False
        if result.reason == STOPPED:
            stop_reason = "partner_archived"
        elif result.details.get("bounced") and self._followup_only_email_left(outcome.step):
            # The address bounced for good and nothing but e-mails is left to do.
            stop_reason = "bounced"
        return outcome.replace(state=SUPPRESSED, reason=result.reason, stop_reason=stop_reason)

    @api.model
    def _followup_only_email_left(self, step):
        """Whether ``step`` and the ones after it only contact the person by e-mail
        (internal tasks aside), as for res.partner's hard bounces."""
        steps = step._followup_remaining_steps()
        channels = set().union(*(s._followup_channels() for s in steps)) - {"none"}
        return channels == {"email"}

    @api.model
    def _followup_skip_done_before(self, outcomes, done_before=None):
        """Steps already carried out for their enrollment (someone moved it back to an
        earlier step) are skipped, never done twice: the unique key would refuse them
        anyway, and the whole batch with them. One query, none if ``done_before``
        ({idempotency key: date}) is given."""
        Dispatch = self.env["followup.dispatch"]
        keys = {
            Dispatch._followup_idempotency_key(o.enrollment, o.step): o.key
            for o in outcomes
            if o.state == PENDING
        }
        if not keys:
            return outcomes
        if done_before is not None:
            rows = [(key, done_before[key]) for key in keys if key in done_before]
        else:
            Dispatch.flush_model(["idempotency_key"])
            rows = self.env.execute_query(
                SQL(
                    "SELECT idempotency_key, create_date FROM followup_dispatch "
                    "WHERE idempotency_key = ANY(%s)",
                    list(keys),
                )
            )
        done_before = {keys[key]: create_date for key, create_date in rows}
        return [
            o.replace(state=ALREADY_DONE, done_before=done_before[o.key])
            if o.key in done_before
            else o
            for o in outcomes
        ]

    # --- conditions

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
