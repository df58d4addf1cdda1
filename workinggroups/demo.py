"""Demo working groups for `manage.py seed_demo`: the four groups the
association runs (seeds/000 "dynamic action-focused working groups"), with
chairs and members from members/demo.py, documents with versions, comments.

Rows are written directly (not through the services) so that seeding sends
no email; files still go through the storage API under random names.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from members.demo import DemoLogin
from members.models import User

from .models import (
    DEFAULT_ANTITRUST_NOTICE,
    Activity,
    Comment,
    Document,
    DocumentTag,
    DocumentVersion,
    GroupMembership,
    WorkingGroup,
)

A = GroupMembership.Status.ACTIVE
CHAIR, MEMBER = GroupMembership.Role.CHAIR, GroupMembership.Role.MEMBER

GROUPS: list[dict[str, Any]] = [
    {
        "name": "Trade Policy Working Group",
        "summary": "Drafting CMA USA's comments on USTR-2026-03868, the plurilateral agreement on trade in critical minerals.",
        "join_policy": WorkingGroup.JoinPolicy.REQUEST,
        "mission": (
            "The U.S. is 100% import-reliant for 13 mineral commodities and more than 50% reliant for another 20. "
            "This group turns members' experience into the association's trade positions.\n\n"
            "**Now:** comments on *USTR-2026-03868: Request for Comments on the Design of a Plurilateral Agreement "
            "on Trade in Critical Minerals*. We are drafting positions on:\n\n"
            "- linking discovery and project development to **first-rights** investment and offtake;\n"
            "- tariff-free access for processing, refining and recycling equipment from partner countries;\n"
            "- the lessons of past commodity agreements on **price floors**;\n"
            '- streamlined investment approvals ("single windows") in partner countries.'
        ),
        "people": [
            ("ada.okafor@whitfield-okafor.example", CHAIR),
            ("ruth.adams@patriot-alloys.example", CHAIR),
            ("jordan.lee@sierra-lithium.example", MEMBER),
            ("renee.boudreaux@gulfcoast-refining.example", MEMBER),
            ("michael.novak@greatlakes-ev.example", MEMBER),
            ("priya.raman@tehachapi-magnets.example", MEMBER),
            ("margaret.lin@keystone-capital.example", MEMBER),
        ],
        "requests": [
            (
                "tom.sato@cascade-sensors.example",
                "Gallium and germanium export controls hit our sensor lines directly; we'd like to contribute to the section on processing.",
            ),
        ],
    },
    {
        "name": "Recycling and Circularity",
        "summary": "Recovering critical minerals from end-of-life batteries, magnets, electronics and tailings.",
        "join_policy": WorkingGroup.JoinPolicy.OPEN,
        "mission": (
            "Efficient recycling and re-use of end-of-life products is one of the association's E3 commitments. "
            "The group maps feedstock, compares recovery routes for cobalt, nickel, lithium and rare earths, and "
            "argues for treating secondary supply as a source alongside mining.\n\n"
            "Open to every member: recyclers, processors, and the manufacturers whose scrap we recover."
        ),
        "people": [
            ("grace.whitfield@lakeshore-recycling.example", CHAIR),
            ("omar.haddad@lakeshore-recycling.example", MEMBER),
            ("ethan.brooks@circular-cobalt.example", MEMBER),
            ("wes.carver@appalachian-graphite.example", MEMBER),
            ("sam.ortiz@sierra-lithium.example", MEMBER),
        ],
        "requests": [],
    },
    {
        "name": "Permitting Reform",
        "summary": "Evidence from members' projects for faster, more certain permitting of mines and processing plants.",
        "join_policy": WorkingGroup.JoinPolicy.REQUEST,
        "mission": (
            "Projects wait years for federal decisions. The group collects members' permitting timelines and "
            "case studies to support modernising the National Environmental Policy Act, the Clean Air Act and the "
            "Clean Water Act, and to end the cycle of litigation that leaves approved projects uncertain."
        ),
        "people": [
            ("luis.herrera@copper-basin.example", CHAIR),
            ("dana.whitcomb@bitterroot-ree.example", MEMBER),
            ("erik.johansson@prairie-minerals.example", MEMBER),
            ("ada.okafor@whitfield-okafor.example", MEMBER),
            # Bayou Specialty Chemicals' membership lapsed: his access is paused, the row stays.
            ("jacques.thibodeaux@bayou-chemicals.example", MEMBER),
        ],
        "requests": [],
    },
    {
        "name": "Workforce and Skills",
        "summary": "Reskilling and scaling the workforce that mining, processing and refining need.",
        "join_policy": WorkingGroup.JoinPolicy.INVITATION,
        "mission": (
            "Domestic projects need geologists, metallurgists, operators and technicians. The group works with "
            "community colleges and unions on training pathways and on workforce exchanges under critical "
            "minerals MOUs with partner countries."
        ),
        "people": [
            ("hannah.price@greatlakes-ev.example", CHAIR),
            ("amy.becker@copper-basin.example", MEMBER),
            ("nora.castillo@meridian-advisory.example", MEMBER),
        ],
        "requests": [],
        "invitations": [("kim.nguyen@sierra-lithium.example", "hannah.price@greatlakes-ev.example")],
    },
]


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with the given text (Helvetica)."""

    def escape(text: str) -> str:
        return (
            text.replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
            .encode("latin-1", "replace")
            .decode("latin-1")
        )

    text = ["BT", "/F1 16 Tf", "72 740 Td", f"({escape(title)}) Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        text += [f"({escape(line)}) Tj", "0 -16 Td"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


DOCUMENTS: dict[str, list[dict[str, Any]]] = {
    "trade-policy-working-group": [
        {
            "title": "Draft comments on USTR-2026-03868",
            "description": "Our response to USTR's request for comments on a plurilateral critical-minerals agreement. "
            "**Comments due to the chairs by Friday**; the letter goes out under the association's name.",
            "tags": ["USTR-2026-03868", "draft"],
            "by": "ada.okafor@whitfield-okafor.example",
            "versions": [
                (
                    "ada.okafor@whitfield-okafor.example",
                    "cma-ustr-comments-draft.pdf",
                    "First draft: outline and the first-rights section.",
                    [
                        "Re: USTR-2026-03868 - Plurilateral Agreement on Trade in Critical Minerals",
                        "1. Connect discovery and project development to first-rights investment and offtake.",
                        "2. Tariff-free 'speed pass' for processing, refining and recycling equipment.",
                    ],
                ),
                (
                    "renee.boudreaux@gulfcoast-refining.example",
                    "cma-ustr-comments-v2.pdf",
                    "Adds the midstream processing section and price-floor cautions.",
                    [
                        "Re: USTR-2026-03868 - Plurilateral Agreement on Trade in Critical Minerals",
                        "1. Connect discovery and project development to first-rights investment and offtake.",
                        "2. Tariff-free 'speed pass' for processing, refining and recycling equipment.",
                        "3. Midstream: the U.S. exports 93% of its unrefined rare earths for processing.",
                        "4. Price floors raise input costs for processors and end users at the same time.",
                    ],
                ),
            ],
            "comments": [
                (
                    "michael.novak@greatlakes-ev.example",
                    "Section 2 should name cathode and anode equipment explicitly; our suppliers are all in partner countries.",
                    [
                        ("renee.boudreaux@gulfcoast-refining.example", "Agreed. I'll add a sentence in v3."),
                    ],
                ),
                (
                    "priya.raman@tehachapi-magnets.example",
                    "Can we cite the 93% rare-earth export figure with its CSIS source in a footnote?",
                    [],
                ),
            ],
        },
        {
            "title": "Import reliance fact sheet",
            "description": "Figures the letter relies on, with sources.",
            "tags": ["facts", "USTR-2026-03868"],
            "by": "margaret.lin@keystone-capital.example",
            "markdown": "# Import reliance\n\n- 100% import-reliant: 13 mineral commodities (USGS 2026).\n- Over 50% import-reliant: another 20.\n- At least 50% import-reliant for 33 of 58 critical minerals.\n- 88% of manufacturers say limits on supply would affect their business.\n",
            "name": "import-reliance.md",
        },
    ],
    "recycling-and-circularity": [
        {
            "title": "Secondary supply as a source: position note",
            "description": "Why recycled and reclaimed material should count alongside mined supply in federal programs.",
            "tags": ["position", "recycling"],
            "by": "grace.whitfield@lakeshore-recycling.example",
            "markdown": "# Secondary supply\n\nEnd-of-life EV batteries, magnet cores and tailings are domestic sources of cobalt, nickel, lithium and rare earths.\n\n## Asks\n\n1. Count recycled content in offtake and stockpile programs.\n2. Patient capital for recovery technologies that lack demand signals.\n",
            "name": "secondary-supply.md",
        },
    ],
    "permitting-reform": [
        {
            "title": "Permitting timelines: member case studies",
            "description": "Anonymised timelines from members' projects, for the NEPA modernisation comments.",
            "tags": ["NEPA", "case studies"],
            "by": "luis.herrera@copper-basin.example",
            "versions": [
                (
                    "luis.herrera@copper-basin.example",
                    "permitting-case-studies.pdf",
                    "Three case studies.",
                    [
                        "Case A: copper and tellurium expansion, Arizona - 7 years from application to record of decision.",
                        "Case B: rare earth exploration, Montana - 3 years for an exploration permit.",
                        "Case C: lithium brine, North Dakota - litigation after approval added 2 years.",
                    ],
                ),
            ],
            "comments": [],
        },
    ],
}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _store(
    document: Document, number: int, name: str, content: bytes, content_type: str, note: str, by: User | None, when
):
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        change_note=note,
        uploaded_by=by,
        uploaded_at=when,
    )
    version.file.save("upload", ContentFile(content), save=False)
    version.save()
    return version


