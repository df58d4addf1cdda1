"""Staff pages under /staff/events/: scheduling, registrants, check-in, export.

Every view is behind `cma.access.staff_required` (staff with two-factor
authentication, the admin's gate); every write goes through `services`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cma.access import staff_required
from cma.audit import history_of
from cma.csv import stream_csv
from cma.errors import form_errors, service_errors

from . import selectors, services
from .forms import (
    AttendanceForm,
    CancelEventForm,
    DuplicateEventForm,
    EventForm,
    QuestionFormSet,
    RegistrantFilterForm,
    RescheduleForm,
    SpeakerFormSet,
    StaffEventFilterForm,
    question_rows,
    speaker_rows,
)
from .models import Event, Registration


def _event_or_404(pk: int) -> Event:
    event = selectors.event_for_staff(pk)
    if event is None:
        raise Http404("No such event.")
    return event


@staff_required
def event_list(request):
    form = StaffEventFilterForm(request.GET or None)
    events = selectors.events_for_staff(
        status=form.value("status"), kind=form.value("kind"), when=form.value("when") or "upcoming", q=form.value("q")
    )
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "events/staff/list.html",
        {"page": page, "form": form, "counts": selectors.counts_by_kind()},
    )


def _formsets(request, event: Event | None = None):
    speakers_initial = list(event.speakers.values("name", "title", "organization")) if event else []
    questions_initial = (
        list(event.questions.values("label", "help_text", "kind", "choices", "required")) if event else []
    )
    data = request.POST if request.method == "POST" else None
    return (
        SpeakerFormSet(data, prefix="speakers", initial=speakers_initial),
        QuestionFormSet(data, prefix="questions", initial=questions_initial),
    )


@staff_required
@service_errors(back="staff:events:list")
def event_create(request):
    form = EventForm(request.POST or None)
    speakers, questions = _formsets(request)
    if request.method == "POST" and form.is_valid() and speakers.is_valid() and questions.is_valid():
        with form_errors(form):
            event = services.event_create(
                actor=request.user,
                speakers=speaker_rows(speakers),
                questions=question_rows(questions),
                creation_key=form.cleaned_data.get("creation_key"),
                **form.event_fields(),
            )
            return _after_create(request, event, publish="publish" in request.POST)
    return render(
        request,
        "events/staff/form.html",
        {"form": form, "speakers": speakers, "questions": questions, "event": None},
    )


def _after_create(request, event: Event, *, publish: bool):
    """The draft is saved whatever happens now: publishing it may still be refused."""
    if publish and event.is_draft:
        try:
            services.event_publish(actor=request.user, event=event)
        except services.NotPublishable as refused:
            messages.error(request, f"The draft was saved but not published: {refused.message}")
            return redirect("staff:events:detail", pk=event.pk)
    if event.is_published:
        messages.success(request, f"“{event.title}” is published and open for registration.")
    else:
        messages.success(request, f"Draft “{event.title}” saved. Check it, then publish it.")
    return redirect("staff:events:detail", pk=event.pk)


@staff_required
@service_errors(back="staff:events:detail")
def event_edit(request, pk: int):
    event = _event_or_404(pk)
    if event.is_cancelled:
        messages.error(request, "A cancelled event can't be edited.")
        return redirect("staff:events:detail", pk=pk)
    form = EventForm(request.POST or None, instance=Event.objects.get(pk=pk))
    speakers, questions = _formsets(request, event)
    if request.method == "POST" and form.is_valid() and speakers.is_valid() and questions.is_valid():
        with form_errors(form):
            services.event_update(
                actor=request.user,
                event=event,
                speakers=speaker_rows(speakers),
                questions=question_rows(questions),
                **form.event_fields(),
            )
            messages.success(request, "Changes saved.")
            return redirect("staff:events:detail", pk=pk)
    return render(
        request,
        "events/staff/form.html",
        {"form": form, "speakers": speakers, "questions": questions, "event": event},
    )


@staff_required
def event_detail(request, pk: int):
    event = _event_or_404(pk)
    return render(
        request,
        "events/staff/detail.html",
        {"event": event, "history": history_of(event)[:25], "questions": list(event.questions.all())},
    )


@staff_required
@require_POST
@service_errors(back="staff:events:detail")
def event_publish(request, pk: int):
    event = _event_or_404(pk)
    services.event_publish(actor=request.user, event=event)
    messages.success(request, f"“{event.title}” is published.")
    return redirect("staff:events:detail", pk=pk)


@staff_required
@service_errors(back="staff:events:detail")
def event_duplicate(request, pk: int):
    event = _event_or_404(pk)
    form = DuplicateEventForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            copy = services.event_duplicate(
                actor=request.user,
                event=event,
                starts_at=form.cleaned_data["starts_at"],
                title=form.cleaned_data["title"],
                creation_key=form.cleaned_data.get("creation_key"),
            )
            messages.success(request, "Copy saved as a draft. Check the details, then publish it.")
            return redirect("staff:events:edit", pk=copy.pk)
    return render(request, "events/staff/duplicate.html", {"event": event, "form": form})


@staff_required
@service_errors(back="staff:events:detail")
def event_reschedule(request, pk: int):
    event = _event_or_404(pk)
    if not event.is_published:
        messages.error(request, "Only a published event can be rescheduled; edit a draft's times directly.")
        return redirect("staff:events:detail", pk=pk)
    form = RescheduleForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.event_reschedule(
                actor=request.user,
                event=event,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                time_zone=form.cleaned_data["time_zone"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Rescheduled. Registrants are being emailed the new times and calendar entry.")
            return redirect("staff:events:detail", pk=pk)
    return render(request, "events/staff/reschedule.html", {"event": event, "form": form})


@staff_required
@service_errors(back="staff:events:detail")
def event_cancel(request, pk: int):
    event = _event_or_404(pk)
    if not event.is_published:
        messages.error(request, "Only a published event can be cancelled.")
        return redirect("staff:events:detail", pk=pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.event_cancel(actor=request.user, event=event, message=form.cleaned_data["message"])
            messages.success(request, "Event cancelled. Registrants are being emailed your message.")
            return redirect("staff:events:detail", pk=pk)
    return render(request, "events/staff/cancel.html", {"event": event, "form": form})


@staff_required
def registrant_list(request, pk: int):
    event = _event_or_404(pk)
    form = RegistrantFilterForm(request.GET or None)
    registrations = selectors.registrants(event, show=form.value("show") or "active", q=form.value("q"))
    page = Paginator(registrations, 100).get_page(request.GET.get("page"))
    questions = list(event.questions.all())
    for registration in page.object_list:
        answers = {a.get("question_id"): a.get("answer", "") for a in registration.answers or []}
        registration.answer_list = [answers.get(q.pk, "") for q in questions]
    return render(
        request,
        "events/staff/registrants.html",
        {"event": event, "page": page, "form": form, "questions": questions},
    )


@staff_required
def registrant_export(request, pk: int):
    event = _event_or_404(pk)
    header, rows = selectors.registrant_export(event)
    return stream_csv(f"{event.slug}-registrants.csv", header, rows)


@staff_required
def check_in(request, pk: int):
    event = _event_or_404(pk)
    q = request.GET.get("q", "").strip()[:100]
    registrations = selectors.registrants(event, show="confirmed", q=q).order_by("user__name", "user__email")
    page = Paginator(registrations, 200).get_page(request.GET.get("page"))
    return render(request, "events/staff/check_in.html", {"event": event, "page": page, "q": q})


def _check_in_page(request, pk: int) -> str:
    """Where a refused check-in goes back to: the check-in page of the registration's event."""
    event_id = Registration.objects.filter(pk=pk).values_list("event_id", flat=True).first()
    return reverse("staff:events:check_in", args=[event_id]) if event_id else reverse("staff:events:list")


