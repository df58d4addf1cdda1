from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from cma.forms import formfield_https
from cma.uploads import clean_logo

from .models import (
    US_STATES,
    Application,
    CharterVersion,
    MembershipTier,
    Organization,
    OrganizationMember,
    Segment,
    User,
)
from .selectors import DIRECTORY_SORTS, REVIEW_AGES


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
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}


# Browsers and password managers fill in an organization's details from these
# (WCAG 1.3.5): the autocomplete token for each field that holds them.
ORGANIZATION_AUTOCOMPLETE = {
    "org_name": "organization",
    "name": "organization",
    "website": "url",
    "hq_city": "address-level2",
    "hq_state": "address-level1",
    "hq_country": "country-name",
    "contact_name": "name",
    "contact_title": "organization-title",
    "contact_phone": "tel",
    "billing_street": "billing street-address",
    "billing_city": "billing address-level2",
    "billing_state": "billing address-level1",
    "billing_postal_code": "billing postal-code",
    "billing_country": "billing country-name",
}

US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
UNITED_STATES = {"united states", "united states of america", "usa", "us", "u.s.", "u.s.a."}


def _autocomplete(form: forms.BaseForm) -> None:
    for name, token in ORGANIZATION_AUTOCOMPLETE.items():
        if name in form.fields:
            form.fields[name].widget.attrs.setdefault("autocomplete", token)


class AccessibilityReportForm(forms.Form):
    """A problem someone met using the portal, for staff (the accessibility statement)."""

    name = forms.CharField(label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We reply here, and send you a copy of your report.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    page = forms.CharField(
        label="Which page?",
        max_length=300,
        required=False,
        help_text="Its address, or what it is called. Leave it empty if the problem is everywhere.",
    )
    problem = forms.CharField(
        label="What went wrong?",
        max_length=3000,
        help_text=(
            "What you tried to do, what happened, and what you use (for example a screen reader, voice control, "
            "zoom, or only a keyboard). Up to 3,000 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 3000}),
    )


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, tier: MembershipTier) -> str:
        return f"{tier.name} — ${tier.annual_dues:,.0f} a year"


class SegmentsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Segment.objects.order_by("position"))
        kwargs.setdefault("label", "Supply-chain segments")
        kwargs.setdefault("help_text", "Every part of the critical-minerals supply chain the organization works in.")
        super().__init__(**kwargs)


class ApplicationForm(forms.ModelForm):
    """The application: saved as a draft with whatever is filled in, or
    submitted, which needs every required field and the charter accepted."""

    segments = SegmentsField(required=False)
    tier = TierChoiceField(
        queryset=MembershipTier.objects.filter(is_open=True).order_by("position"),
        required=False,
        widget=forms.RadioSelect,
        label="Membership tier",
        empty_label=None,
    )
    accept_charter = forms.BooleanField(
        required=False,
        label="I have read the CMA USA Charter and accept it on behalf of the organization.",
    )

    # Required to submit; a draft may leave them empty. Their labels say "(required)".
    REQUIRED_TO_SUBMIT = [
        "org_name", "description", "hq_city", "segments", "tier", "contact_name", "statement", "accept_charter",
    ]  # fmt: skip

    class Meta:
        model = Application
        formfield_callback = formfield_https
        fields = [
            "org_name", "legal_name", "website", "description", "hq_city", "hq_state", "hq_country",
            "size_band", "segments", "tier", "contact_name", "contact_title", "contact_phone", "statement",
            "public_listing",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "statement": forms.Textarea(attrs={"rows": 5, "maxlength": 3000}),
        }
        labels = {"public_listing": "List us in the public member directory"}
        help_texts = {
            "statement": "Why the organization wants to join, and what it hopes to work on (up to 3,000 characters).",
            "org_name": "As it should appear in the member directory.",
            "public_listing": (
                "Once you are a member, anyone can find the organization there: its name and legal name, logo, "
                "website, description, headquarters, size, supply-chain segments and when it joined. Its people, "
                "their contact details and its membership tier are never public. Members and staff see every "
                "member either way. You can change this later under Edit profile on the organization's page."
            ),
        }

    def __init__(self, *args, submitting: bool = False, locked_name: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        self.fields["org_name"].required = True  # a draft needs a name to be found again
        self.fields["hq_country"].required = False
        if locked_name:
            self.fields["org_name"].disabled = True
            self.fields["org_name"].help_text = "The organization on file; staff can change its name."
        _autocomplete(self)

    def clean_hq_country(self):
        return self.cleaned_data.get("hq_country") or "United States"

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            if not cleaned.get("accept_charter"):
                self.add_error("accept_charter", "You need to accept the charter to submit the application.")
            for name in self.REQUIRED_TO_SUBMIT:
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "Required to submit the application.")
        return cleaned


