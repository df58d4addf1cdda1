from __future__ import annotations

import functools
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.safestring import SafeString

from cma.forms import SharedFieldsForm
from cma.uploads import clean_logo
from members.models import US_STATES

from .models import Endorsement, Petition

# A field no person sees (hidden by CSS, skipped by keyboard and screen
# readers); bots that fill every input fill it too.
HONEYPOT_FIELD = "contact_me_by_fax_only"

_STATE_CHOICES = [("", "Choose a state")] + US_STATES


_STATE_CODES = frozenset(code for code, _ in US_STATES)


def _state_choices() -> list[tuple[str, str]]:
    # A callable: forms deep-copy their fields on every instantiation, and a
    # 57-item list of choices is most of the cost of building the sign form.
    return _STATE_CHOICES


class StateField(forms.ChoiceField):
    """A US state or territory by its postal code."""

    def __init__(self, **kwargs):
        super().__init__(choices=_state_choices, **kwargs)

    def __deepcopy__(self, memo):
        # Every form copies its fields; the states never change, so the copy
        # shares them (ChoiceField's own copies all 57 pairs for each form).
        return forms.Field.__deepcopy__(self, memo)

    def valid_value(self, value) -> bool:
        # A set lookup: the stock check normalizes the 57 callable choices
        # again on every submission.
        return value in _STATE_CODES


_ZIP = RegexValidator(r"^\d{5}(-\d{4})?$", "Enter a 5-digit ZIP code (or ZIP+4, like 20001-1234).")
# Names and organizations with links in them are spam, not people.
_LINKISH = re.compile(r"(https?:|www\.|://|<|>)", re.IGNORECASE)


def _plain_name(value: str, what: str) -> str:
    value = " ".join(value.split())
    if _LINKISH.search(value):
        raise ValidationError(f"Enter just {what}, without links or HTML.")
    return value


