"""Pages: what each persona sees, and the flows through them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Membership
from tests import factories
from tests.support.mfa import sign_in_with_second_factor
from workinggroups import services
from workinggroups.models import Comment, Document, GroupMembership, WorkingGroup

from .conftest import checked

pytestmark = pytest.mark.django_db
Status, Role = GroupMembership.Status, GroupMembership.Role


def url(name, **kwargs):
    return reverse(name if name.startswith("staff:") else f"workinggroups:{name}", kwargs=kwargs)


def test_header_navigation_links_to_working_groups(client, group):
    response = client.get("/")
    assert f'href="{url("list")}"'.encode() in response.content


def test_list_shows_groups_with_counts_and_my_status(client, group, chair, group_member, open_group):
    client.force_login(group_member)
    response = client.get(url("list"))
    text = response.content.decode()
    assert "Trade Policy Working Group" in text and "Recycling and Circularity" in text
    assert "2 members" in text and "Member</span>" in text


def test_archived_groups_are_listed_separately(client, group):
    group.status = WorkingGroup.Status.ARCHIVED
    group.save()
    text = client.get(url("list")).content.decode()
    assert "Archived groups" in text and "Trade Policy Working Group" in text


def test_public_group_page_shows_mission_and_notice_but_nothing_private(client, group, chair, document):
    group.mission = "We draft **comments** on USTR-2026-03868. <script>alert(1)</script>"
    group.save()
    text = client.get(url("detail", slug=group.slug)).content.decode()
    assert "<strong>comments</strong>" in text and "<script>" not in text
    assert "Antitrust notice" in text and "Do not discuss prices" in text
    assert document.title not in text
    assert chair.display_name not in text  # chairs are shown to association members only
    assert "Sign in" in text


def test_default_antitrust_notice_when_group_has_none(client, group):
    group.antitrust_notice = ""
    group.save()
    assert "follow the antitrust laws" in client.get(url("detail", slug=group.slug)).content.decode()


def test_association_member_sees_chairs_and_request_button(client, group, chair, member):
    client.force_login(member)
    text = client.get(url("detail", slug=group.slug)).content.decode()
    assert chair.display_name in text and "Request to join" in text


def test_group_member_sees_documents_members_activity(client, group, chair, group_member, document):
    client.force_login(group_member)
    text = client.get(url("detail", slug=group.slug)).content.decode()
    assert document.title in text
    assert chair.display_name in text and group_member.display_name in text
    org = group_member.organization_roles.get().organization.name
    assert org in text  # members with their organizations
    assert "added" in text  # activity feed
    assert "Leave the group" in text


def test_request_and_approve_through_the_pages(
    client, group, chair, member, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("join", slug=group.slug), {"message": "We refine nickel."}, follow=True)
    assert "sent to its chairs" in response.content.decode()
    row = GroupMembership.objects.get(user=member, group=group)
    assert row.status == Status.REQUESTED

    client.force_login(chair)
    members_page = client.get(url("members", slug=group.slug)).content.decode()
    assert "We refine nickel." in members_page and member.display_name in members_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("member_approve", slug=group.slug, pk=row.pk), follow=True)
    assert "they have been told" in response.content.decode()
    assert GroupMembership.objects.get(pk=row.pk).status == Status.ACTIVE
    assert any("Welcome to Trade Policy Working Group" in m.subject for m in mailoutbox if m.to == [member.email])


def test_approving_an_answered_request_shows_the_409_page(client, group, chair, member):
    row = services.membership_request(actor=member, group=group)
    services.membership_decline(actor=chair, membership=row)
    client.force_login(chair)
    response = client.post(url("member_approve", slug=group.slug, pk=row.pk))
    assert response.status_code == 409
    assert "already been dealt with" in response.content.decode()
    assert GroupMembership.objects.get(pk=row.pk).status == Status.DECLINED


def test_decline_with_reason_from_the_page(
    client, group, chair, member, mailoutbox, django_capture_on_commit_callbacks
):
    row = services.membership_request(actor=member, group=group)
    client.force_login(chair)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("member_decline", slug=group.slug, pk=row.pk), {"reason": "Members only from refiners."})
    assert GroupMembership.objects.get(pk=row.pk).status == Status.DECLINED
    assert "Members only from refiners." in [m for m in mailoutbox if m.to == [member.email]][-1].body


def test_join_open_group_from_the_page(client, open_group, member):
    client.force_login(member)
    response = client.post(url("join", slug=open_group.slug), follow=True)
    assert "Welcome to Recycling and Circularity" in response.content.decode()
    assert GroupMembership.objects.get(user=member).status == Status.ACTIVE


def test_joining_invitation_only_group_directly_is_403(client, invitation_group, member):
    client.force_login(member)
    response = client.post(url("join", slug=invitation_group.slug))
    assert response.status_code == 403
    assert "invitation only" in response.content.decode()
    assert not GroupMembership.objects.exists()


def test_non_member_user_gets_a_clear_403_on_join(client, open_group, user):
    client.force_login(user)
    response = client.post(url("join", slug=open_group.slug))
    assert response.status_code == 403 and "member organizations" in response.content.decode()


def test_invite_accept_through_pages(client, invitation_group, member):
    chair = factories.group_member(invitation_group, role=Role.CHAIR)
    client.force_login(chair)
    response = client.post(
        url("invite", slug=invitation_group.slug), {"email": member.email.upper(), "message": "Join us"}
    )
    assert response.status_code == 302
    client.force_login(member)
    page = client.get(url("mine")).content.decode()
    assert "Invitations" in page and "Workforce and Skills" in page
    client.post(url("accept_invitation", slug=invitation_group.slug))
    assert GroupMembership.objects.get(user=member).status == Status.ACTIVE


def test_invite_unknown_email_is_a_field_error(client, group, chair):
    client.force_login(chair)
    response = client.post(url("invite", slug=group.slug), {"email": "nobody@example.org"})
    assert "No one with this email" in response.context["form"].errors["email"][0]


def test_invite_non_member_user_is_a_field_error(client, group, chair, user):
    client.force_login(chair)
    response = client.post(url("invite", slug=group.slug), {"email": user.email})
    assert "not in a CMA USA member organization" in response.context["form"].errors["email"][0]
    assert not GroupMembership.objects.filter(user=user).exists()


def test_leave_flow(client, group, group_member):
    client.force_login(group_member)
    assert "Leave this group?" in client.get(url("leave", slug=group.slug)).content.decode()
    client.post(url("leave", slug=group.slug))
    assert GroupMembership.objects.get(user=group_member).status == Status.LEFT
    assert client.get(url("documents", slug=group.slug)).status_code == 404


def test_chair_makes_member_a_chair_and_removes_another(client, group, chair, group_member):
    other = factories.group_member(group)
    client.force_login(chair)
    client.post(
        url("member_role", slug=group.slug, pk=GroupMembership.objects.get(user=group_member).pk), {"role": "chair"}
    )
    client.post(url("member_remove", slug=group.slug, pk=GroupMembership.objects.get(user=other).pk))
    assert GroupMembership.objects.get(user=group_member).role == Role.CHAIR
    assert GroupMembership.objects.get(user=other).status == Status.REMOVED


def test_tampered_role_value_is_400(client, group, chair, group_member):
    client.force_login(chair)
    response = client.post(
        url("member_role", slug=group.slug, pk=GroupMembership.objects.get(user=group_member).pk), {"role": "owner"}
    )
    assert response.status_code == 400
    assert GroupMembership.objects.get(user=group_member).role == Role.MEMBER


def test_membership_of_another_group_is_404_for_chairs(client, group, chair, other_group_member):
    client.force_login(chair)
    row = GroupMembership.objects.get(user=other_group_member)
    assert client.post(url("member_remove", slug=group.slug, pk=row.pk)).status_code == 404
    assert GroupMembership.objects.get(pk=row.pk).status == Status.ACTIVE


def test_members_csv_for_chairs(client, group, chair, group_member):
    client.force_login(chair)
    response = client.get(url("members_export", slug=group.slug))
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert group_member.email in body and chair.email in body and "Chair" in body


def test_document_page_and_library(client, group, group_member, document):
    client.force_login(group_member)
    text = client.get(url("documents", slug=group.slug)).content.decode()
    assert document.title in text and "draft" in text
    text = client.get(url("document", slug=group.slug, pk=document.pk)).content.decode()
    assert "Version history" in text and document.latest_version.sha256 in text and "PDF" in text


def test_library_filters_by_tag_and_search(client, group, group_member, document):
    services.document_create(
        actor=group_member,
        group=group,
        title="Permitting memo",
        upload=checked(__import__("tests.workinggroups.files", fromlist=["pdf"]).pdf("m")),
        tags=["nepa"],
    )
    client.force_login(group_member)
    assert [d.title for d in client.get(url("documents", slug=group.slug) + "?tag=nepa").context["page"]] == [
        "Permitting memo"
    ]
    assert [d.title for d in client.get(url("documents", slug=group.slug) + "?q=ustr").context["page"]] == [
        document.title
    ]
    bad = client.get(url("documents", slug=group.slug) + "?tag=%00%3Cscript%3E")
    assert bad.status_code == 200


def test_archive_moves_document_to_archive_tab(client, group, chair, document):
    client.force_login(chair)
    client.post(url("document_archive", slug=group.slug, pk=document.pk))
    assert list(client.get(url("documents", slug=group.slug)).context["page"]) == []
    assert list(client.get(url("documents_archive", slug=group.slug)).context["page"]) == [document]
    response = client.post(url("document_archive", slug=group.slug, pk=document.pk))
    assert response.status_code == 409


def test_comment_reply_edit_remove_through_pages(client, group, chair, group_member, document):
    client.force_login(group_member)
    response = client.post(url("comment_create", slug=group.slug, pk=document.pk), {"body": "Needs sources"})
    top = Comment.objects.get()
    assert response["Location"].endswith(f"#comment-{top.pk}")
    client.post(url("comment_create", slug=group.slug, pk=document.pk), {"body": "Added", "parent": top.pk})
    assert Comment.objects.filter(parent=top).count() == 1
    client.post(url("comment_edit", slug=group.slug, pk=top.pk), {"body": "Needs USGS sources"})
    assert Comment.objects.get(pk=top.pk).body == "Needs USGS sources"
    client.force_login(chair)
    client.post(url("comment_remove", slug=group.slug, pk=top.pk))
    text = client.get(url("document", slug=group.slug, pk=document.pk)).content.decode()
    assert "This comment was removed." in text and "Needs USGS sources" not in text and "Added" in text


def test_empty_comment_is_a_field_error(client, group, group_member, document):
    client.force_login(group_member)
    response = client.post(url("comment_create", slug=group.slug, pk=document.pk), {"body": "  "})
    assert response.status_code == 400 and "body" in response.context["comment_form"].errors
    assert not Comment.objects.exists()


def test_reply_to_unknown_comment_is_404(client, group, group_member, document):
    client.force_login(group_member)
    response = client.post(url("comment_create", slug=group.slug, pk=document.pk), {"body": "x", "parent": 99999})
    assert response.status_code == 404


def test_lapsed_organizations_user_is_refused_everywhere_private(client, group, group_member, document):
    Membership.objects.filter(organization__people__user=group_member).update(status=Membership.Status.LAPSED)
    client.force_login(group_member)
    for page in (
        url("documents", slug=group.slug),
        url("document", slug=group.slug, pk=document.pk),
        url("download_latest", slug=group.slug, pk=document.pk),
        url("members", slug=group.slug),
    ):
        assert client.get(page).status_code == 404, page
    response = client.post(url("comment_create", slug=group.slug, pk=document.pk), {"body": "still here?"})
    assert response.status_code == 404 and not Comment.objects.exists()
    assert "paused" in client.get(url("detail", slug=group.slug)).content.decode()
    # Renewal brings access back without any change to the group membership.
    Membership.objects.filter(organization__people__user=group_member).update(status=Membership.Status.ACTIVE)
    assert client.get(url("documents", slug=group.slug)).status_code == 200


def test_chairs_see_paused_memberships(client, group, chair, group_member):
    Membership.objects.filter(organization__people__user=group_member).update(status=Membership.Status.LAPSED)
    client.force_login(chair)
    text = client.get(url("members", slug=group.slug)).content.decode()
    assert "Paused memberships" in text and group_member.display_name in text


def test_my_groups_page(client, group, open_group, group_member):
    client.force_login(group_member)
    text = client.get(url("mine")).content.decode()
    assert "Trade Policy Working Group" in text and "Recycling and Circularity" in text  # in one, offered the other


def test_my_groups_for_non_member_explains(client, user, group):
    client.force_login(user)
    assert "Working groups are for people of CMA USA member organizations" in client.get(url("mine")).content.decode()


# --- Group meetings through the events app ----------------------------------------------


def _meeting_data(**extra):
    start = (timezone.now() + datetime.timedelta(days=10)).replace(hour=14, minute=0, second=0, microsecond=0)
    return {
        "title": "Drafting session: USTR-2026-03868",
        "kind": "webinar",
        "summary": "Line-by-line review of v2.",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "America/New_York",
        "online_url": "https://meet.example.org/ustr",
        **extra,
    }


def test_chair_schedules_a_group_meeting_members_hear_and_see_it(
    client, group, chair, group_member, member, mailoutbox, django_capture_on_commit_callbacks
):
    from events.models import Event

    client.force_login(chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("meeting_new", slug=group.slug), _meeting_data())
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    event = Event.objects.get()
    assert event.visibility == Event.Visibility.GROUP and event.working_group == group
    assert event.status == Event.Status.PUBLISHED
    assert any("Drafting session" in m.subject for m in mailoutbox if m.to == [group_member.email])
    client.force_login(group_member)
    assert "Drafting session: USTR-2026-03868" in client.get(url("detail", slug=group.slug)).content.decode()
    client.force_login(member)  # not in the group: the meeting does not exist for them
    assert "Drafting session" not in client.get(url("detail", slug=group.slug)).content.decode()


def test_meeting_form_errors_are_beside_fields(client, group, chair):
    from events.models import Event

    client.force_login(chair)
    data = _meeting_data(online_url="")
    data["ends_at"] = data["starts_at"]
    response = client.post(url("meeting_new", slug=group.slug), data)
    errors = response.context["form"].errors
    assert "online_url" in errors and "ends_at" in errors
    response = client.post(
        url("meeting_new", slug=group.slug), _meeting_data(starts_at="2020-01-01T10:00", ends_at="2020-01-01T11:00")
    )
    assert "starts_at" in response.context["form"].errors
    assert not Event.objects.exists()


def test_plain_member_cannot_schedule(client, group, group_member):
    client.force_login(group_member)
    assert client.post(url("meeting_new", slug=group.slug), _meeting_data()).status_code == 403


# --- Staff ------------------------------------------------------------------------------


def test_staff_create_group_and_appoint_chair(client, staff_user, member, mailoutbox):
    sign_in_with_second_factor(client, staff_user)
    response = client.post(
        url("staff:workinggroups:group_new"),
        {
            "name": "Minerals Data",
            "slug": "minerals-data",
            "summary": "s",
            "mission": "m",
            "join_policy": "open",
            "antitrust_notice": "",
        },
    )
    group = WorkingGroup.objects.get(slug="minerals-data")
    assert response["Location"] == url("staff:workinggroups:group_edit", slug=group.slug)
    client.post(url("staff:workinggroups:group_edit", slug=group.slug), {"form": "chair", "email": member.email})
    row = GroupMembership.objects.get(group=group, user=member)
    assert row.role == Role.CHAIR and row.status == Status.ACTIVE


def test_staff_cannot_use_a_reserved_slug(client, staff_user):
    sign_in_with_second_factor(client, staff_user)
    response = client.post(
        url("staff:workinggroups:group_new"), {"name": "Mine", "slug": "mine", "join_policy": "open"}
    )
    assert "used by the site" in response.context["form"].errors["slug"][0]


def test_staff_archive_makes_group_read_only(client, staff_user, group, group_member, document):
    sign_in_with_second_factor(client, staff_user)
    client.post(url("staff:workinggroups:group_archive", slug=group.slug))
    assert WorkingGroup.objects.get(pk=group.pk).is_archived
    assert client.post(url("staff:workinggroups:group_archive", slug=group.slug)).status_code == 409
    client.force_login(group_member)
    assert client.get(url("documents", slug=group.slug)).status_code == 200  # still readable
    response = client.post(url("comment_create", slug=group.slug, pk=document.pk), {"body": "x"})
    assert response.status_code == 403 and not Comment.objects.exists()


def test_staff_request_queue_and_approve_returns_there(client, staff_user, group, member):
    row = services.membership_request(actor=member, group=group)
    sign_in_with_second_factor(client, staff_user)
    assert member.display_name in client.get(url("staff:workinggroups:requests")).content.decode()
    response = client.post(
        url("member_approve", slug=group.slug, pk=row.pk), {"next": url("staff:workinggroups:requests")}
    )
    assert response["Location"] == url("staff:workinggroups:requests")
    response = client.post(url("member_decline", slug=group.slug, pk=row.pk), {"next": "https://evil.example/"})
    assert response.status_code == 409  # already approved; and an outside "next" is never followed


def test_staff_home_lists_working_groups(client, staff_user, group):
    sign_in_with_second_factor(client, staff_user)
    text = client.get(reverse("staff:index")).content.decode()
    assert "Working groups" in text and url("staff:index") in text


@pytest.fixture
def admin_user(staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    return staff_user


def test_admin_action_approves_through_the_service(client, admin_user, group, member):
    row = services.membership_request(actor=member, group=group)
    sign_in_with_second_factor(client, admin_user)
    response = client.post(
        reverse("admin:workinggroups_groupmembership_changelist"),
        {"action": "approve", "_selected_action": [row.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert GroupMembership.objects.get(pk=row.pk).status == Status.ACTIVE


def test_admin_pages_render(client, admin_user, document):
    sign_in_with_second_factor(client, admin_user)
    for model in ("workinggroup", "groupmembership", "document", "comment", "documenttag", "activity"):
        assert client.get(reverse(f"admin:workinggroups_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:workinggroups_document_change", args=[document.pk])).status_code == 200
    assert Document.objects.count() == 1


def test_group_meeting_page_shows_the_groups_antitrust_notice(client, group, chair, group_member):
    from events.models import Event

    client.force_login(chair)
    client.post(url("meeting_new", slug=group.slug), _meeting_data())
    event = Event.objects.get()
    client.force_login(group_member)
    text = client.get(reverse("events:detail", kwargs={"slug": event.slug})).content.decode()
    assert "Antitrust notice" in text and "Do not discuss prices" in text