def _seed_document(group: WorkingGroup, spec: dict, when: datetime.datetime) -> None:
    if Document.objects.filter(group=group, title=spec["title"]).exists():
        return
    author = _user(spec["by"])
    document = Document.objects.create(
        group=group, title=spec["title"], description=spec["description"], created_by=author
    )
    tags = [DocumentTag.objects.get_or_create(slug=slugify(t), defaults={"name": t})[0] for t in spec["tags"]]
    document.tags.set(tags)
    versions = spec.get("versions") or [(spec["by"], spec["name"], "First version.", None)]
    version = None
    for number, (email, name, note, lines) in enumerate(versions, start=1):
        uploaded_at = when + datetime.timedelta(days=2 * (number - 1))
        if lines is None:
            content, content_type = spec["markdown"].encode(), "text/markdown; charset=utf-8"
        else:
            content, content_type = _pdf(spec["title"], lines), "application/pdf"
        version = _store(document, number, name, content, content_type, note, _user(email), uploaded_at)
        Activity.objects.create(
            group=group,
            actor=_user(email),
            kind=Activity.Kind.DOCUMENT if number == 1 else Activity.Kind.VERSION,
            document=document,
            subject=spec["title"] if number == 1 else f"{spec['title']} v{number}",
            created_at=uploaded_at,
        )
    Document.objects.filter(pk=document.pk).update(latest_version=version, version_count=len(versions))
    for index, (email, body, replies) in enumerate(spec.get("comments", [])):
        at = when + datetime.timedelta(days=3, hours=index)
        top = Comment.objects.create(document=document, author=_user(email), body=body, created_at=at)
        Activity.objects.create(
            group=group,
            actor=_user(email),
            kind=Activity.Kind.COMMENT,
            document=document,
            subject=spec["title"],
            created_at=at,
        )
        for reply_email, reply_body in replies:
            Comment.objects.create(
                document=document,
                parent=top,
                author=_user(reply_email),
                body=reply_body,
                created_at=at + datetime.timedelta(hours=2),
            )


