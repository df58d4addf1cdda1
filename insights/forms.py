from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cma.forms import formfield_https
from events.models import Event
from members.models import Segment, User
from minerals.models import Mineral
from workinggroups.models import WorkingGroup

from . import selectors, services
from .models import Post


class PostForm(forms.ModelForm):
    hero_upload = forms.FileField(
        label="Hero image", required=False,
        help_text="PNG, JPEG, GIF or WebP, up to 2 MB; shown at the top of the post and when it is shared.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )  # fmt: skip
    remove_hero = forms.BooleanField(label="Remove the hero image", required=False)

    class Meta:
        model = Post
        fields = [
            "kind", "title", "slug", "standfirst", "body", "visibility", "hero_alt", "authors",
            "minerals", "segments", "working_groups", "events", "filed_as_title", "filed_as_url",
        ]  # fmt: skip
        formfield_callback = formfield_https
        widgets = {
            "kind": forms.RadioSelect, "visibility": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 18}), "standfirst": forms.Textarea(attrs={"rows": 2}),
            "authors": forms.SelectMultiple(attrs={"size": 5}),
            "minerals": forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"}),
            "segments": forms.CheckboxSelectMultiple, "working_groups": forms.CheckboxSelectMultiple,
            "events": forms.SelectMultiple(attrs={"size": 5}),
        }  # fmt: skip
        error_messages = {"slug": {"unique": "Another post already lives at this address: choose another."}}
        help_texts = {
            "slug": "Letters, digits and hyphens; left empty, it is made from the title.",
            "body": "Markdown: ## headings, - lists, [links](https://…), footnotes for sources "
            "(text[^1] … [^1]: the source), images uploaded below (![alt text](…)). "
            "Scripts, raw HTML and images from elsewhere are removed.",
            "hero_alt": "What the image shows, for people who can't see it. Required with an image.",
            "authors": "Shown by name and organization. None chosen: you.",
            "filed_as_title": "A policy position: the letter or comment it was filed as.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["authors"].queryset = User.objects.filter(is_staff=True, is_active=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["minerals"].queryset = selectors.mineral_tags()  # type: ignore[attr-defined]
        self.fields["segments"].queryset = Segment.objects.order_by("position")  # type: ignore[attr-defined]
        self.fields["working_groups"].queryset = WorkingGroup.objects.filter(status="active").order_by("name")  # type: ignore[attr-defined]
        self.fields["events"].queryset = Event.objects.listed().upcoming().order_by("starts_at")  # type: ignore[attr-defined]
        self.fields["events"].required = False

    def clean_hero_upload(self) -> Any:
        upload = self.cleaned_data.get("hero_upload")
        if not upload:
            return None
        try:
            return services.clean_hero(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["hero_upload"]) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_image = bool(data.get("hero_upload")) or (bool(self.instance.hero_image) and not data.get("remove_hero"))
        if has_image and not (data.get("hero_alt") or "").strip():
            self.add_error("hero_alt", "Describe the image for people who can't see it (alt text): it is required.")
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in services.POST_FIELDS}
        fields.update({name: list(data[name]) for name in services.RELATION_FIELDS})
        if not fields["authors"]:
            del fields["authors"]
        return fields


class PostImageForm(forms.Form):
    """An image for the body: uploaded here, then placed by pasting its Markdown line."""

    image = forms.FileField(
        label="Image for the body",
        help_text="PNG, JPEG, GIF or WebP, up to 5 MB. The file's contents decide its type, not its name.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    alt = forms.CharField(
        label="Alt text",
        max_length=250,
        help_text="What the image shows, for people who can't see it. Required.",
        error_messages={"required": "Describe the image for people who can't see it (alt text): it is required."},
    )

    def clean_image(self) -> Any:
        try:
            return services.clean_body_image(self.cleaned_data["image"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["image"]) from error


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label="Publish at",
        help_text="In your time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_scheduled_for(self) -> Any:
        when = self.cleaned_data["scheduled_for"]
        if when <= timezone.now():
            raise ValidationError("Choose a time in the future, or publish it now.")
        return when


class IndexForm(forms.Form):
    """The index's filters and search. Bad input (a NUL byte, a query past
    the length limit) is an error shown beside the search field."""

    q = forms.CharField(label="Search", required=False, max_length=selectors.MAX_QUERY_CHARS)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "All kinds"), *Post.Kind.choices])
    mineral = forms.ChoiceField(label="Mineral", required=False)
    segment = forms.ChoiceField(label="Segment", required=False)

    def __init__(self, *args: Any, minerals: list[Mineral], segments: list[Segment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mineral"].choices = [("", "All minerals"), *((t.slug, t.name) for t in minerals)]  # type: ignore[attr-defined]
        self.fields["segment"].choices = [("", "All segments"), *((s.slug, s.name) for s in segments)]  # type: ignore[attr-defined]

    def filters(self) -> selectors.IndexFilter:
        if not self.is_valid():
            return selectors.IndexFilter()
        data = self.cleaned_data
        return selectors.IndexFilter(kind=data["kind"], mineral=data["mineral"], segment=data["segment"], q=data["q"])
