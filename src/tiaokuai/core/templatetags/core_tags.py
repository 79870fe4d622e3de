from django import template

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
def masked(text):
    """Phone and ID numbers in a text masked (core.personal.mask_text)."""
    from tiaokuai.core.personal import mask_text

    return mask_text(str(text or ""))
