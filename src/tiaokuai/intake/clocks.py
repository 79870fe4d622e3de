"""The clocks of citizen requests, declared once (core.clocks derives the Python and the SQL from them).

A dispatch has two sequential steps: accept (签收) and answer (办复, the feedback deadline). The deadlines
depend on the request's deadline class (the common 12345 practice):

- risks to life or property: accept within 30 minutes, answer within 2 hours (natural time);
- water, power, gas or heating: accept within 1 hour, answer within 24 hours (natural time);
- general: accept within 2 working hours, answer within 7 days;
- complex: accept within 2 working hours, answer within 15 days.

A county changes them in settings: ``TIAOKUAI["INTAKE_DEADLINES"] = {"general": {"feedback": [5,
"natural_days"]}, …}`` (amount, unit of core.clocks.Unit); the escalation interval likewise under
``"interval"``.
"""

from django.conf import settings

from tiaokuai.core.clocks import DeadlineSpec, Step, StepClocks, Unit

from .choices import PENDING_DISPATCH, Kind

DISPATCH_CLOCKS = StepClocks(
    steps=(
        Step("accept", due_field="accept_by", done_field="accepted_at"),
        Step("resolve", due_field="resolve_by"),
    ),
    status_field="status",
    pending_states=frozenset(PENDING_DISPATCH),
    paused_field="paused_since",
)

DEFAULTS: dict[str, dict[str, tuple[int, str]]] = {
    Kind.LIFE_PROPERTY: {"accept": (30, Unit.NATURAL_MINUTES), "feedback": (120, Unit.NATURAL_MINUTES),
                         "interval": (60, Unit.NATURAL_MINUTES)},
    Kind.UTILITIES: {"accept": (60, Unit.NATURAL_MINUTES), "feedback": (24 * 60, Unit.NATURAL_MINUTES),
                     "interval": (120, Unit.NATURAL_MINUTES)},
    Kind.GENERAL: {"accept": (120, Unit.WORKING_MINUTES), "feedback": (7, Unit.NATURAL_DAYS),
                   "interval": (1, Unit.WORKING_DAYS)},
    Kind.COMPLEX: {"accept": (120, Unit.WORKING_MINUTES), "feedback": (15, Unit.NATURAL_DAYS),
                   "interval": (1, Unit.WORKING_DAYS)},
}


def spec(kind: str, which: str) -> DeadlineSpec:
    """The DeadlineSpec of `which` ("accept" | "feedback" | "interval") for a deadline class."""
    configured = (settings.TIAOKUAI.get("INTAKE_DEADLINES") or {}).get(kind, {}).get(which)
    amount, unit = configured if configured else DEFAULTS.get(kind, DEFAULTS[Kind.GENERAL])[which]
    return DeadlineSpec(int(amount), Unit(unit))


def step_specs(kind: str) -> tuple[DeadlineSpec, DeadlineSpec]:
    """(accept, answer) for a deadline class, in DISPATCH_CLOCKS' step order."""
    return spec(kind, "accept"), spec(kind, "feedback")


def overdue_unit(kind: str) -> Unit:
    """The time overdue minutes are counted in: that of the answer deadline."""
    return spec(kind, "feedback").unit
