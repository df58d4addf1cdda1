from __future__ import annotations

import datetime
import uuid
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cma.formatting import clock
from cma.forms import formfield_https

from .groups import directory
from .models import Event, RegistrationQuestion, default_time_zone, time_zone_choices
from .selectors import REGISTRANT_FILTERS, STAFF_WHEN, WHEN_CHOICES

# --- Times typed in the event's own zone ---------------------------------------------


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone: the form attaches the event's
    zone (chosen in the same form), not the viewer's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)

    def to_python(self, value):
        # Parse in UTC (which has no gaps or overlaps) and drop the zone again.
        with timezone.override(datetime.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result

    def prepare_value(self, value):
        return value.replace(tzinfo=None) if isinstance(value, datetime.datetime) else value


def localize(value: datetime.datetime | None, zone_name: str) -> datetime.datetime | None:
    """Attach the zone to a wall-clock time; refuse times a DST change skips."""
    if value is None:
        return None
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = value.replace(tzinfo=zone)
    round_trip = aware.astimezone(datetime.UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != value:
        raise ValidationError(f"{clock(value)} does not exist on that day in {zone_name} (the clocks change).")
    return aware


def local_initial(value: datetime.datetime | None, zone: zoneinfo.ZoneInfo) -> datetime.datetime | None:
    return value.astimezone(zone).replace(tzinfo=None) if value else None


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("help_text", "Where the event takes place; times above are in this zone.")
        super().__init__(**kwargs)


# --- Public forms --------------------------------------------------------------------


class EventFilterForm(forms.Form):
    when = forms.ChoiceField(choices=list(WHEN_CHOICES.items()), required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="Kind", choices=[("", "All kinds"), *Event.Kind.choices], required=False)
    group = forms.ChoiceField(label="Working group", required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All working groups")] + [(g.slug, g.name) for g in groups]
        if not self.fields["group"].choices[1:]:
            del self.fields["group"]

    def value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


class RegistrationForm(forms.Form):
    """Seats (where more than one is allowed) and the event's questions."""

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if event.max_seats_per_registration > 1:
            limit = event.max_seats_per_registration
            if event.capacity is not None:
                limit = min(limit, event.capacity)
            self.fields["seats"] = forms.IntegerField(
                label="Seats",
                min_value=1,
                max_value=limit,
                initial=1,
                help_text=f"How many people from your organization will attend (up to {limit}).",
            )
        self.questions = list(event.questions.all())
        for question in self.questions:
            name = f"q_{question.pk}"
            if question.kind == RegistrationQuestion.Kind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.label,
                    help_text=question.help_text,
                    required=question.required,
                    choices=[(o, o) for o in question.options],
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.label,
                    help_text=question.help_text,
                    required=question.required,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    @property
    def seats(self) -> int:
        return self.cleaned_data.get("seats") or 1

    @property
    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}", "") for q in self.questions}


# --- Staff forms ---------------------------------------------------------------------


class EventForm(forms.ModelForm):
    """Create or edit an event. Times are typed in the event's zone.

    The form only validates input: the services check the rules that span
    fields (with field-by-field messages) and save; the database
    constraints stay the guarantee.
    """

    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")
    time_zone = TimeZoneField(label="Time zone")
    registration_opens_at = LocalDateTimeField(
        label="Registration opens", required=False, help_text="Empty: as soon as the event is published."
    )
    registration_closes_at = LocalDateTimeField(
        label="Registration closes", required=False, help_text="Empty: when the event starts."
    )

    # One per form page: a double-clicked or resubmitted form creates one event.
    creation_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    TIME_FIELDS = ("starts_at", "ends_at", "time_zone", "registration_opens_at", "registration_closes_at")

    class Meta:
        model = Event
        formfield_callback = formfield_https
        fields = [
            "kind", "title", "summary", "description", "starts_at", "ends_at", "time_zone", "venue_name",
            "venue_address", "online_url", "visibility", "working_group", "capacity", "max_seats_per_registration",
            "registration_opens_at", "registration_closes_at",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 10}),
            "venue_address": forms.Textarea(attrs={"rows": 2}),
            "visibility": forms.RadioSelect,
        }
        labels = {"venue_name": "Venue", "venue_address": "Venue address"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["working_group"].queryset = directory().groups_for_events()
        self.fields["working_group"].required = False
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["max_seats_per_registration"].widget.attrs["min"] = 1
        if instance.pk:
            zone = instance.zone
            for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
                self.initial[name] = local_initial(getattr(instance, name), zone)
            if instance.is_published:
                # A published event's time changes through Reschedule, which tells registrants.
                for name in ("starts_at", "ends_at", "time_zone"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Use Reschedule to change the time: registrants are told."
        else:
            self.initial.setdefault("time_zone", instance.time_zone)
            self.initial.setdefault("creation_key", uuid.uuid4())

    def clean(self):
        data = self.cleaned_data
        zone = data.get("time_zone")
        if zone:
            for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
                if data.get(name) is not None and name not in self.errors:
                    try:
                        data[name] = localize(data[name], zone)
                    except ValidationError as exc:
                        self.add_error(name, exc)
        return data

    def _post_clean(self):
        # The model instance is never saved from here (services do that), so
        # the instance-level validation ModelForm would run adds nothing.
        pass

    def event_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if not self.fields[name].disabled}


class MeetingForm(forms.Form):
    """A working group's meeting, scheduled by a chair from the group's page.
    Times are typed in the chosen zone. The form only validates input: the
    rules of a meeting (in the future, a join link for a webinar, a venue
    otherwise) are `services.meeting_schedule`'s, shown beside the fields."""

    KINDS = [
        (Event.Kind.ROUNDTABLE.value, "Roundtable"),
        (Event.Kind.WORKSHOP.value, "Workshop"),
        (Event.Kind.WEBINAR.value, "Webinar (online)"),
    ]

    title = forms.CharField(max_length=200, help_text="e.g. “Drafting session: USTR-2026-03868 comments”.")
    kind = forms.ChoiceField(choices=KINDS, initial=Event.Kind.ROUNDTABLE.value)
    summary = forms.CharField(
        max_length=300, widget=forms.Textarea(attrs={"rows": 2}), help_text="One or two sentences."
    )
    description = forms.CharField(
        label="Agenda", required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown allowed."
    )
    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")
    time_zone = TimeZoneField(label="Time zone", initial=default_time_zone)
    venue_name = forms.CharField(label="Venue", max_length=200, required=False)
    online_url = forms.URLField(
        label="Join link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Shown only to people who register.",
    )
    capacity = forms.IntegerField(min_value=1, required=False, help_text="Seats in all; empty for no limit.")

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone")
        for name in ("starts_at", "ends_at"):
            if zone and data.get(name) is not None and name not in self.errors:
                try:
                    data[name] = localize(data[name], zone)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def event_fields(self) -> dict:
        return dict(self.cleaned_data)


class SpeakerForm(forms.Form):
    # Rows are optional (blank ones are skipped), so nothing is marked required;
    # a row with anything in it needs a name.
    name = forms.CharField(max_length=150, required=False)
    title = forms.CharField(label="Job title", max_length=150, required=False, help_text="e.g. Chief Executive Officer")
    organization = forms.CharField(max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("name") and (data.get("title") or data.get("organization")):
            self.add_error("name", "Give the speaker's name.")
        return data


class QuestionForm(forms.Form):
    label = forms.CharField(label="Question", max_length=200, required=False)
    help_text = forms.CharField(max_length=300, required=False)
    kind = forms.ChoiceField(
        label="Answer type",
        choices=RegistrationQuestion.Kind.choices,
        initial=RegistrationQuestion.Kind.TEXT,
        required=False,
    )
    choices = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a choice question: one option per line.",
    )
    required = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or RegistrationQuestion.Kind.TEXT
        if not data.get("label") and (data.get("help_text") or data.get("choices") or data.get("required")):
            self.add_error("label", "Write the question.")
        options = [line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()]
        if data.get("kind") == RegistrationQuestion.Kind.CHOICE and len(options) < 2:
            self.add_error("choices", "Give at least two options, one per line.")
        data["choices"] = "\n".join(options)
        return data


def _rows(formset, key: str) -> list[dict]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get(key) and not f.cleaned_data.get("DELETE", False)
    ]