class SignatureForm(SharedFieldsForm):
    # Its instances share these fields (SharedFieldsForm): none may change them.
    name = forms.CharField(label="Full name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        max_length=254,
        help_text="We'll email you a link to confirm your signature.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    zip_code = forms.CharField(
        label="ZIP code",
        max_length=10,
        validators=[_ZIP],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    state = StateField(widget=forms.Select(attrs={"autocomplete": "address-level1"}))
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=1000,
        help_text="Optional. Read by the association's staff; not published.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_name = forms.BooleanField(label="Show my name in the list of recent signers", required=False)
    wants_updates = forms.BooleanField(label="Email me updates about this campaign", required=False)

    def __init__(self, *args, **kwargs):
        # Both forms share a page: their ids must not collide (two "state" fields).
        kwargs.setdefault("auto_id", "sign_%s")
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        return _plain_name(self.cleaned_data["name"], "your name")


class EndorsementForm(forms.Form):
    organization_name = forms.CharField(
        label="Organization name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    scope = forms.ChoiceField(
        label="Scope",
        choices=Endorsement.Scope.choices,
        widget=forms.RadioSelect,
        help_text="Where your organization works: nationwide, or in one state or community.",
    )
    state = StateField(
        required=False,
        help_text="For State or Local organizations: the state you are listed under.",
    )
    website = forms.URLField(
        max_length=300,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url", "placeholder": "https://"}),
    )
    logo = forms.FileField(
        required=False,
        help_text="Optional. PNG, JPEG, GIF or WebP, up to 2 MB. Featured organizations are shown with their logo.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    contact_name = forms.CharField(
        label="Your name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_title = forms.CharField(
        label="Your title",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title", "placeholder": "Executive Director"}),
    )
    contact_email = forms.EmailField(
        label="Your email",
        max_length=254,
        help_text="We'll email you a link to confirm, and tell you when the endorsement is listed. Never published.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    authorized = forms.BooleanField(
        label="I am authorized to sign on to this petition on behalf of the organization named above.",
        error_messages={"required": "Only someone authorized to sign for the organization can endorse."},
    )

    field_order = [
        "organization_name", "scope", "state", "website", "logo", "contact_name", "contact_title",
        "contact_email", "authorized",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "endorse_%s")
        super().__init__(*args, **kwargs)

    def clean_organization_name(self) -> str:
        return _plain_name(self.cleaned_data["organization_name"], "the organization's name")

    def clean_contact_name(self) -> str:
        return _plain_name(self.cleaned_data["contact_name"], "your name")

    def clean_contact_title(self) -> str:
        return _plain_name(self.cleaned_data["contact_title"], "your title")

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        return clean_logo(upload)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == Endorsement.Scope.STATE and not cleaned.get("state"):
            self.add_error("state", "Choose the state your organization is listed under.")
        return cleaned


def form_html(form: forms.Form) -> SafeString:
    """The form's HTML. An empty sign or endorse form is the same for every
    visitor (the CSRF token is rendered apart), and drawing its 57-state selects
    through the template engine is most of the petition page's cost, so it is
    rendered once per process — except in debug mode, where templates change."""
    if form.is_bound or settings.DEBUG:
        return form.render()
    return _empty_form_html(type(form), form.auto_id)


@functools.cache
def _empty_form_html(form_class: type[forms.Form], auto_id: str) -> SafeString:
    return form_class(auto_id=auto_id).render()


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the organization's contact)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IdListField(forms.Field):
    """Several row ids under one name (checkboxes, hidden inputs): a list of integers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        ids = []
        for item in value or ():
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                raise ValidationError(
                    "“%(value)s” is not an endorsement number.", code="invalid", params={"value": str(item)[:20]}
                ) from None
        return ids


class BulkModerationForm(forms.Form):
    """The moderation queue's decision on several endorsements at once.

    Rows are ticked one by one (`endorsement`, checkboxes outside this form,
    tied to it by their `form` attribute), or all those on the page at once
    (`all_on_page`, with `on_page` listing them): that works without
    JavaScript. How many, and a reason for a rejection, the service checks.
    """

    action = forms.ChoiceField(choices=[("approve", "Approve selected"), ("reject", "Reject selected")])
    endorsement = IdListField(required=False)
    all_on_page = forms.BooleanField(label="Select all on this page", required=False)
    on_page = IdListField(required=False)
    reason = forms.CharField(
        label="Reason (sent to each organization's contact)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def selected_ids(self) -> list[int]:
        """The ids chosen, in page order, each once (of the fields that were valid)."""
        data = getattr(self, "cleaned_data", {})
        ids = list(data.get("endorsement", ()))
        if data.get("all_on_page"):
            ids = [*data.get("on_page", ()), *ids]
        return list(dict.fromkeys(ids))


# --- Staff: petitions ------------------------------------------------------------------


class _LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class PetitionForm(forms.ModelForm):
    class Meta:
        model = Petition
        fields = [
            "title", "slug", "summary", "ask", "body", "signature_goal", "accepts", "opens_at", "closes_at",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "ask": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "opens_at": _LocalDateTimeInput(),
            "closes_at": _LocalDateTimeInput(),
        }
        help_texts = {
            "opens_at": "In your time zone. Leave empty to open when published.",
            "closes_at": "In your time zone. Leave empty to stay open until a staff member closes it.",
        }

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The closing time must come after the opening time.")
        if (
            closes
            and closes <= timezone.now()
            and self.instance.status == Petition.Status.OPEN
            and closes != self.instance.closes_at
        ):
            self.add_error("closes_at", "To close the petition now, use the Close button on its page.")
        return cleaned


class FAQItemForm(forms.Form):
    question = forms.CharField(max_length=300)
    answer = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown.")


class ResourceForm(forms.Form):
    title = forms.CharField(max_length=300)
    publisher = forms.CharField(max_length=200, help_text="e.g. “Report by Public Citizen”.")
    published_on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Shown as month and year.",
    )
    url = forms.URLField(label="Link", max_length=500, required=False, assume_scheme="https")


FAQFormSet = forms.formset_factory(FAQItemForm, extra=2, can_order=True, can_delete=True, max_num=50)
ResourceFormSet = forms.formset_factory(ResourceForm, extra=2, can_order=True, can_delete=True, max_num=50)


def ordered_rows(formset) -> list[dict]:
    """The formset's filled-in, not-deleted rows in the order staff gave them."""
    rows = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        order = data.get("ORDER")
        rows.append((order if order is not None else 10_000 + index, index, data))
    return [
        {k: v for k, v in data.items() if k not in ("ORDER", "DELETE")}
        for _, _, data in sorted(rows, key=lambda r: r[:2])
    ]