class OrganizationForm(forms.ModelForm):
    segments = SegmentsField(required=True)
    logo_upload = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG, GIF or WebP, up to 2 MB. It is resized to fit 512×512 pixels.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")

    class Meta:
        model = Organization
        formfield_callback = formfield_https
        fields = [
            "name", "legal_name", "website", "description", "hq_city", "hq_state", "hq_country",
            "size_band", "segments", "public_listing",
            "billing_street", "billing_city", "billing_state", "billing_postal_code", "billing_country",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        labels = {
            "public_listing": "List the organization in the public member directory",
            "billing_street": "Billing address: street",
            "billing_city": "Billing address: city",
            "billing_state": "Billing address: state",
            "billing_postal_code": "Billing address: ZIP code",
            "billing_country": "Billing address: country",
        }
        help_texts = {
            "billing_street": "Leave the billing address blank to use the headquarters city.",
            "billing_postal_code": "Five digits (or ZIP+4) for a US address.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _autocomplete(self)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Organization.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another organization is already called that.")
        return name

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        return clean_logo(upload, max_bytes=settings.LOGO_MAX_BYTES)

    def clean(self):
        cleaned = super().clean()
        _clean_billing_address(self, cleaned)
        return cleaned

    def profile_fields(self) -> list[forms.BoundField]:
        return [f for f in self if not f.name.startswith("billing_") and not f.is_hidden]

    def billing_fields(self) -> list[forms.BoundField]:
        """Shown together under their own heading (templates/members/organization_form.html)."""
        return [f for f in self if f.name.startswith("billing_")]


def _clean_billing_address(form: forms.BaseForm, cleaned: dict) -> None:
    """A billing address is whole or absent: street, city and ZIP together,
    and for a US address a state and a five-digit (or ZIP+4) code."""
    for name in ("billing_street", "billing_city", "billing_postal_code", "billing_country"):
        cleaned[name] = (cleaned.get(name) or "").strip()
    parts = ("billing_street", "billing_city", "billing_state", "billing_postal_code")
    if not any(cleaned.get(name) for name in parts):
        cleaned["billing_country"] = cleaned["billing_country"] or "United States"
        return
    cleaned["billing_country"] = cleaned["billing_country"] or "United States"
    us = cleaned["billing_country"].lower() in UNITED_STATES
    required = ["billing_street", "billing_city", "billing_postal_code"] + (["billing_state"] if us else [])
    for name in required:
        if not cleaned.get(name) and name not in form.errors:
            form.add_error(name, "Required for a billing address.")
    code = cleaned.get("billing_postal_code", "")
    if us and code and not US_ZIP.match(code):
        form.add_error("billing_postal_code", "Enter a US ZIP code: five digits, or ZIP+4 such as 89501-1234.")
    if not us and cleaned.get("billing_state"):
        form.add_error("billing_state", "The state list is for US addresses; leave it blank for another country.")


class InviteForm(forms.Form):
    email = forms.EmailField(label="Colleague's email address", max_length=254)
    role = forms.ChoiceField(choices=OrganizationMember.Role.choices, initial=OrganizationMember.Role.REPRESENTATIVE)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=OrganizationMember.Role.choices)


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Message to the applicant",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )


def _filter_choices(form: forms.Form, name: str, everything: str, options: QuerySet[Any, tuple[str, str]]) -> None:
    """Fill a filter's choices from the database: "All …" first, then (slug, name) pairs."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", everything), *options]


def _segment_options() -> QuerySet[Any, tuple[str, str]]:
    return Segment.objects.order_by("position").values_list("slug", "name")


def _tier_options() -> QuerySet[Any, tuple[str, str]]:
    return MembershipTier.objects.order_by("position").values_list("slug", "name")


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search by name"}),
    )
    segment = forms.ChoiceField(required=False)
    state = forms.ChoiceField(label="State", required=False, choices=[("", "All states"), *US_STATES])
    tier = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(k, label) for k, (_, label) in DIRECTORY_SORTS.items()])

    def __init__(self, *args, show_tier: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        _filter_choices(self, "segment", "All segments", _segment_options())
        if show_tier:
            _filter_choices(self, "tier", "All tiers", _tier_options())
        else:
            del self.fields["tier"]

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Open (awaiting a decision)")] + [
        (s.value, s.label) for s in Application.Status if s != Application.Status.DRAFT
    ])  # fmt: skip
    segment = forms.ChoiceField(required=False)
    tier = forms.ChoiceField(required=False)
    older_than = forms.ChoiceField(
        label="Waiting", required=False, choices=[("", "Any time")] + [(k, f"More than {k} days") for k in REVIEW_AGES]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _filter_choices(self, "segment", "All segments", _segment_options())
        _filter_choices(self, "tier", "All tiers", _tier_options())

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class CharterVersionForm(forms.ModelForm):
    class Meta:
        model = CharterVersion
        fields = ["body", "summary_of_changes"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20}), "summary_of_changes": forms.Textarea(attrs={"rows": 3})}
        labels = {"body": "Charter text (Markdown)"}


class MembershipStatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("suspend", "Suspend"), ("reinstate", "Reinstate"), ("end", "End membership")])
    note = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
