"""Pages of the working groups. Thin: ask permissions.py, call one service or
selector, render or redirect. Refusals are `cma.errors` kinds, answered by
`@service_errors`: wrong states (Conflict) get the 409 page with the reason,
invalid values the 400 page, missing rights 403, private things 404; a
refusal while handling a valid form is shown in the form (`form_errors`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cma.csv import stream_csv
from cma.errors import Conflict, NotFound, Refused, form_errors, service_errors
from events.forms import MeetingForm
from events.services import meeting_schedule
from members.selectors import user_is_member
from notifications import services as notification_services

from . import selectors, services
from .downloads import version_response
from .forms import (
    CommentEditForm,
    CommentForm,
    DeclineForm,
    DocumentEditForm,
    DocumentFilterForm,
    DocumentForm,
    InviteForm,
    JoinRequestForm,
    VersionForm,
)
from .models import Comment, GroupMembership, WorkingGroup
from .permissions import (
    ARCHIVED_MESSAGE,
    GroupAccess,
    get_group_for_user,
    require_contributor,
    require_manager,
    require_private,
    require_signed_in_member,
)
from .uploads import accepts_documents

DOCUMENTS_PER_PAGE = 20
MEMBERS_ON_OVERVIEW = 12


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _document_or_404(access: GroupAccess, pk: int):
    document = selectors.document_in_group(access.group, pk)
    if document is None:
        raise NotFound("No such document.")
    return document


def _membership_or_404(access: GroupAccess, pk: int) -> GroupMembership:
    row = GroupMembership.objects.select_related("user", "group").filter(group=access.group, pk=pk).first()
    if row is None:
        raise NotFound("No such membership.")
    return row


def _members_only(request, access: GroupAccess):
    """The answer to a link to a group's document for someone who may not see
    it: 404 either way. A person of a member organization learns the group's
    documents are for its members and how to join; nothing on the page
    depends on the document, so it is the same whether the link is real."""
    if not access.offers_membership:
        raise NotFound("No such page.")
    return render(request, "workinggroups/members_only.html", {"group": access.group, "access": access}, status=404)


# --- Groups ---------------------------------------------------------------------------


@require_GET
def group_list(request):
    groups = list(selectors.group_directory(request.user, include_archived=True))
    return render(
        request,
        "workinggroups/list.html",
        {
            "active_groups": [g for g in groups if g.status == WorkingGroup.Status.ACTIVE],
            "archived_groups": [g for g in groups if g.status == WorkingGroup.Status.ARCHIVED],
            "association_member": user_is_member(request.user),
        },
    )


@require_GET
@service_errors
def group_detail(request, slug: str):
    access = get_group_for_user(request.user, slug)
    group = access.group
    context = {"group": group, "access": access}
    if access.can_view_private:
        context.update(
            members=list(selectors.group_members(group)[:MEMBERS_ON_OVERVIEW]),
            member_total=selectors.active_memberships(group).count(),
            documents=list(selectors.documents_for_group(group)[:6]),
            activities=list(selectors.activity_feed(group)),
            upcoming_events=selectors.upcoming_group_events(group, user=request.user),
            past_events=selectors.past_group_events(group, user=request.user),
            can_schedule=access.can_schedule,
            muted=notification_services.group_muted(user=request.user, group_id=group.pk),
            request_count=selectors.pending_requests(group).count() if access.can_manage else 0,
        )
    else:
        if access.association_member:
            context["chairs"] = list(selectors.group_chairs(group))
        context["member_count"] = selectors.active_memberships(group).count()
    return render(request, "workinggroups/detail.html", context)


@login_required
def my_groups(request):
    rows = list(selectors.memberships_of(request.user))
    association_member = user_is_member(request.user)
    return render(
        request,
        "workinggroups/mine.html",
        {
            "active": [r for r in rows if r.status == GroupMembership.Status.ACTIVE],
            "requested": [r for r in rows if r.status == GroupMembership.Status.REQUESTED],
            "invited": [r for r in rows if r.status == GroupMembership.Status.INVITED],
            "association_member": association_member,
            "other_groups": [
                g
                for g in selectors.group_directory(request.user)
                if g.my_status not in (GroupMembership.Status.ACTIVE, GroupMembership.Status.REQUESTED)
                and g.my_status != GroupMembership.Status.INVITED
            ],
        },
    )


# --- Joining and leaving ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def join(request, slug: str):
    """Open groups: POST joins at once. By-request groups: a form with a
    message to the chairs. Invitation-only groups: 403."""
    access = require_signed_in_member(get_group_for_user(request.user, slug))
    group = access.group
    if group.is_archived:
        raise Refused(ARCHIVED_MESSAGE)
    if group.join_policy == WorkingGroup.JoinPolicy.INVITATION:
        raise Refused("This group is by invitation only. Ask one of its chairs to invite you.")
    if access.is_member:
        messages.info(request, f"You are already a member of {group.name}.")
        return redirect("workinggroups:detail", slug=slug)
    if group.join_policy == WorkingGroup.JoinPolicy.OPEN:
        if request.method != "POST":
            return render(request, "workinggroups/join.html", {"group": group, "access": access})
        services.membership_join(actor=request.user, group=group)
        messages.success(request, f"Welcome to {group.name}. The chairs have been told you joined.")
        return redirect("workinggroups:detail", slug=slug)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.membership_request(actor=request.user, group=group, message=form.cleaned_data["message"])
        messages.success(
            request, f"Your request to join {group.name} was sent to its chairs. We'll email you their answer."
        )
        return redirect("workinggroups:detail", slug=slug)
    return render(request, "workinggroups/join.html", {"group": group, "access": access, "form": form})


@login_required
@require_POST
@service_errors
def withdraw(request, slug: str):
    access = get_group_for_user(request.user, slug)
    services.membership_withdraw(actor=request.user, group=access.group)
    messages.success(request, "Your request to join was withdrawn.")
    return redirect(_next_or(request, reverse("workinggroups:detail", kwargs={"slug": slug})))


@login_required
@require_POST
@service_errors
def accept_invitation(request, slug: str):
    access = get_group_for_user(request.user, slug)
    services.membership_accept_invitation(actor=request.user, group=access.group)
    messages.success(request, f"Welcome to {access.group.name}.")
    return redirect("workinggroups:detail", slug=slug)


@login_required
@require_POST
@service_errors
def decline_invitation(request, slug: str):
    access = get_group_for_user(request.user, slug)
    services.membership_decline_invitation(actor=request.user, group=access.group)
    messages.success(request, f"You declined the invitation to {access.group.name}.")
    return redirect(_next_or(request, reverse("workinggroups:mine")))


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def leave(request, slug: str):
    access = require_private(get_group_for_user(request.user, slug))
    if not access.is_member:
        raise NotFound("You are not a member of this group.")
    if request.method == "POST":
        services.membership_leave(actor=request.user, group=access.group)
        messages.success(request, f"You left {access.group.name}.")
        return redirect("workinggroups:mine")
    return render(request, "workinggroups/leave.html", {"group": access.group, "access": access})


@login_required
@require_POST
@service_errors
def mute(request, slug: str):
    """Mute (or unmute) this group's activity emails for oneself; its notices
    still appear on the notifications page."""
    access = require_private(get_group_for_user(request.user, slug))
    muted = request.POST.get("muted") == "1"
    notification_services.group_mute(user=request.user, group_id=access.group.pk, muted=muted)
    if muted:
        messages.success(request, f"Muted: no more emails about {access.group.name}'s activity.")
    else:
        messages.success(request, f"Unmuted: you'll get emails about {access.group.name}'s activity again.")
    return redirect("workinggroups:detail", slug=slug)


# --- Members (chairs manage) ------------------------------------------------------------------


@login_required
@require_GET
@service_errors
def members(request, slug: str):
    access = require_private(get_group_for_user(request.user, slug))
    group = access.group
    context = {"group": group, "access": access, "members": list(selectors.group_members(group))}
    if access.can_manage:
        context.update(
            requests=list(selectors.pending_requests(group)),
            invitations=list(selectors.open_invitations(group)),
            suspended=list(selectors.suspended_memberships(group)),
            decline_form=DeclineForm(),
        )
    return render(request, "workinggroups/members.html", context)


@login_required
@require_GET
@service_errors
def members_export(request, slug: str):
    access = require_manager(get_group_for_user(request.user, slug))
    header = ["Name", "Email", "Organizations", "Role", "Status", "Organization in good standing", "Joined"]
    return stream_csv(f"{slug}-members.csv", header, selectors.membership_export_rows(access.group))


@login_required
@require_POST
@service_errors
def member_approve(request, slug: str, pk: int):
    access = require_manager(get_group_for_user(request.user, slug))
    row = services.membership_approve(actor=request.user, membership=_membership_or_404(access, pk))
    messages.success(request, f"{row.user.display_name} is now a member of {access.group.name}; they have been told.")
    return redirect(_next_or(request, reverse("workinggroups:members", kwargs={"slug": slug})))


@login_required
@require_POST
@service_errors
def member_decline(request, slug: str, pk: int):
    access = require_manager(get_group_for_user(request.user, slug))
    row = _membership_or_404(access, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        raise ValidationError("The reason is too long (1,000 characters at most).")
    services.membership_decline(actor=request.user, membership=row, reason=form.cleaned_data["reason"])
    messages.success(request, f"{row.user.display_name}'s request was declined; they have been told.")
    return redirect(_next_or(request, reverse("workinggroups:members", kwargs={"slug": slug})))


@login_required
@require_POST
@service_errors
def member_remove(request, slug: str, pk: int):
    access = require_manager(get_group_for_user(request.user, slug))
    row = services.membership_remove(actor=request.user, membership=_membership_or_404(access, pk))
    messages.success(request, f"{row.user.display_name} was removed from {access.group.name}.")
    return redirect("workinggroups:members", slug=slug)


@login_required
@require_POST
@service_errors
def member_role(request, slug: str, pk: int):
    access = require_manager(get_group_for_user(request.user, slug))
    role = request.POST.get("role", "")
    if role not in GroupMembership.Role.values:
        raise ValidationError("Unknown role.")
    row = services.membership_set_role(actor=request.user, membership=_membership_or_404(access, pk), role=role)
    messages.success(request, f"{row.user.display_name} is now a {row.get_role_display().lower()} of the group.")
    return redirect("workinggroups:members", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def invite(request, slug: str):
    access = require_manager(get_group_for_user(request.user, slug))
    if access.group.is_archived:
        raise Refused(ARCHIVED_MESSAGE)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.membership_invite(
                actor=request.user, group=access.group, user=form.invitee, message=form.cleaned_data["message"]
            )
            messages.success(
                request, f"{form.invitee.display_name} was invited; they will find the invitation in their email."
            )
            return redirect("workinggroups:members", slug=slug)
    return render(request, "workinggroups/invite.html", {"group": access.group, "access": access, "form": form})


# --- Documents -----------------------------------------------------------------------------------


def _library(request, slug: str, *, archived: bool):
    access = require_private(get_group_for_user(request.user, slug))
    group = access.group
    filters = DocumentFilterForm(request.GET or None)
    q = tag = ""
    if filters.is_valid():
        q, tag = filters.cleaned_data["q"], filters.cleaned_data["tag"]
    documents = selectors.documents_for_group(group, archived=archived, tag=tag, q=q)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workinggroups/documents.html",
        {
            "group": group,
            "access": access,
            "page": page,
            "filters": filters,
            "tags": list(selectors.tags_in_group(group)),
            "current_tag": tag,
            "q": q,
            "archived": archived,
        },
    )


@login_required
@require_GET
@service_errors
def documents(request, slug: str):
    return _library(request, slug, archived=False)


@login_required
@require_GET
@service_errors
def documents_archive(request, slug: str):
    return _library(request, slug, archived=True)


@login_required
@require_http_methods(["GET", "POST"])
@accepts_documents
@service_errors
def document_new(request, slug: str):
    access = require_contributor(require_private(get_group_for_user(request.user, slug)))
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            document = services.document_create(
                actor=request.user,
                group=access.group,
                title=data["title"],
                upload=data["file"],
                description=data["description"],
                tags=data["tags"],
                change_note=data["change_note"],
            )
            messages.success(request, f"“{document.title}” was added. The group's members are being told.")
            return redirect("workinggroups:document", slug=slug, pk=document.pk)
    return render(request, "workinggroups/document_form.html", {"group": access.group, "access": access, "form": form})


@login_required
@require_GET
@service_errors
def document_detail(request, slug: str, pk: int):
    access = get_group_for_user(request.user, slug)
    if not access.can_view_private:
        return _members_only(request, access)
    document = _document_or_404(access, pk)
    return _render_document(request, access, document)


def _render_document(request, access, document, *, comment_form=None, status: int = 200):
    return render(
        request,
        "workinggroups/document.html",
        {
            "group": access.group,
            "access": access,
            "document": document,
            "versions": list(selectors.versions_of(document)),
            "comments": selectors.comment_thread(document),
            "comment_form": comment_form or CommentForm(),
            "can_edit": access.can_edit_document(document),
            "can_archive": access.can_contribute and (access.can_manage or document.created_by_id == request.user.pk),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def document_edit(request, slug: str, pk: int):
    access = require_contributor(get_group_for_user(request.user, slug))
    document = _document_or_404(access, pk)
    if not access.can_edit_document(document):
        raise Refused("Only the person who added this document, the chairs and staff can edit it.")
    initial = {
        "title": document.title,
        "description": document.description,
        "tags": ", ".join(t.name for t in document.tags.all()),
    }
    form = DocumentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.document_update(actor=request.user, document=document, **form.cleaned_data)
        messages.success(request, "The document's details were saved.")
        return redirect("workinggroups:document", slug=slug, pk=pk)
    return render(
        request,
        "workinggroups/document_edit.html",
        {"group": access.group, "access": access, "document": document, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_documents
@service_errors
def version_new(request, slug: str, pk: int):
    access = require_contributor(get_group_for_user(request.user, slug))
    document = _document_or_404(access, pk)
    if document.is_archived:
        raise Conflict("This document is archived: restore it before uploading a new version.")
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            version = services.version_add(
                actor=request.user,
                document=document,
                upload=form.cleaned_data["file"],
                change_note=form.cleaned_data["change_note"],
            )
            messages.success(request, f"Version {version.number} was uploaded. The group's members are being told.")
            return redirect("workinggroups:document", slug=slug, pk=pk)
    return render(
        request,
        "workinggroups/version_form.html",
        {"group": access.group, "access": access, "document": document, "form": form},
    )


@login_required
@require_GET
@service_errors
def download(request, slug: str, pk: int, number: int | None = None):
    """The only way to a document's bytes: checked, streamed, attachment."""
    access = get_group_for_user(request.user, slug)
    if not access.can_view_private:
        return _members_only(request, access)
    document = _document_or_404(access, pk)
    version = document.latest_version if number is None else selectors.version_of(document, number)
    if version is None:
        raise NotFound("No such version.")
    return version_response(version)


