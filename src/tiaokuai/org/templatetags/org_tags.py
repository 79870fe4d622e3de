from django import template

from tiaokuai.org.choices import STATE_BADGE, CertificateState, StaffingState

register = template.Library()

LABELS = {**dict(StaffingState.choices), **dict(CertificateState.choices)}


@register.filter
def state_class(state: str) -> str:
    """The status-tag CSS class for a staffing or certificate state."""
    return STATE_BADGE.get(state, "status-muted")


@register.filter
def state_label(state: str) -> str:
    return str(LABELS.get(state, state))


@register.filter
def cell_class(figures) -> str:
    """Table cell colouring for approved-vs-actual figures: red when over, amber when vacant."""
    if figures is None:
        return ""
    if figures.over:
        return "text-danger fw-bold staffing-over"
    if figures.vacancy:
        return "text-warning staffing-vacant"
    return ""


@register.filter
def indent(depth: int) -> str:
    return f"padding-left: {0.5 + 1.5 * int(depth)}rem"