def seed() -> list[DemoLogin]:
    now = timezone.now()
    for index, spec in enumerate(GROUPS):
        group, created = WorkingGroup.objects.get_or_create(
            slug=slugify(spec["name"]),
            defaults={
                **{k: spec[k] for k in ("name", "summary", "mission", "join_policy")},
                "antitrust_notice": DEFAULT_ANTITRUST_NOTICE,
            },
        )
        start = now - datetime.timedelta(days=60 - 5 * index)
        for email, role in spec["people"]:
            person = _user(email)
            if person is None:
                continue
            _, made = GroupMembership.objects.get_or_create(
                group=group, user=person, defaults={"role": role, "status": A, "joined_at": start}
            )
            if made:
                Activity.objects.create(group=group, actor=person, kind=Activity.Kind.JOINED, created_at=start)
        for email, message in spec.get("requests", []):
            person = _user(email)
            if person is not None:
                GroupMembership.objects.get_or_create(
                    group=group, user=person, defaults={"status": GroupMembership.Status.REQUESTED, "message": message}
                )
        for email, inviter in spec.get("invitations", []):
            person = _user(email)
            if person is not None:
                GroupMembership.objects.get_or_create(
                    group=group,
                    user=person,
                    defaults={"status": GroupMembership.Status.INVITED, "invited_by": _user(inviter)},
                )
        for doc_index, document in enumerate(DOCUMENTS.get(group.slug, [])):
            _seed_document(group, document, start + datetime.timedelta(days=5 + 7 * doc_index))
    return [
        DemoLogin(
            "working-group chair", "ada.okafor@whitfield-okafor.example", "chairs the Trade Policy Working Group"
        ),
        DemoLogin("working-group member", "jordan.lee@sierra-lithium.example", "in the Trade Policy Working Group"),
    ]


