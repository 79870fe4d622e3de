from django import template

from tiaokuai.core.personal import mask_text

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for paging and filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def masked(text: str) -> str:
    """`{{ text|masked }}`: free text with phone and ID numbers masked (core.personal), as every page shows what
    people typed; the stored text is shown only through the audited reveal."""
    return mask_text(text or "")


@register.filter
def masked_unless(text: str, revealed: bool) -> str:
    """`{{ text|masked_unless:revealed }}`: the text as typed on a page the audited reveal unmasked, else masked."""
    return (text or "") if revealed else mask_text(text or "")