@login_required
@require_POST
@service_errors
def document_archive(request, slug: str, pk: int):
    access = require_contributor(get_group_for_user(request.user, slug))
    document = services.document_archive(actor=request.user, document=_document_or_404(access, pk))
    messages.success(request, f"“{document.title}” was moved to the archive.")
    return redirect("workinggroups:document", slug=slug, pk=pk)


@login_required
@require_POST
@service_errors
def document_restore(request, slug: str, pk: int):
    access = require_contributor(get_group_for_user(request.user, slug))
    document = services.document_restore(actor=request.user, document=_document_or_404(access, pk))
    messages.success(request, f"“{document.title}” is back in the library.")
    return redirect("workinggroups:document", slug=slug, pk=pk)


# --- Comments ----------------------------------------------------------------------------------


@login_required
@require_POST
@service_errors
def comment_create(request, slug: str, pk: int):
    access = require_contributor(get_group_for_user(request.user, slug))
    document = _document_or_404(access, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_document(request, access, document, comment_form=form, status=400)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(document=document, pk=form.cleaned_data["parent"]).first()
        if parent is None:
            raise NotFound("No such comment.")
    comment = services.comment_post(
        actor=request.user, document=document, body=form.cleaned_data["body"], parent=parent
    )
    messages.success(request, "Your comment was posted.")
    return redirect(reverse("workinggroups:document", kwargs={"slug": slug, "pk": pk}) + f"#comment-{comment.pk}")


def _comment_or_404(access: GroupAccess, pk: int) -> Comment:
    comment = selectors.comment_in_group(access.group, pk)
    if comment is None:
        raise NotFound("No such comment.")
    return comment


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def comment_edit(request, slug: str, pk: int):
    access = require_contributor(get_group_for_user(request.user, slug))
    comment = _comment_or_404(access, pk)
    if not access.can_edit_comment(comment):
        raise Refused("You can only edit your own comments.")
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        services.comment_edit(actor=request.user, comment=comment, body=form.cleaned_data["body"])
        messages.success(request, "Your comment was updated.")
        url = reverse("workinggroups:document", kwargs={"slug": slug, "pk": comment.document_id})
        return redirect(f"{url}#comment-{comment.pk}")
    return render(
        request,
        "workinggroups/comment_edit.html",
        {"group": access.group, "access": access, "comment": comment, "document": comment.document, "form": form},
    )


@login_required
@require_POST
@service_errors
def comment_remove(request, slug: str, pk: int):
    access = require_contributor(get_group_for_user(request.user, slug))
    comment = _comment_or_404(access, pk)
    services.comment_remove(actor=request.user, comment=comment)
    messages.success(request, "The comment was removed.")
    url = reverse("workinggroups:document", kwargs={"slug": slug, "pk": comment.document_id})
    return redirect(f"{url}#comment-{comment.pk}")


# --- Group meetings (events only the group's members may attend) ---------------------------


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def meeting_new(request, slug: str):
    """Chairs schedule a meeting through the events app, which holds a meeting's rules."""
    access = require_manager(get_group_for_user(request.user, slug))
    if access.group.is_archived:
        raise Refused(ARCHIVED_MESSAGE)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            event = meeting_schedule(actor=request.user, group=access.group, **form.event_fields())
            messages.success(request, f"“{event.title}” is scheduled; the group's members are being told.")
            return redirect("workinggroups:detail", slug=slug)
    return render(request, "workinggroups/meeting_form.html", {"group": access.group, "access": access, "form": form})
