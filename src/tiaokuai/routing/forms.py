from django import forms
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.forms import StyledForm


class MatterTermsForm(StyledForm):
    """Words people use for one matter; the choices are the matters of the list in force."""

    matter_code = forms.ChoiceField(label=_("Matter"))
    words = forms.CharField(
        label=_("Words people use"),
        max_length=300,
        help_text=_("Separate several words with commas or 、, e.g. 烤串摊、夜宵摊"),
    )

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter_code"].choices = [("", "—")] + [
            (m.matter_code, f"{m.matter_code} {m.matter_name}") for m in matters
        ]