def seed_scale(count: int) -> str:
    """A benchmark-sized library: one group with `count` documents of one
    small version each and the scale people as members (bulk inserts)."""
    group, _ = WorkingGroup.objects.get_or_create(
        slug="scale-group",
        defaults={
            "name": "Scale Test Group",
            "summary": "Generated for benchmarks.",
            "join_policy": WorkingGroup.JoinPolicy.OPEN,
        },
    )
    people = list(
        User.objects.filter(email__contains="@scale-org-").order_by("pk").values_list("pk", flat=True)[:count]
    )
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, user_id=pk, status=A, joined_at=timezone.now()) for pk in people],
        batch_size=2000,
        ignore_conflicts=True,
    )
    start = Document.objects.filter(group=group).count()
    content = _pdf("Scale document", ["Generated for benchmarks."])
    stored = DocumentVersion(document=Document(group=group))
    stored.file.save("upload", ContentFile(content), save=False)  # one file shared by every scale version
    documents = Document.objects.bulk_create(
        [Document(group=group, title=f"Scale document {n:06d}", version_count=1) for n in range(start, start + count)],
        batch_size=2000,
    )
    documents = list(Document.objects.filter(group=group, latest_version__isnull=True))
    sha = hashlib.sha256(content).hexdigest()
    DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                document=d,
                number=1,
                file=stored.file.name,
                original_name="scale.pdf",
                content_type="application/pdf",
                size=len(content),
                sha256=sha,
            )
            for d in documents
        ],
        batch_size=2000,
    )
    latest = dict(DocumentVersion.objects.filter(document__in=documents).values_list("document_id", "pk"))
    for d in documents:
        d.latest_version_id = latest[d.pk]
    Document.objects.bulk_update(documents, ["latest_version"], batch_size=2000)
    return f"{len(documents)} documents and {len(people)} members in {group.name}"
