"""One error type for refusals (`cma.errors`) and the one place each kind of
caller turns it into what a person sees: a view, a form, an admin action."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.admin import ModelAdmin
from django.contrib.admin.sites import AdminSite
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from cma.admin import MAX_REFUSALS_SHOWN, run_action
from cma.errors import Conflict, NotFound, Refused, ServiceError, add_to_form, form_errors, service_errors
from cma.models import AuditEntry


class EventishForm(forms.Form):
    title = forms.CharField()
    starts_at = forms.CharField()


def bound_form() -> EventishForm:
    form = EventishForm({"title": "Roundtable", "starts_at": "tomorrow"})
    assert form.is_valid()
    return form


def a_request(method: str = "post"):
    request = getattr(RequestFactory(), method)("/somewhere/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


# --- add_to_form / form_errors ---------------------------------------------------


def test_validation_messages_for_a_field_stand_beside_it():
    form = bound_form()

    add_to_form(form, ValidationError({"starts_at": "Starts after it ends."}))

    assert form.errors == {"starts_at": ["Starts after it ends."]}


def test_validation_messages_for_fields_the_form_lacks_go_to_the_top():
    form = bound_form()

    add_to_form(form, ValidationError({"venue": "A venue or a join link is needed."}))

    assert form.non_field_errors() == ["A venue or a join link is needed."]


def test_a_plain_validation_message_goes_to_the_top():
    form = bound_form()

    add_to_form(form, ValidationError("This event was cancelled."))

    assert form.non_field_errors() == ["This event was cancelled."]


def test_a_service_error_naming_a_field_stands_beside_it():
    form = bound_form()

    add_to_form(form, Conflict("That title is taken.", field="title"))

    assert form.errors == {"title": ["That title is taken."]}


def test_form_errors_turns_a_conflict_into_a_form_error_and_goes_on():
    form = bound_form()
    reached_after = False

    with form_errors(form):
        raise Conflict("The event is full.")
    reached_after = True

    assert reached_after
    assert form.non_field_errors() == ["The event is full."]


@pytest.mark.parametrize("error", [Refused("Staff only."), NotFound("No such thing.")])
def test_form_errors_lets_refusals_and_not_found_through(error):
    form = bound_form()

    with pytest.raises(type(error)), form_errors(form):
        raise error

    assert form.is_valid()


# --- service_errors (views) --------------------------------------------------------


def view_raising(error):
    def view(request, slug="x"):
        raise error

    return view


def test_a_refusal_becomes_the_403_page_with_its_message():
    view = service_errors(view_raising(Refused("Only chairs can do this.")))

    with pytest.raises(PermissionDenied, match="Only chairs can do this."):
        view(a_request())


def test_not_found_becomes_a_404():
    view = service_errors(view_raising(NotFound("No such group.")))

    with pytest.raises(Http404):
        view(a_request())


@pytest.mark.django_db
def test_a_conflict_without_a_page_to_go_back_to_answers_409_with_the_message():
    view = service_errors(view_raising(Conflict("This petition has closed.")))

    response = view(a_request())

    assert response.status_code == 409
    assert "This petition has closed." in response.content.decode()
    assert "Nothing was changed." in response.content.decode()


@pytest.mark.django_db
def test_an_invalid_value_without_a_page_to_go_back_to_answers_400():
    view = service_errors(view_raising(ValidationError("Give a date.")))

    response = view(a_request())

    assert response.status_code == 400
    assert "Give a date." in response.content.decode()


def test_a_conflict_goes_back_to_the_named_page_with_its_message():
    view = service_errors(back="events:detail")(view_raising(Conflict("The event is full.")))
    request = a_request()

    response = view(request, slug="roundtable")

    assert response.status_code == 302
    assert response.url == "/events/roundtable/"
    assert [m.message for m in get_messages(request)] == ["The event is full."]


def test_back_may_be_a_callable_of_the_view_arguments():
    view = service_errors(back=lambda request, slug: f"/custom/{slug}/")(view_raising(Conflict("No.")))

    response = view(a_request(), slug="abc")

    assert response.url == "/custom/abc/"


def test_a_view_that_succeeds_is_untouched():
    view = service_errors(lambda request: HttpResponse("fine"))

    assert view(a_request()).content == b"fine"


def test_every_kind_is_a_service_error_with_its_status():
    assert [cls.status_code for cls in (Refused, NotFound, Conflict)] == [403, 404, 409]
    assert all(issubclass(cls, ServiceError) for cls in (Refused, NotFound, Conflict))


# --- run_action (admin) --------------------------------------------------------------


class Row:
    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


def refuse_odd(row: Row) -> None:
    if int(row.name[-1]) % 2:
        raise Conflict(f"{row.name} is already done.")


def test_run_action_reports_successes_and_each_refusal_without_stopping():
    modeladmin = ModelAdmin(AuditEntry, AdminSite())
    request = a_request()

    done = run_action(modeladmin, request, [Row(f"row{i}") for i in range(4)], refuse_odd, done="Approved")

    assert done == 2
    assert [m.message for m in get_messages(request)] == [
        "Approved: 2.",
        "row1: row1 is already done.",
        "row3: row3 is already done.",
    ]


def test_run_action_counts_the_refusals_it_does_not_list():
    modeladmin = ModelAdmin(AuditEntry, AdminSite())
    request = a_request()
    rows = [Row(f"row{i}") for i in range(1, 2 * (MAX_REFUSALS_SHOWN + 3), 2)]

    run_action(modeladmin, request, rows, refuse_odd, done="Approved")

    shown = [m.message for m in get_messages(request)]
    assert len(shown) == MAX_REFUSALS_SHOWN + 1
    assert shown[-1] == "…and 3 more refused."