@staff_required
@require_POST
@service_errors(back=_check_in_page)
def attendance(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("event", "user"), pk=pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    if request.htmx:
        with form_errors(form):
            registration = services.registration_set_attendance(
                actor=request.user, registration=registration, attended=form.cleaned_data["attended"]
            )
            event = _event_or_404(registration.event_id)
            return render(
                request, "events/staff/_check_in_row.html", {"registration": registration, "event": event, "oob": True}
            )
        return render(request, "400.html", status=400)  # the row stays as it was
    registration = services.registration_set_attendance(
        actor=request.user, registration=registration, attended=form.cleaned_data["attended"]
    )
    name = registration.user.display_name
    messages.success(request, f"{name} checked in." if registration.attended else f"Check-in undone for {name}.")
    url = reverse("staff:events:check_in", args=[registration.event_id])
    back = request.POST.get("q", "")[:100]
    query = f"?{urlencode({'q': back})}" if back else ""
    return redirect(f"{url}{query}#r{registration.pk}")


def _registrants_page(request, pk: int) -> str:
    event_id = Registration.objects.filter(pk=pk).values_list("event_id", flat=True).first()
    return reverse("staff:events:registrants", args=[event_id]) if event_id else reverse("staff:events:list")


@staff_required
@require_POST
@service_errors(back=_registrants_page)
def registration_cancel(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("event", "user"), pk=pk)
    promoted = services.registration_cancel(
        actor=request.user, registration=registration, note=request.POST.get("note", "")[:500]
    )
    text = f"Registration of {registration.user.display_name} cancelled."
    if promoted:
        text += " Promoted from the waitlist: " + ", ".join(r.user.display_name for r in promoted) + "."
    messages.success(request, text)
    return redirect("staff:events:registrants", pk=registration.event_id)
