"""Journey in Chromium: a member asks to join, the chair approves, the member
uploads a PDF, another member uploads a second version, and someone outside
the group gets a 404 on the download URL."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import new_page, screenshot, sign_in
from workinggroups.models import Document, GroupMembership, WorkingGroup

from . import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    group = factories.WorkingGroupFactory(
        name="Trade Policy Working Group",
        summary="Drafting CMA USA's comments on USTR-2026-03868.",
        mission="Comments on the **plurilateral agreement** on trade in critical minerals.",
        join_policy=WorkingGroup.JoinPolicy.REQUEST,
    )
    chair = factories.group_member(
        group, role=GroupMembership.Role.CHAIR, user=factories.MemberFactory(user__name="Ada Okafor").user
    )
    colleague = factories.group_member(group, user=factories.MemberFactory(user__name="Renee Boudreaux").user)
    newcomer = factories.MemberFactory(user__name="Jordan Lee").user
    outsider = factories.MemberFactory(user__name="Tom Sato").user
    return group, chair, colleague, newcomer, outsider


def test_request_approve_upload_version_and_outsider_404(browser, live_server, people, mailoutbox):
    group, chair, colleague, newcomer, outsider = people
    group_url = f"/groups/{group.slug}/"

    # The newcomer asks to join.
    with new_page(browser, live_server.url, "wg-newcomer-requests") as page:
        sign_in(page, newcomer.email, DEFAULT_PASSWORD)
        page.goto("/groups/")
        screenshot(page, "wg-list")
        page.get_by_role("link", name="Trade Policy Working Group").first.click()
        page.get_by_role("link", name="Request to join").click()
        page.get_by_label("Message to the chairs").fill("We produce battery-grade lithium carbonate in Nevada.")
        screenshot(page, "wg-request-form")
        page.get_by_role("button", name="Send request").click()
        page.get_by_text("was sent to its chairs").wait_for()
        assert page.get_by_text("Request waiting").first.is_visible()

    assert any(m.to == [chair.email] and "asks to join" in m.subject for m in mailoutbox)

    # The chair approves it.
    with new_page(browser, live_server.url, "wg-chair-approves") as page:
        sign_in(page, chair.email, DEFAULT_PASSWORD)
        page.goto(group_url)
        page.get_by_role("navigation", name=group.name).get_by_role("link", name=re.compile(r"^Members")).click()
        assert page.get_by_text("We produce battery-grade lithium carbonate").is_visible()
        screenshot(page, "wg-members-with-request")
        page.get_by_role("button", name="Approve Jordan Lee").click()
        page.get_by_text("Jordan Lee is now a member").wait_for()

    assert any(m.to == [newcomer.email] and "Welcome to Trade Policy" in m.subject for m in mailoutbox)

    # The new member uploads a PDF.
    with new_page(browser, live_server.url, "wg-member-uploads") as page:
        sign_in(page, newcomer.email, DEFAULT_PASSWORD)
        page.goto(f"{group_url}documents/")
        page.get_by_role("link", name="Add the first document").click()
        page.get_by_label(re.compile(r"^Title")).fill("Draft comments on USTR-2026-03868")
        page.get_by_label("Tags").fill("USTR-2026-03868, draft")
        page.get_by_label(re.compile(r"^File")).set_input_files(
            files=[{"name": "ustr-comments.pdf", "mimeType": "application/pdf", "buffer": files.pdf("v1")}]
        )
        page.get_by_role("button", name="Upload").click()
        page.get_by_text("was added").wait_for()
        screenshot(page, "wg-document-v1")

        # A bad file in the same form gets an error beside the field, nothing stored.
        page.goto(f"{group_url}documents/new/")
        page.get_by_label(re.compile(r"^Title")).fill("Installer")
        page.get_by_label(re.compile(r"^File")).set_input_files(
            files=[{"name": "setup.pdf", "mimeType": "application/pdf", "buffer": files.PE}]
        )
        page.get_by_role("button", name="Upload").click()
        page.locator(".field .errorlist").get_by_text("This file is a Windows program").wait_for()
        screenshot(page, "wg-upload-refused")

    document = Document.objects.get()
    assert document.version_count == 1

    # Another member uploads a second version and comments.
    with new_page(browser, live_server.url, "wg-colleague-version") as page:
        sign_in(page, colleague.email, DEFAULT_PASSWORD)
        page.goto(f"{group_url}documents/{document.pk}/")
        page.get_by_role("link", name="Upload a new version").click()
        page.get_by_label(re.compile(r"^New version")).set_input_files(
            files=[{"name": "ustr-comments-v2.pdf", "mimeType": "application/pdf", "buffer": files.pdf("v2")}]
        )
        page.get_by_label(re.compile(r"^What changed")).fill("Adds the midstream processing section.")
        page.get_by_role("button", name="Upload version").click()
        page.get_by_text("Version 2 was uploaded").wait_for()
        page.get_by_label("Comment").fill("Section 3 cites the 93% rare-earth export figure.")
        page.get_by_role("button", name="Post comment").click()
        page.get_by_text("Your comment was posted").wait_for()
        assert page.get_by_text("Adds the midstream processing section.").is_visible()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download version 1").click()
        download = download_info.value
        assert download.suggested_filename == "ustr-comments.pdf"
        with open(download.path(), "rb") as fh:
            assert fh.read() == files.pdf("v1")
        screenshot(page, "wg-document-v2")

    document.refresh_from_db()
    assert document.version_count == 2
    assert any(m.to == [newcomer.email] and "version 2" in m.subject for m in mailoutbox)

    # Someone outside the group guesses the download URL.
    with new_page(browser, live_server.url, "wg-outsider-404") as page:
        sign_in(page, outsider.email, DEFAULT_PASSWORD)
        page.goto(group_url)
        assert page.get_by_role("link", name="Request to join").is_visible()
        assert not page.get_by_text("Draft comments on USTR-2026-03868").count()
        # The browser's own request context (same session cookie): navigating
        # to a 404 would log a console error, which the page fixture forbids.
        for version in (1, 2):
            response = page.request.get(f"{group_url}documents/{document.pk}/versions/{version}/download/")
            assert response.status == 404
            # A member of the association is told the documents are for the
            # group's members (and how to join), never about the document.
            assert "shared with the group's members only" in response.text()
            assert "Draft comments on USTR-2026-03868" not in response.text()
            assert "attachment" not in response.headers.get("content-disposition", "")
