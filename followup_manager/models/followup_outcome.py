"""What happened to one due step in a dispatch batch: a small immutable value.

Each stage of the batch (prepare, decide, log, perform, finish) returns new outcomes made
with ``dataclasses.replace``; nothing is written in place, and every state is explicit.
The forecast builds the same outcomes for its simulated enrollments and decides them with
the same code. Plain Python (no ORM model): records are carried, not read.
"""

import dataclasses
from typing import Any

from ..policy import decision as policy_decision
from ..policy import stepping
from ..policy.vocabulary import (
    DEFERRED,
    DISPATCH_STATES,
    DONE,
    ERROR,
    FAILED,
    INTERNAL,
    SUPPRESSED,
)

# States of an outcome: followup.dispatch.state's (DONE, DEFERRED, SUPPRESSED, FAILED,
# from the vocabulary), and these, which are never logged.
PENDING = "pending"  # claimed, not decided yet
FINISHED = "finished"  # no step left to run: nothing is logged, the enrollment ends
ALREADY_DONE = "already_done"  # carried out before (the enrollment was moved back)

LOG_STATES = DISPATCH_STATES


@dataclasses.dataclass(frozen=True, eq=False)
class StepOutcome:
    """One claimed (or simulated) enrollment, its due step and what became of it.

    ``enrollment``, ``step``, ``partner``, ``origin`` (None when the followed-up document
    no longer exists) and ``user`` (who owns the step) are records, or the forecast's
    stand-ins. ``error`` is a text for a step that failed; ``links`` the records a side
    effect produced (``activity_id``, ``mail_id``, ``message_id``, ``notification_id``:
    ids); ``dispatch`` the log row once written. ``conditional``: decided as if the
    step's condition held, which only the moment the step falls due can tell (the
    forecast).
    """

    enrollment: Any
    step: Any
    partner: Any
    origin: Any
    user: Any = None
    state: str = PENDING
    reason: str | bool = False
    request: policy_decision.Request | None = None
    decision: policy_decision.Decision | None = None
    next_try: Any = False
    stop_reason: str | bool = False
    error: str | None = None
    done_before: Any = False
    links: tuple = ()
    dispatch: Any = None
    conditional: bool = False

    def replace(self, **changes):
        """A copy with ``changes`` (as ``dataclasses.replace``, several times faster:
        a batch makes a few copies of each of its outcomes)."""
        unknown = changes.keys() - _FIELD_NAMES
        if unknown:
            raise TypeError(f"StepOutcome has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    @property
    def key(self):
        """Identifies the outcome in its batch (one per enrollment)."""
        return self.enrollment.id

    @property
    def channel(self):
        """The channel the step contacts the person on: the one the policy chose for a
        step that lets the person's preferred channel decide (the request decided is on
        it), else the step's (the first of its order before any decision)."""
        if self.request is not None:
            return self.request.channel
        channels = self.step._followup_channels() if self.step else ()
        return channels[0] if channels else INTERNAL

    @property
    def action(self):
        """The action that carries the step out on :attr:`channel` (the step's own
        action for a step with a fixed channel)."""
        return self.step._followup_action_for(self.channel) if self.step else False

    @property
    def log_state(self):
        """followup.dispatch.state of the row logging this outcome; None: no row."""
        if self.state == ALREADY_DONE:
            return SUPPRESSED
        return self.state if self.state in LOG_STATES else None

    @property
    def log_reason(self):
        """followup.dispatch.reason of the row (a step already done logs ``error``)."""
        if self.state == ALREADY_DONE:
            return ERROR
        return self.reason or False

    @property
    def performs(self):
        """True when the row carries the step's unique key (it is carried out)."""
        return self.state in (DONE, FAILED)

    @property
    def progress(self):
        """Where the decision leaves the step, for ``policy.stepping.move_on``."""
        if self.state == FINISHED:
            return stepping.END
        if self.stop_reason:
            return stepping.STOP
        if self.state == DEFERRED:
            return stepping.WAIT
        if self.state == DONE and self.holds:
            return stepping.HOLD
        return stepping.BEHIND

    @property
    def holds(self):
        """True when the next step waits until the activity this step scheduled is done
        (``followup.step.wait_for_activity``)."""
        return bool(getattr(self.step, "wait_for_activity", False)) and bool(
            dict(self.links).get("activity_id")
        )

    def link(self, **links):
        """A copy with these side-effect links added (``activity_id=...``)."""
        return self.replace(links=(*self.links, *links.items()))

    def fail(self, error):
        """A copy that failed with ``error`` (a text); its side-effect links are dropped."""
        return self.replace(state=FAILED, reason=ERROR, error=error or "error", links=())


_FIELD_NAMES = frozenset(field.name for field in dataclasses.fields(StepOutcome))
