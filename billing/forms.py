from __future__ import annotations

from django import forms
from django.utils import timezone

from .models import Payment


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label="Amount (USD)", max_digits=12, decimal_places=2)
    method = forms.ChoiceField(choices=Payment.Method.choices)
    received_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(
        max_length=120, required=False, help_text="Check number, wire or ACH reference, card receipt."
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CreditNoteForm(forms.Form):
    amount = forms.DecimalField(label="Amount to credit (USD)", max_digits=12, decimal_places=2)
    reason = forms.CharField(max_length=500, help_text="The member reads this on the credit note.")


class ExtendForm(forms.Form):
    until = forms.DateField(
        label="Give until", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Reminders, grace and lapse are counted from this date instead of the due date.",
    )  # fmt: skip