SpeakerFormSet = forms.formset_factory(SpeakerForm, extra=2, can_delete=True, max_num=30, validate_max=True)
QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, can_delete=True, max_num=15, validate_max=True)


def speaker_rows(formset) -> list[dict]:
    return [{k: row[k] for k in ("name", "title", "organization")} for row in _rows(formset, "name")]


def question_rows(formset) -> list[dict]:
    return [
        {k: row[k] for k in ("label", "help_text", "kind", "choices", "required")} for row in _rows(formset, "label")
    ]


class RescheduleForm(forms.Form):
    starts_at = LocalDateTimeField(label="New start")
    ends_at = LocalDateTimeField(label="New end")
    time_zone = TimeZoneField(label="Time zone")
    note = forms.CharField(
        label="Message to registrants",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why the time changed. Everyone registered or waitlisted is emailed the new times.",
    )

    def __init__(self, *args, event: Event, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "starts_at": local_initial(event.starts_at, event.zone),
                "ends_at": local_initial(event.ends_at, event.zone),
                "time_zone": event.time_zone,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone")
        if zone:
            for name in ("starts_at", "ends_at"):
                if data.get(name) is not None:
                    try:
                        data[name] = localize(data[name], zone)
                    except ValidationError as exc:
                        self.add_error(name, exc)
        return data


class CancelEventForm(forms.Form):
    message = forms.CharField(
        label="Message to registrants",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sent to everyone registered or waitlisted, with a calendar cancellation.",
    )


class DuplicateEventForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = LocalDateTimeField(label="Starts", help_text="In the event's time zone. It keeps the same length.")
    creation_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, event: Event, **kwargs):
        self.event = event
        kwargs.setdefault(
            "initial",
            {
                "title": event.title,
                "starts_at": local_initial(event.starts_at + datetime.timedelta(days=28), event.zone),
                "creation_key": uuid.uuid4(),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text = f"In {event.time_zone} time. The copy keeps the same length."

    def clean_starts_at(self):
        return localize(self.cleaned_data["starts_at"], self.event.time_zone)


class StaffEventFilterForm(forms.Form):
    q = forms.CharField(label="Title", required=False, max_length=100)
    when = forms.ChoiceField(label="When", choices=list(STAFF_WHEN.items()), required=False)
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *Event.Status.choices], required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "All kinds"), *Event.Kind.choices], required=False)

    def value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


class RegistrantFilterForm(forms.Form):
    q = forms.CharField(label="Name or email", required=False, max_length=100)
    show = forms.ChoiceField(label="Show", choices=list(REGISTRANT_FILTERS.items()), required=False)

    def value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(choices=[("1", "yes"), ("0", "no")], coerce=lambda v: v == "1")
