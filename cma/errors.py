"""One error type for every refusal a service makes, and the one place that
turns it into what the person sees.

Services raise a subclass of `ServiceError` with a message fit for the person
who tried; nothing was changed when one is raised. Views never catch them one
by one: `@service_errors` turns one escaping a view into a 403, 404 or 409
answer (or a message on the page named by `back=`), and `form_errors(form)`
shows one raised while handling a valid form beside the field it names.
The admin's counterpart is `cma.admin.run_action`.

Invalid input (a field with a wrong value) stays Django's `ValidationError`:
both helpers treat it like a conflict, shown in the form or as a message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponse)


class ServiceError(Exception):
    """An action refused; nothing was changed. `message` is for the person who
    tried; `field` names the form field it is about, if any."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class Refused(ServiceError):
    """This person may not do this at all (403)."""

    status_code = 403


class NotFound(ServiceError):
    """The thing does not exist, or not for this person (404)."""

    status_code = 404


class Conflict(ServiceError):
    """Not possible in the current state: already done, closed, full, gone (409)."""

    status_code = 409


class Unavailable(ServiceError):
    """Something the action needs is out of service for now — storage full,
    a service down (503): try again later."""

    status_code = 503


def messages_of(error: ServiceError | ValidationError) -> list[str]:
    if isinstance(error, ServiceError):
        return [error.message]
    return list(error.messages)


def add_to_form(form: forms.BaseForm, error: ServiceError | ValidationError) -> None:
    """Show an error in the form that fed the service: each message beside the
    field it names, or at the top when it names none (or a field the form does
    not have)."""
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


@contextmanager
def form_errors(form: forms.BaseForm) -> Iterator[None]:
    """Run a service for a valid form; a conflict or invalid value it raises
    becomes an error in the form and the code after the `with` block runs
    (it re-renders the form). Refusals and not-found pass on to
    `@service_errors`: they are not something the person can correct.

        if form.is_valid():
            with form_errors(form):
                services.thing_do(...)
                return redirect(...)
        return render(request, "page.html", {"form": form})
    """
    try:
        yield
    except (Refused, NotFound):
        raise
    except (ServiceError, ValidationError) as error:
        add_to_form(form, error)


BackTo = str | Callable[..., str] | None


def _back_url(back: BackTo, request: HttpRequest, kwargs: Mapping[str, Any]) -> str | None:
    if back is None:
        return None
    if callable(back):
        return back(request, **kwargs)
    if back.startswith("/"):
        return back
    return reverse(back, kwargs=dict(kwargs))


def service_errors(view: Callable[P, R] | None = None, *, back: BackTo = None) -> Any:
    """Decorate a view: a `ServiceError` (or `ValidationError`) escaping it
    becomes the answer it calls for.

    - `Refused` → the 403 page with its message;
    - `NotFound` → the 404 page;
    - a conflict or invalid value → its message on the page `back` names (a URL
      name reversed with the view's keyword arguments, a path, or a callable
      taking the request and those arguments), or, when the view names none,
      a page saying what stood in the way (409; 400 for an invalid value).
    """

    def decorate(view: Callable[P, R]) -> Callable[P, HttpResponse]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            request = args[0]
            assert isinstance(request, HttpRequest)
            try:
                return view(*args, **kwargs)
            except Refused as error:
                raise PermissionDenied(error.message) from error
            except NotFound as error:
                raise Http404(error.message) from error
            except (ServiceError, ValidationError) as error:
                url = _back_url(back, request, kwargs)
                if url is None:
                    status = error.status_code if isinstance(error, ServiceError) else 400
                    return render(request, "409.html", {"errors": messages_of(error), "status": status}, status=status)
                for message in messages_of(error):
                    messages.error(request, message)
                return redirect(url)

        return wrapped

    if view is not None:
        return decorate(view)
    return decorate
