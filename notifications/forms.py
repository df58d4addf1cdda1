from __future__ import annotations

from typing import Any

from django import forms

from .topics import CHOOSABLE_TOPICS, DESCRIPTIONS, Mode, Topic


class PreferencesForm(forms.Form):
    """One choice per optional topic: immediately, a daily or weekly digest, off."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for topic in CHOOSABLE_TOPICS:
            self.fields[topic] = forms.ChoiceField(
                label=Topic(topic).label,
                choices=Mode.choices,
                initial=current.get(topic, Mode.IMMEDIATELY),
                widget=forms.RadioSelect,
                help_text=DESCRIPTIONS[topic],
            )

    def modes(self) -> dict[str, str]:
        return {topic: self.cleaned_data[topic] for topic in CHOOSABLE_TOPICS}
