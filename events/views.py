"""Public event pages: listing, month view, the event page, registering and
cancelling, calendar files and personal feeds. Access goes through
`permissions`; every write through `services`."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cma.errors import add_to_form, service_errors

from . import calendar, permissions, selectors, services
from .forms import EventFilterForm, RegistrationForm
from .models import Event, Registration

PAGE_SIZE = 20


@require_GET
def event_list(request):
    groups = list(selectors.groups_with_events(user=request.user))
    form = EventFilterForm(request.GET or None, groups=groups)
    when = form.value("when") or "upcoming"
    events = selectors.events_for_listing(
        user=request.user, when=when, kind=form.value("kind"), group=form.value("group") if groups else ""
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.attach_viewer_registrations(page.object_list, request.user)
    filtered = bool(form.value("kind") or form.value("group"))
    return render(request, "events/list.html", {"page": page, "form": form, "when": when, "filtered": filtered})


def _month_from(value: str) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in value.split("-", 1))
        datetime.date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if not 2000 <= year <= 2100:
        return today.year, today.month
    return year, month


@require_GET
def event_month(request):
    year, month = _month_from(request.GET.get("month", ""))
    kind = request.GET.get("kind", "")
    grid = selectors.month_of_events(user=request.user, year=year, month=month, kind=kind)
    return render(
        request,
        "events/month.html",
        {"month": grid, "kind": kind if kind in Event.Kind.values else "", "kinds": Event.Kind.choices},
    )


def _detail_context(
    request, event: Event, check: permissions.RegistrationCheck, *, form: RegistrationForm | None = None
) -> dict:
    """What the event page shows; `check` is this request's registration check."""
    user = request.user
    registration = selectors.registration_of(user, event)
    active = registration if registration is not None and registration.is_active else None
    refusal = check.refusal
    phase = event.registration_phase()
    can_register = event.is_published and phase == "open" and refusal is None and active is None
    if can_register and form is None:
        form = RegistrationForm(event=event)
    join_link = permissions.can_see_join_link(user, event, registration)
    return {
        "event": event,
        "registration": active,
        "refusal": refusal.name.lower() if refusal else "",
        "phase": phase,
        "can_register": can_register,
        "form": form if can_register else None,
        "join_link": event.online_url if join_link else "",
        "speakers": list(event.speakers.all()),
        "google_url": calendar.google_calendar_url(event, join_link=join_link),
        "outlook_url": calendar.outlook_calendar_url(event, join_link=join_link),
        "outlook_personal_url": calendar.outlook_calendar_url(event, join_link=join_link, personal=True),
        "is_event_staff": permissions.is_event_staff(user),
        "full": event.capacity is not None and event.seats_left() == 0,
    }


@require_GET
def event_detail(request, slug: str):
    event = permissions.get_event_for_user(request.user, selectors.event_by_slug(slug))
    check = permissions.registration_check(request.user, event)
    return render(request, "events/detail.html", _detail_context(request, event, check))


def _membership_required(request, event: Event):
    return render(request, "events/membership_required.html", {"event": event}, status=403)


