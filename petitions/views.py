"""Public pages: the petition, signing and endorsing, the emailed links, embeds.

Everything here works without JavaScript. Whether an address had signed
before is never revealed: a valid submission always lands on the same
"check your email" page.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cma.errors import form_errors, service_errors
from cma.http import absolute_url, reverse_once

from . import ratelimit, selectors, services, tokens
from .forms import HONEYPOT_FIELD, EndorsementForm, SignatureForm, form_html
from .models import Endorsement, Petition, Signature, SignOn
from .permissions import (
    endorsement_logo_for_viewer,
    forget_recent_petitions,
    id_from_link,
    petition_for_embed,
    petition_for_signing,
    petition_for_viewer,
)

# Endorsement requests (form fields and a logo of at most 2 MB) larger than
# this are refused before their body is read.
ENDORSE_MAX_REQUEST_BYTES = 3 * 1024 * 1024


def petition_list(request):
    page = Paginator(selectors.public_petitions(), 20).get_page(request.GET.get("page"))
    return render(request, "petitions/list.html", {"page": page})


def petition_detail(request, slug: str):
    petition = petition_for_viewer(request.user, slug)
    return _petition_page(request, petition)


def _petition_page(
    request,
    petition: Petition,
    *,
    sign_form=None,
    endorse_form=None,
    problem: str = "",
    problem_at: str = "",
    status=200,
):
    """The petition page; `problem` is shown in the "sign" or "endorse" card
    (`problem_at`), where the browser lands after posting that form, or at the top."""
    share_url = absolute_url(petition.get_absolute_url())
    if sign_form is None and petition.accepting_signatures:
        sign_form = SignatureForm()
    if endorse_form is None and petition.accepting_endorsements:
        endorse_form = EndorsementForm()
    context = {
        "petition": petition,
        "phase": petition.phase,
        "count": selectors.signature_count(petition) if petition.takes_signatures else None,
        "recent": selectors.recent_signers(petition) if petition.takes_signatures else (),
        # Evaluated only when the cached wall fragment has expired.
        "wall": SimpleLazyObject(lambda: selectors.endorsement_wall(petition)),
        "faq": selectors.faq_items(petition),
        "resources": selectors.resources(petition),
        "sign_form": sign_form,
        "endorse_form": endorse_form,
        "sign_form_html": form_html(sign_form) if sign_form else "",
        "endorse_form_html": form_html(endorse_form) if endorse_form else "",
        "honeypot": HONEYPOT_FIELD,
        "share_links": _share_links(petition, share_url),
        "share_url": share_url,
        "widget_url": absolute_url(reverse("petitions:widget", args=[petition.slug])),
        "problem": problem,
        "problem_at": problem_at if problem_at in ("sign", "endorse") and (sign_form or endorse_form) else "",
    }
    return render(request, "petitions/detail.html", context, status=status)


def _share_links(petition: Petition, url: str) -> list[tuple[str, str]]:
    text = f"Sign the petition: {petition.title}"
    return [
        ("Email", "mailto:?" + urlencode({"subject": petition.title, "body": f"{text}\n\n{url}"}, quote_via=quote)),
        ("X", "https://x.com/intent/post?" + urlencode({"text": text, "url": url})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
    ]


def _check_email_redirect(petition: Petition, kind: str):
    # Not redirect(): given a path, it first tries (and fails) to reverse it
    # as a view name — a tenth of a millisecond on every signature.
    return HttpResponseRedirect(f"{reverse_once('petitions:check_email', petition.slug)}?for={kind}")


def _rate_limited(request, petition: Petition, rate: ratelimit.Rate, *, problem_at: str, **forms):
    response = _petition_page(
        request,
        petition,
        problem=(
            "We've received a lot of submissions from your network in a short time, so this one was not "
            f"recorded. Please try again in {rate.minutes} minute{'s' if rate.minutes != 1 else ''}."
        ),
        status=429,
        problem_at=problem_at,
        **forms,
    )
    response["Retry-After"] = str(rate.seconds)
    return response


def _not_taking(request, petition: Petition, kind: SignOn):
    """The petition page as it is, with why it takes no `kind` now and without that form."""
    return _petition_page(request, petition, problem=services.not_accepting_message(petition, kind), status=400)


def _stopped_taking(request, slug: str, error: services.NotAccepting):
    """It stopped taking sign-ons after this request (or this process) read it:
    show it as it is now, without the forms."""
    forget_recent_petitions()
    return _petition_page(request, petition_for_viewer(request.user, slug), problem=error.message, status=400)


@service_errors
def sign(request, slug: str):
    petition = petition_for_signing(request.user, slug)
    if request.method != "POST":
        return redirect(petition.get_absolute_url() + "#sign")
    client = ratelimit.client_key(request)
    ip_rate = ratelimit.parse_rate(settings.PETITIONS_SIGN_RATE_LIMIT_PER_IP)
    if request.POST.get(HONEYPOT_FIELD):
        # A bot: answer as if it worked, record nothing, count it against its address.
        ratelimit.hit("sign-ip", client, ip_rate)
        return _check_email_redirect(petition, "signature")
    if not petition.accepting_signatures:
        return _not_taking(request, petition, SignOn.SIGNATURES)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return _petition_page(request, petition, sign_form=form)
    email_key = f"{services.normalize_email(form.cleaned_data['email'])}|{client}"
    ip_ok, email_ok = ratelimit.hit_all(
        [
            ("sign-ip", client, ip_rate),
            ("sign-email", email_key, ratelimit.parse_rate(settings.PETITIONS_RATE_LIMIT_PER_EMAIL)),
        ]
    )
    if not ip_ok:
        return _rate_limited(request, petition, ip_rate, problem_at="sign", sign_form=form)
    if not email_ok:
        # Past the per-email limit nothing is recorded, but the answer is the same:
        # it must not reveal that this address has been used before.
        return _check_email_redirect(petition, "signature")
    with form_errors(form):
        try:
            services.signature_sign(petition=petition, **form.cleaned_data)
        except services.NotAccepting as error:
            return _stopped_taking(request, slug, error)
        return _check_email_redirect(petition, "signature")
    return _petition_page(request, petition, sign_form=form, status=400)


@csrf_exempt  # checked below, once the size is known to be sane
def endorse(request, slug: str):
    if request.method == "POST" and _content_length(request) > ENDORSE_MAX_REQUEST_BYTES:
        # Refused before anything (CSRF included) reads the upload.
        return render(request, "petitions/too_large.html", {"slug": slug}, status=413)
    return _endorse(request, slug)


@csrf_protect
@service_errors
def _endorse(request, slug: str):
    petition = petition_for_viewer(request.user, slug)
    if request.method != "POST":
        return redirect(petition.get_absolute_url() + "#endorse")
    client = ratelimit.client_key(request)
    ip_rate = ratelimit.parse_rate(settings.PETITIONS_ENDORSE_RATE_LIMIT_PER_IP)
    if request.POST.get(HONEYPOT_FIELD):
        ratelimit.hit("endorse-ip", client, ip_rate)
        return _check_email_redirect(petition, "endorsement")
    if not petition.accepting_endorsements:
        return _not_taking(request, petition, SignOn.ENDORSEMENTS)
    form = EndorsementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _petition_page(request, petition, endorse_form=form)
    if not ratelimit.hit("endorse-ip", client, ip_rate):
        return _rate_limited(request, petition, ip_rate, problem_at="endorse", endorse_form=form)
    email_key = f"{services.normalize_email(form.cleaned_data['contact_email'])}|{client}"
    if not ratelimit.hit("endorse-email", email_key, ratelimit.parse_rate(settings.PETITIONS_RATE_LIMIT_PER_EMAIL)):
        return _check_email_redirect(petition, "endorsement")
    with form_errors(form):
        try:
            services.endorsement_submit(petition=petition, **form.cleaned_data)
        except services.NotAccepting as error:
            return _stopped_taking(request, slug, error)
        return _check_email_redirect(petition, "endorsement")
    return _petition_page(request, petition, endorse_form=form, status=400)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def check_email(request, slug: str):
    petition = petition_for_viewer(request.user, slug)
    kind = "endorsement" if request.GET.get("for") == "endorsement" else "signature"
    return render(
        request,
        "petitions/check_email.html",
        {
            "petition": petition,
            "kind": kind,
            "confirm_days": tokens.MAX_AGE[tokens.CONFIRM_SIGNATURE].days,
            "resend_minutes": settings.PETITIONS_CONFIRMATION_RESEND_MINUTES,
        },
    )


# --- Emailed links: GET shows a button, only POST acts -----------------------------------


def _link_problem(request, petition: Petition, message: str, *, title: str = "This link can't be used", status=400):
    return render(
        request,
        "petitions/link_problem.html",
        {"petition": petition, "title": title, "message": message},
        status=status,
    )


def _read_link(request, petition: Petition, purpose: str, token: str):
    """The row id a link grants, or the page explaining why it grants nothing."""
    try:
        return id_from_link(petition=petition, purpose=purpose, token=token), None
    except tokens.TokenExpired:
        return None, _link_problem(
            request,
            petition,
            "This link has expired. Submit the form on the petition page again and we'll email you a fresh one.",
            title="This link has expired",
        )
    except tokens.TokenInvalid:
        return None, _link_problem(
            request,
            petition,
            "This link is incomplete or has been altered. Open it straight from the email, or copy the "
            "whole address into your browser.",
        )


def _link_page(request, petition: Petition, *, purpose: str, token: str, model, act, template: str, done: str):
    pk, problem = _read_link(request, petition, purpose, token)
    if problem:
        return problem
    if request.method == "POST":
        try:
            act(pk)
        except services.AlreadyDone as done_before:
            messages.info(request, done_before.message)
            return redirect(petition)
        except (services.WrongState, services.NotAccepting, services.Gone) as error:
            # The link's own page: what stood in its way, and the way back to the petition.
            return _link_problem(request, petition, error.message, status=409)
        messages.success(request, done)
        return redirect(petition)
    row = selectors.link_target(model, pk)
    if row is None:
        return _link_problem(request, petition, services.gone_message(), status=410)
    return render(request, template, {"petition": petition, "row": row, "token": token})


@service_errors
def signature_confirm(request, slug: str, token: str):
    petition = petition_for_viewer(request.user, slug)
    return _link_page(
        request,
        petition,
        purpose=tokens.CONFIRM_SIGNATURE,
        token=token,
        model=Signature,
        act=lambda pk: services.signature_confirm(signature_id=pk),
        template="petitions/signature_confirm.html",
        done="Thank you! Your signature is confirmed and now counts toward the goal.",
    )


@service_errors
def signature_withdraw(request, slug: str, token: str):
    petition = petition_for_viewer(request.user, slug)
    return _link_page(
        request,
        petition,
        purpose=tokens.WITHDRAW_SIGNATURE,
        token=token,
        model=Signature,
        act=lambda pk: services.signature_withdraw(signature_id=pk),
        template="petitions/signature_withdraw.html",
        done="Your signature was withdrawn and your details erased. It no longer counts.",
    )


@service_errors
def endorsement_confirm(request, slug: str, token: str):
    petition = petition_for_viewer(request.user, slug)
    return _link_page(
        request,
        petition,
        purpose=tokens.CONFIRM_ENDORSEMENT,
        token=token,
        model=Endorsement,
        act=lambda pk: services.endorsement_confirm(endorsement_id=pk),
        template="petitions/endorsement_confirm.html",
        done=(
            "Thank you! Your organization's endorsement is confirmed. Our staff will review it shortly, "
            "and we'll email you once it's listed."
        ),
    )


@service_errors
def endorsement_withdraw(request, slug: str, token: str):
    petition = petition_for_viewer(request.user, slug)
    return _link_page(
        request,
        petition,
        purpose=tokens.WITHDRAW_ENDORSEMENT,
        token=token,
        model=Endorsement,
        act=lambda pk: services.endorsement_withdraw(endorsement_id=pk),
        template="petitions/endorsement_withdraw.html",
        done="Your organization's endorsement was withdrawn and no longer appears on the wall.",
    )


# --- Embeds and integration ---------------------------------------------------------------


@xframe_options_exempt
@csp_replace({"frame-ancestors": settings.PETITIONS_EMBED_FRAME_ANCESTORS})  # type: ignore[arg-type]  # django-csp types its decorators for views taking the request alone
@cache_control(public=True, max_age=60)
def widget(request, slug: str):
    """The one page other sites may frame: count, progress and a sign button."""
    petition = petition_for_embed(slug)
    return render(
        request,
        "petitions/widget.html",
        {
            "petition": petition,
            "count": selectors.signature_count(petition) if petition.takes_signatures else None,
            "endorsement_count": selectors.endorsement_count(petition) if petition.takes_endorsements else None,
            "petition_url": absolute_url(petition.get_absolute_url()),
        },
    )


@cache_control(public=True, max_age=60)
def api(request, slug: str):
    """Read-only JSON for other sites: the count and the approved endorsements.

    Served from the cache (no query at all) until it expires or a change
    to the petition, its count or its endorsements clears it.
    """
    key = selectors.api_cache_key(slug)
    body = cache.get(key)
    if body is None:
        body = json.dumps(selectors.api_payload(petition_for_embed(slug)), cls=DjangoJSONEncoder).encode()
        cache.set(key, body, settings.PETITIONS_API_CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"  # public data, no credentials
    return response


def endorsement_logo(request, pk: int):
    endorsement = endorsement_logo_for_viewer(request.user, pk)
    try:
        handle = endorsement.logo.open("rb")
    except OSError as exc:
        raise Http404("No such logo.") from exc
    response = FileResponse(handle, content_type="image/png", as_attachment=True, filename=f"logo-{pk}.png")
    public = endorsement.status == Endorsement.Status.APPROVED
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
