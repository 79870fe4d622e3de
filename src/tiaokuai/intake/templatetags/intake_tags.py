"""`{{ text|masked }}`: free text with phone and ID numbers masked (core.personal), as every page of requests
shows a citizen's words; the stored text is revealed only through the audited reveal."""

from django import template

from tiaokuai.core.personal import mask_text

register = template.Library()


@register.filter
def masked(text: str) -> str:
    return mask_text(text or "")
