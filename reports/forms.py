from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

# The longest period a report covers: enough for multi-year trends, short
# enough that a typo (a range of 100 years) is caught rather than computed.
MAX_DAYS = 5 * 366


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def default_initial() -> dict[str, datetime.date]:
        today = timezone.localdate()
        return {"start": today - datetime.timedelta(days=365), "end": today}

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", "Choose a period of at most five years.")
        return data
