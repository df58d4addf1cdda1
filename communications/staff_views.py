"""Staff pages under /staff/communications/: compose, preview the audience,
test, send or schedule, follow the progress, pause, resume, cancel.

Every view runs the staff gate (staff + second factor); every write goes
through `services`.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cma.access import staff_required
from cma.audit import history_of
from cma.csv import stream_csv
from cma.errors import form_errors, service_errors
from cma.formatting import date_and_time
from cma.markdown import render_markdown
from notifications.models import Suppression

from . import selectors, services
from .audiences import Audience
from .forms import AudienceForm, MessageForm, ScheduleForm
from .models import Message


def _message(pk: int) -> Message:
    message = selectors.message_for_staff(pk)
    if message is None:
        raise Http404("No such message.")
    return message


@staff_required
def message_list(request) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.messages_for_staff(status=status), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "communications/staff/list.html",
        {"page": page, "status": status if status in Message.Status.values else "", "statuses": Message.Status.choices},
    )


@staff_required
def message_new(request) -> HttpResponse:
    return _compose(request, None)


@staff_required
@service_errors(back="staff:communications:detail")
def message_edit(request, pk: int) -> HttpResponse:
    message = _message(pk)
    if not message.is_editable:
        messages.info(request, "This message has been sent (or is being sent), so it can no longer be changed.")
        return redirect("staff:communications:detail", pk=pk)
    return _compose(request, message)


def _compose(request, message: Message | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = MessageForm(data, instance=message or Message())
    initial = AudienceForm.initial_for(Audience.from_json(message.audience)) if message else {"audience": "members"}
    audience_form = AudienceForm(data, initial=initial, prefix="to")
    if data is not None and form.is_valid() and audience_form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.MESSAGE_FIELDS}
        with form_errors(form):
            if message is None:
                message = services.message_create(actor=request.user, audience=audience_form.to_audience(), **fields)
                messages.success(request, "Draft saved. Check the preview, send yourself a test, then send it.")
            else:
                services.message_update(
                    actor=request.user, message=message, audience=audience_form.to_audience(), **fields
                )
                messages.success(request, "Draft saved.")
            return redirect("staff:communications:detail", pk=message.pk)
    return render(
        request,
        "communications/staff/form.html",
        {"form": form, "audience_form": audience_form, "message": message},
    )


@staff_required
@require_GET
def audience_preview(request) -> HttpResponse:
    """The recipient count and a sample for the audience the form describes
    (htmx, as staff change it). Two queries whatever the audience's size."""
    form = AudienceForm(request.GET, prefix="to")
    preview = selectors.audience_preview(form.to_audience()) if form.is_valid() else None
    return render(request, "communications/staff/_audience_preview.html", {"preview": preview, "form": form})


@staff_required
def message_detail(request, pk: int) -> HttpResponse:
    message = _message(pk)
    audience = Audience.from_json(message.audience)
    return render(
        request,
        "communications/staff/detail.html",
        {
            "message": message,
            "body_html": render_markdown(message.body),
            "preview": selectors.audience_preview(audience) if message.is_editable else None,
            "progress": selectors.message_progress(message),
            "schedule_form": ScheduleForm(),
            "nonce": uuid.uuid4().hex,
            "history": history_of(message)[:20],
        },
    )


@staff_required
@require_GET
def message_progress(request, pk: int) -> HttpResponse:
    message = _message(pk)
    return render(
        request,
        "communications/staff/_progress.html",
        {"message": message, "progress": selectors.message_progress(message)},
    )


@staff_required
@require_POST
@service_errors(back="staff:communications:detail")
def message_test(request, pk: int) -> HttpResponse:
    message = _message(pk)
    services.message_send_test(actor=request.user, message=message, nonce=request.POST.get("nonce", ""))
    messages.success(request, f"A test is on its way to {request.user.email}.")
    return redirect("staff:communications:detail", pk=pk)


@staff_required
@require_POST
@service_errors(back="staff:communications:detail")
def message_send(request, pk: int) -> HttpResponse:
    message = _message(pk)
    if request.POST.get("when") == "later":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("scheduled_for", []):
                messages.error(request, str(error))
            return redirect("staff:communications:detail", pk=pk)
        message = services.message_send(actor=request.user, message=message, when=form.cleaned_data["scheduled_for"])
        when = date_and_time(timezone.localtime(message.scheduled_for), long=True, zone_name=True)
        messages.success(request, f"Scheduled for {when}. You can still cancel it until then.")
    else:
        services.message_send(actor=request.user, message=message)
        messages.success(request, "Sending has started. The counts below update as the emails go out.")
    return redirect("staff:communications:detail", pk=pk)


@staff_required
@require_POST
@service_errors(back="staff:communications:detail")
def message_action(request, pk: int, action: str) -> HttpResponse:
    message = _message(pk)
    if action == "pause":
        services.message_pause(actor=request.user, message=message)
        messages.success(request, "Paused. Emails already handed to the mail server still arrive.")
    elif action == "resume":
        services.message_resume(actor=request.user, message=message)
        messages.success(request, "Sending again.")
    elif action == "cancel":
        services.message_cancel(actor=request.user, message=message)
        messages.success(request, "Cancelled. Nobody who hasn't received it yet will.")
    else:
        raise Http404("No such action.")
    return redirect("staff:communications:detail", pk=pk)


@staff_required
@require_GET
def suppression_export(request) -> StreamingHttpResponse:
    rows = Suppression.objects.order_by("email").values_list("email", "topic", "reason", "source", "created_at")
    return stream_csv(
        f"suppression-list-{timezone.localdate():%Y-%m-%d}.csv",
        ["email", "topic (blank: every optional topic)", "reason", "source", "since"],
        rows.iterator(chunk_size=1000),
    )
