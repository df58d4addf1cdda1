from __future__ import annotations

from django import forms

from .models import User


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Jane Smith"}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        user.name = self.cleaned_data["name"].strip()
        user.save(update_fields=["name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "time_zone"]
        labels = {"name": "Full name"}
