from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import TemplatesSetting

from .errors import add_to_form


class SiteFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


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
