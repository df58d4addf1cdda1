from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.renderers import TemplatesSetting

from .errors import add_to_form


class SiteFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class _SharedFields(dict):
    """A form class's fields, handed to each instance as they are (see SharedFieldsForm)."""

    def __deepcopy__(self, memo):
        return dict(self)


class _SharedFieldsMetaclass(DeclarativeFieldsMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = _SharedFields(new_class.base_fields)
        return new_class


class SharedFieldsForm(forms.BaseForm, metaclass=_SharedFieldsMetaclass):
    """A Form whose instances share their class's fields instead of each
    getting a deep copy.

    Django copies every field, with its widget, validators and messages, for
    every form instance, so that an instance may change its own
    (`self.fields["x"].queryset = …` in `__init__`). A form that never does
    gains nothing from the copy, and on the petition sign form, the portal's
    busiest, the copy was an eighth of the request's instructions. Only for
    forms whose `__init__` and callers leave the fields and widgets as
    declared; binding, cleaning, errors and rendering are per instance and
    unaffected.
    """


def formfield_https(db_field: models.Field, **kwargs):
    """A ModelForm `formfield_callback`: URL fields assume https:// when the
    scheme is left out (Django 6's default; Django 5.2 warns without it)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


# For ModelAdmin.formfield_overrides: the same for admin forms.
HTTPS_URL_OVERRIDES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Being replaced by `cma.errors.form_errors` (and `add_to_form`)."""
    add_to_form(form, error)