@require_POST
@service_errors(back="events:detail")
def event_register(request, slug: str):
    """Register from the event page. The registration check is computed once
    here and handed to the service and, if the form comes back, the page.
    Refusals of the moment (closed, cancelled, too many seats) come back as a
    message on the event page (@service_errors)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("events:detail", args=[slug]))
    event = permissions.get_event_for_user(request.user, selectors.event_by_slug(slug))
    check = permissions.registration_check(request.user, event)
    if check.refusal is permissions.Refusal.MEMBERSHIP:
        return _membership_required(request, event)
    form = RegistrationForm(request.POST, event=event)
    if form.is_valid():
        try:
            registration = services.event_register(
                actor=request.user, event=event, seats=form.seats, answers=form.answers, check=check
            )
        except ValidationError as error:
            add_to_form(form, error)
        except services.AlreadyRegistered as already:
            messages.info(request, already.message)  # reassurance, not an error
            return redirect("events:detail", slug=slug)
        else:
            _tell_registered(request, registration)
            return redirect("events:detail", slug=slug)
    context = _detail_context(request, event, check, form=form)
    if context["form"] is None:  # registration is not open to them after all
        messages.error(request, "Registration is not open for this event.")
        return redirect("events:detail", slug=slug)
    return render(request, "events/detail.html", context)


def _tell_registered(request, registration: Registration) -> None:
    if registration.is_confirmed:
        messages.success(
            request,
            f"You're registered for {registration.event.title}. A confirmation with a calendar entry is on its way "
            f"to {request.user.email}.",
        )
    else:
        position = selectors.waitlist_position(registration)
        messages.warning(
            request,
            f"The event is full, so you're on the waitlist (position {position}). "
            "We'll email you as soon as a seat opens up for you.",
        )


@login_required
@service_errors(back="events:detail")
def registration_cancel(request, slug: str):
    event = permissions.get_event_for_user(request.user, selectors.event_by_slug(slug))
    registration = selectors.registration_of(request.user, event)
    if registration is None or not registration.is_active:
        messages.info(request, "You have no registration for this event.")
        return redirect("events:detail", slug=slug)
    if request.method == "POST":
        waitlisted = registration.is_waitlisted
        services.registration_cancel(actor=request.user, registration=registration)
        messages.success(
            request,
            "You left the waitlist." if waitlisted else f"Your registration for {event.title} was cancelled.",
        )
        return redirect("events:detail", slug=slug)
    return render(request, "events/cancel_confirm.html", {"event": event, "registration": registration})


def _calendar_response(content: str, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def event_ics(request, slug: str):
    event = permissions.get_event_for_user(request.user, selectors.event_by_slug(slug))
    if event.is_draft:
        raise Http404("Drafts have no calendar entry.")
    registration = selectors.registration_of(request.user, event)
    join_link = permissions.can_see_join_link(request.user, event, registration)
    return _calendar_response(calendar.event_ics(event, join_link=join_link), f"{event.slug}.ics", attachment=True)


@login_required
def my_events(request):
    upcoming = list(selectors.registrations_of(request.user))
    past = Paginator(selectors.registrations_of(request.user, when="past"), 20).get_page(request.GET.get("page"))
    feed = selectors.feed_of(request.user)
    feed_url = request.build_absolute_uri(reverse("events:feed", args=[feed.token])) if feed else ""
    return render(
        request,
        "events/mine.html",
        {
            "upcoming": upcoming,
            "page": past,
            "feed": feed,
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
        },
    )


@login_required
@require_POST
def feed_manage(request):
    action = request.POST.get("action")
    if action == "enable":
        services.calendar_feed_enable(user=request.user)
        messages.success(request, "Your calendar feed is ready: add its address to your calendar app.")
    elif action == "regenerate":
        services.calendar_feed_regenerate(user=request.user)
        messages.success(request, "Your calendar feed has a new address; the old one no longer works.")
    elif action == "revoke":
        if services.calendar_feed_revoke(user=request.user):
            messages.success(request, "Your calendar feed is turned off; its address no longer works.")
    else:
        return HttpResponseBadRequest(render_to_string("400.html", request=request))
    return redirect(f"{reverse('events:mine')}#calendar-feed")


@never_cache
@require_GET
def feed(request, token: str):
    """A personal calendar feed: the token in the address is the credential."""
    found = selectors.feed_by_token(token)
    if found is None:
        raise Http404("No such calendar feed.")
    services.calendar_feed_touch(feed=found)
    content = calendar.feed_ics(selectors.feed_events(found.user), name="CMA USA events")
    response = _calendar_response(content, "cma-usa-events.ics", attachment=False)
    response["X-Robots-Tag"] = "noindex"
    return response
