from __future__ import annotations

from django import forms
from django.conf import settings

from events.models import Event
from petitions.models import Petition
from workinggroups.models import WorkingGroup

from .models import EndUse, Fact, Group, Involvement, Mineral, Stage, Unit
from .selectors import INDEX_SORTS


class IndexFilterForm(forms.Form):
    sort = forms.ChoiceField(label="Sort by", required=False, choices=[(k, v[1]) for k, v in INDEX_SORTS.items()])
    group = forms.ChoiceField(label="Group", required=False, choices=[("", "All groups"), *Group.choices])
    end_use = forms.ChoiceField(label="End use", required=False, choices=[("", "All end uses"), *EndUse.choices])


class DirectoryFilterForm(forms.Form):
    mineral = forms.ModelChoiceField(
        label="Mineral",
        required=False,
        queryset=Mineral.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any mineral",
    )
    stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any stage"), *Stage.choices])


class InvolvementForm(forms.Form):
    mineral = forms.ModelChoiceField(
        queryset=Mineral.objects.order_by("name"), to_field_name="slug", empty_label="Choose a mineral"
    )
    stages = forms.MultipleChoiceField(
        label="Stages you work in", choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.DecimalField(
        label="Capacity or annual volume", required=False, max_digits=14, decimal_places=3,
        help_text="Optional, in the mineral's unit (shown on its page).",
    )  # fmt: skip
    unit = forms.ChoiceField(label="Unit", choices=Unit.choices, required=False)
    visibility = forms.ChoiceField(
        label="Who may see this", choices=Involvement.Visibility.choices, widget=forms.RadioSelect,
        initial=Involvement.Visibility.MEMBERS,
    )  # fmt: skip


class DeclarationForm(forms.Form):
    organization = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label="Expected quantity", max_digits=20, decimal_places=3)
    unit = forms.ChoiceField(label="Unit", choices=Unit.choices)
    form = forms.CharField(
        label="Stage or form", max_length=120, help_text="For example “battery-grade lithium hydroxide”."
    )


class MineralForm(forms.ModelForm):
    working_groups = forms.ModelMultipleChoiceField(queryset=WorkingGroup.objects.order_by("name"), required=False)
    events = forms.ModelMultipleChoiceField(queryset=Event.objects.order_by("-starts_at"), required=False)
    petitions = forms.ModelMultipleChoiceField(queryset=Petition.objects.order_by("title"), required=False)

    class Meta:
        model = Mineral
        fields = ["name", "symbol", "group", "uses", "unit", "on_usgs_2025_list"]
        widgets = {"uses": forms.Textarea(attrs={"rows": 4})}


class FactForm(forms.Form):
    kind = forms.ChoiceField(choices=Fact.Kind.choices)
    percent = forms.IntegerField(label="Figure (%)", required=False, min_value=0, max_value=100)
    end_use = forms.ChoiceField(label="End use", required=False, choices=[("", "—"), *EndUse.choices])
    text = forms.CharField(label="What the source says", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    source = forms.CharField(label="Source document", max_length=300, help_text="Required: where this comes from.")
    quotes = forms.CharField(label="Publication it cites", max_length=300, required=False)
    source_date = forms.DateField(label="Date of the source", widget=forms.DateInput(attrs={"type": "date"}))


class RoundForm(forms.Form):
    mineral = forms.ModelChoiceField(queryset=Mineral.objects.order_by("name"), to_field_name="slug")
    title = forms.CharField(max_length=160)
    window_start = forms.DateField(label="Window starts", widget=forms.DateInput(attrs={"type": "date"}))
    window_end = forms.DateField(label="Window ends", widget=forms.DateInput(attrs={"type": "date"}))
    min_organizations = forms.IntegerField(
        label="Minimum organizations (k)", min_value=2, max_value=50,
        initial=lambda: settings.MINERALS_POOL_MIN_ORGANIZATIONS,
    )  # fmt: skip
    dominance_percent = forms.IntegerField(
        label="Largest share one organization may hold (%)", min_value=1, max_value=100,
        initial=lambda: settings.MINERALS_POOL_DOMINANCE_PERCENT,
    )  # fmt: skip
