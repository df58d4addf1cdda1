from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from . import sniffing
from .models import WorkingGroup
from .services import MAX_TAGS, CheckedUpload, check_upload


def _cap_mb() -> int:
    return settings.WORKINGGROUP_DOCUMENT_MAX_BYTES // 1_048_576


class DocumentFileField(forms.FileField):
    """A file input that runs the upload checks (size, name, sniffed type)
    and cleans to a services.CheckedUpload."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"{sniffing.ALLOWED_DESCRIPTION}; up to {_cap_mb()} MB.")
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ",".join(sniffing.ALLOWED_EXTENSIONS)}))
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None) -> CheckedUpload | None:
        upload = super().clean(data, initial)
        if not upload:
            return upload
        try:
            return check_upload(upload)
        except sniffing.UnsupportedFile as exc:
            raise forms.ValidationError(str(exc), code="unsupported") from exc


class TagsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault("help_text", f"Separated by commas, up to {MAX_TAGS}: e.g. draft, USTR-2026-03868.")
        super().__init__(**kwargs)

    def clean(self, value) -> list[str]:
        text = super().clean(value) or ""
        tags = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        if any(len(t) > 40 for t in tags):
            raise forms.ValidationError("Each tag can be 40 characters at most.")
        return tags


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = DocumentFileField()
    description = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What it is and what you would like the group to do with it. Markdown allowed.",
    )
    tags = TagsField()
    change_note = forms.CharField(
        label="Note on this version",
        required=False,
        max_length=500,
        help_text="Optional, e.g. “First draft for comment by May 1”.",
    )


class DocumentEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown allowed."
    )
    tags = TagsField()


class VersionForm(forms.Form):
    file = DocumentFileField(label="New version")
    change_note = forms.CharField(
        label="What changed",
        max_length=500,
        help_text="Shown in the version history, e.g. “Incorporates the recycling group's edits to section 3”.",
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Plain text; line breaks are kept.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentEditForm(forms.Form):
    body = forms.CharField(label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message to the chairs",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what you would bring to the group.",
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; sent to the person who asked.",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The person must have an account and belong to a CMA USA member organization.",
    )
    message = forms.CharField(
        label="Personal note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No one with this email address has an account on the portal.")
        self.invitee = user
        return email


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    tag = forms.SlugField(required=False, max_length=50)


class GroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["name", "slug", "summary", "mission", "join_policy", "antitrust_notice"]
        help_texts = {
            "slug": "The group's web address, as in /groups/permitting-reform/: lower case letters, digits and hyphens.",
            "summary": "One sentence for the list of groups.",
            "mission": "Markdown. Shown at the top of the group page.",
        }
        widgets = {"mission": forms.Textarea(attrs={"rows": 6}), "antitrust_notice": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "antitrust_notice"
        ].help_text = "Shown on the group page and its events. Empty: the association's standard notice."

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("This address is used by the site; choose another.")
        return slug


# Paths under /groups/ that are pages, not groups.
RESERVED_SLUGS = {"mine", "new"}


class AppointChairForm(InviteForm):
    message = None  # type: ignore[assignment]  # Django's way to drop an inherited form field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Appoint a chair (their email)"
        self.fields["email"].help_text = "Someone with an account in a CMA USA member organization."
