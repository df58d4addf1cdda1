from __future__ import annotations

from typing import Any

from django import forms

from cma.forms import formfield_https
from events import selectors as event_selectors
from events.models import Event
from insights import selectors as insights_selectors
from members.models import US_STATES, MembershipTier, Segment
from petitions import selectors as petition_selectors
from petitions.models import Petition
from workinggroups.models import WorkingGroup

from . import audiences
from .audiences import Audience
from .models import Message


class MessageForm(forms.ModelForm):
    # The newsletter hand-off from insights: picked posts are added to the
    # end of the body as a linked list (title, standfirst), once, on save.
    insights_posts = forms.TypedMultipleChoiceField(
        label="Add insights posts", required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text="Each is added at the end of the text with its link and standfirst.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["insights_posts"].choices = insights_selectors.newsletter_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = insights_selectors.published_posts_by_ids(data.get("insights_posts") or [])
        if picked and "body" in data:
            data["body"] = f"{data['body'].rstrip()}\n\n{insights_selectors.newsletter_markdown(picked)}"
        return data

    class Meta:
        model = Message
        fields = ["kind", "subject", "body", "cta_label", "cta_url"]
        formfield_callback = formfield_https
        widgets = {"kind": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 16})}
        help_texts = {
            "subject": "The email's subject line and the archive page's title.",
            "body": "Markdown: ## headings, - lists, **bold**, *italics*, [links](https://…). "
            "Scripts, images and raw HTML are removed.",
            "cta_label": "Optional: a button under the text, e.g. “Register for the roundtable”.",
            "cta_url": "The button's https:// link.",
        }


class AudienceForm(forms.Form):
    """Who receives it. Only the fields of the chosen kind count."""

    audience = forms.ChoiceField(label="Send to", choices=audiences.KINDS, widget=forms.RadioSelect)
    primary_only = forms.BooleanField(label="Primary contacts only", required=False)
    segments = forms.ModelMultipleChoiceField(
        queryset=Segment.objects.order_by("position"), required=False, widget=forms.CheckboxSelectMultiple,
        label="Supply-chain segments", help_text="None ticked: every segment.",
    )  # fmt: skip
    tiers = forms.ModelMultipleChoiceField(
        queryset=MembershipTier.objects.order_by("position", "name"), required=False,
        widget=forms.CheckboxSelectMultiple, label="Membership tiers", help_text="None ticked: every tier.",
    )  # fmt: skip
    states = forms.MultipleChoiceField(
        choices=US_STATES, required=False, label="Headquarters states",
        help_text="None chosen: every state. Hold Ctrl (⌘ on a Mac) to choose several.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    groups = forms.ModelMultipleChoiceField(
        queryset=WorkingGroup.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple,
        label="Working groups",
    )  # fmt: skip
    event = forms.ModelChoiceField(
        queryset=Event.objects.none(), required=False, label="Event", empty_label="Choose an event"
    )
    petition = forms.ModelChoiceField(
        queryset=Petition.objects.none(), required=False, label="Petition", empty_label="Choose a petition"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read when the form is made, not when the module is imported.
        self.event_field.queryset = event_selectors.events_for_audiences()
        self.petition_field.queryset = petition_selectors.petitions_for_audiences()

    @property
    def event_field(self) -> forms.ModelChoiceField:
        return self.fields["event"]  # type: ignore[return-value]

    @property
    def petition_field(self) -> forms.ModelChoiceField:
        return self.fields["petition"]  # type: ignore[return-value]

    @classmethod
    def initial_for(cls, audience: Audience) -> dict[str, Any]:
        return {
            "audience": audience.kind, "primary_only": audience.primary_only, "segments": audience.segments,
            "tiers": audience.tiers, "states": audience.states, "groups": audience.groups,
            "event": audience.event, "petition": audience.petition,
        }  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("audience")
        if kind == audiences.GROUPS and not data.get("groups"):
            self.add_error("groups", "Choose at least one working group.")
        if kind == audiences.EVENT and not data.get("event"):
            self.add_error("event", "Choose the event whose registrants should hear it.")
        if kind in (audiences.SIGNERS, audiences.ENDORSERS) and not data.get("petition"):
            self.add_error("petition", "Choose the petition.")
        return data

    def to_audience(self) -> Audience:
        data = self.cleaned_data
        kind = data["audience"]
        if kind == audiences.MEMBERS:
            return Audience(
                kind=kind, primary_only=bool(data.get("primary_only")),
                segments=sorted(s.pk for s in data.get("segments") or []),
                tiers=sorted(t.pk for t in data.get("tiers") or []), states=sorted(data.get("states") or []),
            )  # fmt: skip
        if kind == audiences.GROUPS:
            return Audience(kind=kind, groups=sorted(g.pk for g in data["groups"]))
        if kind == audiences.EVENT:
            return Audience(kind=kind, event=data["event"].pk)
        return Audience(kind=kind, petition=data["petition"].pk)


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label="Send at",
        help_text="In your time zone. Leave empty and press “Send now” to send at once.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
