"""`cma.forms.add_service_errors`: a service's refusal shown in the form that fed it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from cma.forms import add_service_errors


class EventishForm(forms.Form):
    title = forms.CharField()
    starts_at = forms.CharField()


def bound_form() -> EventishForm:
    form = EventishForm({"title": "Roundtable", "starts_at": "tomorrow"})
    assert form.is_valid()
    return form


def test_messages_for_a_field_stand_beside_it():
    form = bound_form()

    add_service_errors(form, ValidationError({"starts_at": "Starts after it ends."}))

    assert form.errors == {"starts_at": ["Starts after it ends."]}


def test_messages_for_fields_the_form_lacks_go_to_the_top():
    form = bound_form()

    add_service_errors(form, ValidationError({"venue": "A venue or a join link is needed."}))

    assert form.non_field_errors() == ["A venue or a join link is needed."]


def test_a_plain_message_goes_to_the_top():
    form = bound_form()

    add_service_errors(form, ValidationError("This event was cancelled."))

    assert form.non_field_errors() == ["This event was cancelled."]
