"""The bulk path (notifications/services/mime.py) sends the very email that
build_message() makes: same headers, same text and HTML, each recipient's own
values merged (escaped in HTML), and the rows it cannot represent exactly are
built in full."""

from __future__ import annotations

import email
import email.policy

import pytest

from notifications import services
from notifications.models import OutgoingEmail
from notifications.rendering import RenderedEmail
from notifications.services import mime
from notifications.topics import Topic

pytestmark = pytest.mark.django_db

COMPARED_HEADERS = [
    "To", "From", "Subject", "Message-ID", "Auto-Submitted", "X-CMA-Category", "List-Unsubscribe",
    "List-Unsubscribe-Post", "Precedence", "MIME-Version",
]  # fmt: skip


def shared_body():
    return services.email_body_create(
        rendered=RenderedEmail(
            subject="Lithium hydroxide: the pooled-demand round is open",
            body_text="Hello %%CMA:name%%,\nThe round is open.\nUnsubscribe: %%CMA:unsubscribe_url%%\n",
            body_html="<p>Hello %%CMA:name%%,</p><p>Réunion</p><a href='%%CMA:unsubscribe_url%%'>Unsubscribe</a>",
        )
    )


NAMES = ["José Ibáñez", "O'Brien & <Partners>", "Member %%CMA:name%%", "x" * (mime.LONGEST_VALUE + 1), "Two\nlines"]


def enqueue(names, *, topic=Topic.ANNOUNCEMENTS):
    services.emails_enqueue_shared(
        body=shared_body(),
        recipients=[
            services.SharedRecipient(email=f"member{i}@example.org", merge={"name": name})
            for i, name in enumerate(names)
        ],
        category="communications/announcement", dedupe_prefix="mime", topic=topic, held=False,
    )  # fmt: skip
    return list(OutgoingEmail.objects.select_related("shared_body").order_by("pk"))


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def expected(row):
    built = services.build_message(row).message().as_bytes(linesep="\r\n")
    return email.message_from_bytes(built, policy=email.policy.default)


@pytest.fixture
def signing_clock_stopped(monkeypatch):
    """Unsubscribe tokens carry the second they were signed in: stop that
    clock, so the email sent and the one built afterwards can be compared."""
    from django.core import signing

    monkeypatch.setattr(signing, "time", type("StoppedClock", (), {"time": staticmethod(lambda: 1_800_000_000.0)}))


@pytest.mark.parametrize("topic", [Topic.ANNOUNCEMENTS, Topic.TRANSACTIONAL])
def test_what_the_server_receives_is_what_build_message_makes(smtp_settings, smtp_server, topic, signing_clock_stopped):
    rows = enqueue(NAMES, topic=topic)

    assert services.emails_deliver_batch() == len(NAMES)

    received = {m["To"]: m for m in smtp_server.messages}
    assert len(received) == len(NAMES)
    for row in rows:
        sent, made = received[row.recipient], expected(row)
        for header in COMPARED_HEADERS:
            # (Leading folding whitespace is not part of a value.)
            assert str(sent[header]).strip() == str(made[header]).strip(), (row.recipient, header)
        assert sent["Date"]
        assert parts(sent) == parts(made), row.recipient
    assert "Hello José Ibáñez," in parts(received["member0@example.org"])["text/plain"]
    assert "Hello O&#x27;Brien &amp; &lt;Partners&gt;," in parts(received["member1@example.org"])["text/html"]
    # A value that looks like a merge mark is not merged again.
    assert "Hello Member %%CMA:name%%," in parts(received["member2@example.org"])["text/plain"]


def test_rows_that_fit_come_from_one_skeleton_and_the_others_are_built_in_full(smtp_settings, smtp_server, monkeypatch):
    rows = enqueue(NAMES)
    built: list[str] = []
    real_build = services.delivery.build_message

    def counting_build(row, **kwargs):
        built.append(row.recipient)
        return real_build(row, **kwargs)

    monkeypatch.setattr(services.delivery, "build_message", counting_build)
    skeletons: list[object] = []
    real_skeleton_for = mime.skeleton_for
    monkeypatch.setattr(mime, "skeleton_for", lambda *a, **k: skeletons.append(1) or real_skeleton_for(*a, **k))

    services.emails_deliver_batch()

    # The long value and the one with a line break go the slow way.
    assert built == [rows[3].recipient, rows[4].recipient]
    assert len(skeletons) == 1
    assert len(smtp_server.messages) == len(NAMES)


def test_a_non_ascii_address_is_built_in_full(smtp_settings, smtp_server):
    row = enqueue(["Ana"])[0]
    row.recipient = "ana@exämple.org"

    assert not mime.fits(row, {"name": "Ana"})
