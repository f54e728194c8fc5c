from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "class": "input"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().replace(" ", "").lower()
