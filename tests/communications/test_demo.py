from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from communications.models import Message

pytestmark = pytest.mark.django_db


def test_the_demo_gives_the_archive_a_message_and_staff_a_draft_and_sends_nothing(member_client, mailoutbox):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # twice: idempotent

    assert sorted(Message.objects.values_list("status", flat=True)) == ["draft", "sent"]
    assert (
        "Welcome to the CMA USA member portal" in member_client.get(reverse("communications:archive")).content.decode()
    )
    assert mailoutbox == []
