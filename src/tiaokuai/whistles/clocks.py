"""The whistle flow's clocks, declared once: a dispatch's three sequential steps (respond → arrive →
resolve), their units by urgency, and the escalation interval. Pages, services, selectors and the sweep
all read these (core.clocks derives the Python and the SQL from them)."""

from collections.abc import Sequence

from tiaokuai.core.clocks import DeadlineSpec, Step, StepClocks, Unit

from .choices import PENDING_DISPATCH, Urgency

# The pending step of a dispatch: the first not done while it is dispatched/responded/arrived and not paused
# (a dispute pauses it). Resolving is done when the status leaves the pending states.
DISPATCH_CLOCKS = StepClocks(
    steps=(
        Step("respond", due_field="respond_by", done_field="responded_at"),
        Step("arrive", due_field="arrive_by", done_field="arrived_at"),
        Step("resolve", due_field="resolve_by"),
    ),
    status_field="status",
    pending_states=frozenset(PENDING_DISPATCH),
    paused_field="paused_since",
)


def step_unit(urgency: str) -> Unit:
    """Emergencies run around the clock (natural minutes); the others in office minutes."""
    return Unit.NATURAL_MINUTES if urgency == Urgency.EMERGENCY else Unit.WORKING_MINUTES


def step_specs(minutes: Sequence[int], urgency: str) -> tuple[DeadlineSpec, ...]:
    """(respond, arrive, resolve) deadlines of a whistle item's minutes at an urgency."""
    unit = step_unit(urgency)
    return tuple(DeadlineSpec(int(m), unit) for m in minutes)
