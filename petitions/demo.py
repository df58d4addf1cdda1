"""Demo petitions: the seeds/002 sign-on page, with a lived-in endorsement wall and signatures.

The petition's title, text, FAQ and resources are the seed's words. The
endorsing organizations and signers are made up (the seed page lists none);
every organization name here is fictional.

    seed()          idempotent: creates what is missing
    seed_scale(n)   n more approved endorsements on the seeds/002 petition (benchmarks)
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from members.demo import DemoLogin, ensure_user

from .models import Endorsement, FAQItem, Petition, Resource, Signature
from .services import normalize_email, signature_days_rebuild, sort_name

SLUG = "critical-minerals-agreements-rights"

PETITION = {
    "title": "Critical Minerals Agreements Must Prioritize Labor, Environmental and Human Rights",
    "summary": (
        "The U.S. government is considering entering into a number of possible Critical Minerals Agreements "
        "(CMAs) with other countries throughout the world."
    ),
    "ask": (
        "Any new Critical Minerals Agreement must prioritize labor, environmental and human rights throughout "
        "the supply chain."
    ),
    "body": (
        "Please sign the petition urging that any new CMAs prioritize labor, environmental and human rights "
        "throughout the supply chain.\n\n"
        "U.S. initiatives aimed at improving critical minerals supply chains must do so in a manner that "
        "prioritizes meeting the climate, job creation, and sustainable development goals of both the United "
        "States and its trading partners, while also advancing a global race-to-the-top in human rights."
    ),
    "signature_goal": 2500,
}

FAQ = [
    (
        "What are Critical Minerals?",
        "Critical minerals are raw materials needed for clean-energy technologies, but that aren’t always "
        "readily available.\n\n"
        "Critical minerals include nickel, cobalt, lithium and others and are used in products like electric "
        "vehicles, long-storage batteries, microchips and solar panels.",
    ),
    (
        "What are “Critical Mineral Agreements”?",
        "Critical Minerals Agreements (CMAs) are targeted trade agreements ideally designed to expand and "
        "strengthen critical minerals supply chains — although they don’t always work out that way.\n\n"
        "CMAs typically offer foreign critical minerals suppliers preferred access to U.S. tax credits, "
        "financial assistance, technical assistance or other benefits.\n\n"
        "Depending upon how they’re written, CMAs can help countries meet shared climate, job creation and "
        "sustainable development goals or they can end up accelerating exploitative models of resource "
        "extraction harmful to workers, communities and the environment.",
    ),
    (
        "What Are the Key Components of a Positive “Critical Minerals Agreement”?",
        "To aid in climate solutions, job creation and sustainable development, any proposed Critical Minerals "
        "agreement must be negotiated in a fully transparent, participatory manner and include measures that:\n\n"
        "- Prioritize “reduce, reuse and recycling” in critical minerals supply chains, instead of just new "
        "mining operations alone;\n"
        "- Create good-paying jobs in value chain industries in both the United States and the regions in which "
        "critical minerals are being extracted or recovered;\n"
        "- Establish strong, binding standards on labor rights, the environment, ownership transparency, "
        "indigenous rights and community consent throughout the supply chain; and\n"
        "- Ensure standards are backed by swift-and-certain enforcement mechanisms coupled with meaningful, "
        "facility-specific penalties for rights violations.\n\n"
        "Read the more-detailed recommendations of key environmental, faith, fair trade and other civil "
        "society groups in the resources below.",
    ),
]

RESOURCES = [
    ("Report: U.S.-Indonesia Minerals Deal Threatens Sovereignty, Labor Rights, and the Environment",
     "Report by Public Citizen", datetime.date(2025, 12, 1)),
    ("Concerns Regarding Emerging U.S. Critical Minerals Deals",
     "Joint Letter from 36 Organizations", datetime.date(2025, 12, 1)),
    ("Sánchez, colleagues call for transparency in Congo critical minerals agreement",
     "Press Release & Letter by Rep. Sánchez", datetime.date(2025, 8, 1)),
    ("The Deadly Cost of Cobalt Mining in the Congo (Update)",
     "Report by Public Citizen and Friends of the Congo", datetime.date(2025, 7, 1)),
    ("Faith Principles for Sourcing Transition Minerals",
     "Inter-religious Working Group on Extractive Industries", datetime.date(2024, 9, 1)),
    ("Promoting Supply Chain Resilience",
     "Joint Comments from 39 Civil Society Organizations", datetime.date(2024, 5, 1)),
    ("Nickel Industry Costs Lives and Livelihoods in Indonesia’s Last Nomadic Sea Tribe",
     "Mighty Earth Report", datetime.date(2024, 4, 1)),
    ("Nickel Unearthed: The Human and Climate Costs of Indonesia’s Nickel Industry",
     "CRI Indonesia Report", datetime.date(2024, 1, 1)),
    ("Concerns About a Potential Critical Minerals Agreement with Indonesia",
     "Letter from 17 Civil Society Organizations", datetime.date(2023, 11, 1)),
]  # fmt: skip

NATIONAL = [
    "Alliance for Responsible Mineral Supply Chains", "American Friends of Fair Trade", "Battery Circularity Alliance",
    "Center for Trade and Human Rights", "Coalition for Clean Energy Jobs", "Communities First Network",
    "Environmental Justice Action Fund", "Fair Trade Action Network", "Faith Coalition for Just Extraction",
    "Global Labor Solidarity Project", "Green Jobs Council", "Human Rights in Supply Chains Institute",
    "Indigenous Lands Defense Fund", "Interfaith Council on Mining and Creation Care", "Just Transition Workers Alliance",
    "Mining Accountability Project", "National Council for Recycling and Reuse", "Ocean and Reef Protection League",
    "People's Climate Trade Network", "Public Interest Trade Watch", "The Clean Supply Chain Project",
    "Transparency in Extractives Initiative USA", "Waterkeepers for Mining Reform",
    "Women in Sustainable Development Forum", "Youth Climate Trade Corps",
]  # fmt: skip

STATE_LOCAL = {
    "AZ": ["Phoenix Interfaith Environmental Network", "Sonoran Desert Mining Watch", "Tucson Fair Trade Town"],
    "CA": ["Bay Area Fair Trade Coalition", "Los Angeles Clean Jobs Alliance", "Sacramento Valley Climate Action",
           "Salton Sea Community Voices"],
    "CO": ["Denver Climate Jobs Alliance", "Front Range Mining Reform"],
    "GA": ["Atlanta Faith and Climate Circle", "Savannah Coastal Justice"],
    "IL": ["Chicago Just Transition Network", "Prairie State Fair Trade"],
    "MA": ["Boston Fair Trade Coalition", "Pioneer Valley Climate Action"],
    "MD": ["Baltimore Climate Justice Circle"],
    "MI": ["Detroit Clean Air Neighbors", "Great Lakes Mining Watch", "Lansing Interfaith Climate Circle",
           "Upper Peninsula Watershed Council"],
    "MN": ["Boundary Waters Neighbors", "Iron Range Fair Jobs Coalition", "Twin Cities Fair Trade Network"],
    "NC": ["Carolina Lithium Neighbors", "Kings Mountain Water Watch", "Triangle Climate Justice Collective"],
    "NM": ["Albuquerque Interfaith Earth Care", "Rio Arriba Water Protectors"],
    "NV": ["Great Basin Land Stewards", "Nevada Desert Water Defenders", "Reno-Sparks Climate Coalition"],
    "NY": ["Adirondack Clean Water Council", "Brooklyn Fair Trade Network", "Hudson Valley Climate Coalition"],
    "OH": ["Cleveland Clean Energy Workers", "Ohio Valley Environmental Neighbors"],
    "OR": ["Portland Trade Justice Coalition", "Willamette Valley Green Jobs"],
    "PA": ["Philadelphia Fair Trade Coalition", "Pittsburgh Steel Valley Just Transition",
           "Susquehanna Watershed Alliance"],
    "TX": ["Austin Fair Trade Collective", "Gulf Coast Environmental Justice Network", "Rio Grande Valley Water Keepers"],
    "VA": ["Shenandoah Valley Water Watch"],
    "WA": ["Cascadia Climate Workers", "Puget Sound Trade Justice", "Spokane Mining Accountability Group"],
    "WI": ["Milwaukee Fair Trade Town", "Northwoods Water Watch"],
}  # fmt: skip

FEATURED = {"Coalition for Clean Energy Jobs", "Faith Coalition for Just Extraction", "Mining Accountability Project"}

# Confirmed by email, waiting for staff: what the moderation queue shows.
PENDING = [
    ("Appalachian Voices for Fair Minerals", "state", "WV", "Dana Whitcomb", "Director"),
    ("Coalition for Community-Centered Recycling", "national", "", "Marcus Bell", "Policy Lead"),
    ("Duluth Clean Water Alliance", "state", "MN", "Ingrid Solberg", "Board Chair"),
]

FIRST_NAMES = [
    "Aaliyah", "Ben", "Carmen", "Daniel", "Elena", "Farid", "Grace", "Hector", "Imani", "Jonah", "Keiko", "Luis",
    "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Samuel", "Tanya", "Uma", "Victor", "Wendy", "Xavier",
    "Yara", "Zach", "Amara", "Brooke", "Caleb", "Diane", "Ethan", "Fatima", "Gabe", "Hannah", "Isaac", "Julia",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Brooks", "Chen", "Dubois", "Edwards", "Fischer", "Garcia", "Haddad", "Ibrahim", "Jensen", "Kim",
    "Lopez", "Morales", "Nguyen", "Okafor", "Patel", "Quintero", "Rivera", "Schmidt", "Tran", "Usman", "Varga",
    "Walker", "Yamamoto", "Zimmerman", "Baker", "Castillo", "Dawson", "Ellis", "Foster",
]  # fmt: skip
# Signers come from everywhere, more from the states with the most organizing.
SIGNER_STATES = ["CA"] * 6 + ["NY"] * 4 + ["MI"] * 4 + ["PA"] * 3 + ["MN"] * 3 + ["NV"] * 3 + ["TX"] * 3 + [
    "AZ", "CO", "GA", "IL", "MA", "MD", "NC", "NM", "OH", "OR", "VA", "WA", "WI", "WV", "DC", "FL", "NJ",
]  # fmt: skip


def _endorsement(petition: Petition, name: str, scope: str, state: str, status: str, rng: random.Random, **extra):
    domain = sort_name(name).replace(" ", "").replace("'", "")[:30]
    confirmed = timezone.now() - datetime.timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
    email = f"contact@{domain}.example"
    return Endorsement(
        petition=petition,
        organization_name=name,
        sort_name=sort_name(name),
        scope=scope,
        state=state,
        website=f"https://www.{domain}.example",
        contact_name=extra.pop("contact_name", "Jordan Ellis"),
        contact_title=extra.pop("contact_title", "Executive Director"),
        contact_email=email,
        contact_email_normalized=normalize_email(email),
        authorized=True,
        status=status,
        created_at=confirmed - datetime.timedelta(minutes=12),
        confirmed_at=confirmed if status != Endorsement.Status.UNCONFIRMED else None,
        moderated_at=confirmed + datetime.timedelta(hours=20) if status in ("approved", "rejected") else None,
        **extra,
    )


def _signatures(petition: Petition, rng: random.Random, *, confirmed: int, days: int, prefix: str) -> list[Signature]:
    now = timezone.now()
    rows = []
    for i in range(confirmed):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        # More signatures lately: the campaign is picking up.
        signed = now - datetime.timedelta(days=days * rng.random() ** 1.6, minutes=rng.randint(0, 600))
        email = f"{first.lower()}.{last.lower()}.{prefix}{i}@example.org"
        rows.append(
            Signature(
                petition=petition,
                name=f"{first} {last}",
                email=email,
                email_normalized=normalize_email(email),
                zip_code=f"{rng.randint(10000, 99950):05d}",
                state=rng.choice(SIGNER_STATES),
                show_name=rng.random() < 0.6,
                wants_updates=rng.random() < 0.4,
                status=Signature.Status.CONFIRMED,
                created_at=signed,
                confirmed_at=signed + datetime.timedelta(minutes=rng.randint(1, 90)),
            )
        )
    return rows


def _seed_rights_petition(staff) -> Petition:
    now = timezone.now()
    petition, created = Petition.objects.get_or_create(
        slug=SLUG,
        defaults={
            **PETITION,
            "status": Petition.Status.OPEN,
            "accepts": Petition.Accepts.BOTH,
            "published_at": now - datetime.timedelta(days=45),
            "created_by": staff,
        },
    )
    if not created:
        return petition
    Petition.objects.filter(pk=petition.pk).update(created_at=now - datetime.timedelta(days=50))
    FAQItem.objects.bulk_create(
        FAQItem(petition=petition, position=i, question=q, answer=a) for i, (q, a) in enumerate(FAQ)
    )
    Resource.objects.bulk_create(
        Resource(petition=petition, position=i, title=t, publisher=p, published_on=d)
        for i, (t, p, d) in enumerate(RESOURCES)
    )
    rng = random.Random(2)  # the same demo every time
    endorsements = [
        _endorsement(petition, name, "national", "", "approved", rng, featured=name in FEATURED) for name in NATIONAL
    ]
    endorsements += [
        _endorsement(petition, name, "state", state, "approved", rng)
        for state, names in STATE_LOCAL.items()
        for name in names
    ]
    endorsements += [
        _endorsement(petition, n, scope, st, "pending", rng, contact_name=c, contact_title=t)
        for n, scope, st, c, t in PENDING
    ]
    endorsements.append(
        _endorsement(
            petition,
            "Totally Real Minerals Advocacy Group",
            "national",
            "",
            "rejected",
            rng,
            rejection_reason="We could not find this organization or reach anyone at the website given.",
        )
    )
    Endorsement.objects.bulk_create(endorsements)
    signatures = _signatures(petition, rng, confirmed=437, days=44, prefix="r")
    # A few never confirmed, and a few withdrew (their details erased).
    for i, row in enumerate(_signatures(petition, rng, confirmed=24, days=20, prefix="u")):
        row.status, row.confirmed_at = Signature.Status.UNCONFIRMED, None
        signatures.append(row)
        if i < 5:
            signatures.append(
                Signature(
                    petition=petition,
                    name="",
                    email="",
                    email_normalized=None,
                    zip_code="",
                    state=row.state,
                    status=Signature.Status.WITHDRAWN,
                    created_at=row.created_at,
                    withdrawn_at=row.created_at + datetime.timedelta(days=2),
                    erased_at=row.created_at + datetime.timedelta(days=2),
                )
            )
    Signature.objects.bulk_create(signatures, batch_size=1000)
    signature_days_rebuild(petition_ids=[petition.pk])  # made in bulk, not confirmed one by one
    return petition


def _seed_closed_petition(staff) -> None:
    # seeds/004's domestic policy ask, run earlier as a member sign-on and closed.
    now = timezone.now()
    petition, created = Petition.objects.get_or_create(
        slug="restore-45x-for-critical-minerals",
        defaults={
            "title": "Restore Permanency to the 45X Credit for Critical Minerals",
            "summary": (
                "Manufacturers depend on reliable supply chains to make things in America. Today the U.S. is at "
                "least 50% import reliant for 33 out of 58 critical minerals — including 13 for which it is 100% "
                "dependent on imports."
            ),
            "ask": (
                "Restore permanency to strategic incentives like the 45X Advanced Manufacturing Production Credit "
                "for critical minerals, to make it more attractive and less risky to launch extraction and "
                "processing projects in the U.S."
            ),
            "body": (
                "For manufacturers in the U.S. to maintain competitive advantage, policymakers must deploy "
                "legislative, regulatory, and administrative solutions that enhance the sector's access to critical "
                "inputs here at home.\n\n"
                "- **Restore permanency to strategic incentives** like the 45X Advanced Manufacturing Production "
                "Credit for critical minerals;\n"
                "- **Invest in critical mineral recycling, recovery, and substitution technologies** through federal "
                "tax incentives, grants, and loans for R&D;\n"
                "- **Create a mechanism for pooled industry demand** for minerals acutely needed by manufacturers in "
                "small quantities."
            ),
            "signature_goal": 250,
            "accepts": Petition.Accepts.SIGNATURES,
            "status": Petition.Status.CLOSED,
            "opens_at": now - datetime.timedelta(days=120),
            "closes_at": now - datetime.timedelta(days=20),
            "published_at": now - datetime.timedelta(days=121),
            "closed_at": now - datetime.timedelta(days=20),
            "created_by": staff,
        },
    )
    if created:
        rows = _signatures(petition, random.Random(4), confirmed=268, days=100, prefix="x")
        for row in rows:  # all signed while it was open
            shift = datetime.timedelta(days=20)
            row.created_at -= shift
            assert row.confirmed_at is not None  # every one made above is confirmed
            row.confirmed_at -= shift
        Signature.objects.bulk_create(rows, batch_size=1000)
        signature_days_rebuild(petition_ids=[petition.pk])


def _seed_draft(staff) -> None:
    Petition.objects.get_or_create(
        slug="pooled-demand-for-small-volume-minerals",
        defaults={
            "title": "Create a Mechanism for Pooled Industry Demand",
            "summary": "Minerals acutely needed by manufacturers in small quantities need a buyer big enough to matter.",
            "ask": "Create a mechanism for pooled industry demand for minerals acutely needed by manufacturers in "
            "small quantities.",
            "body": "Draft: staff are still writing this one.",
            "signature_goal": 500,
            "status": Petition.Status.DRAFT,
            "created_by": staff,
        },
    )


def seed() -> list[DemoLogin]:
    staff = ensure_user("staff@cma-usa.localhost", "Morgan Avery", staff=True)
    with transaction.atomic():
        petition = _seed_rights_petition(staff)
        _seed_closed_petition(staff)
        _seed_draft(staff)
    return [
        DemoLogin(
            "petition signer",
            "(no account)",
            f"sign at /petitions/{petition.slug}/ — the confirmation email is printed by the server",
        )
    ]


def seed_scale(count: int) -> str:
    """Add `count` approved State or Local endorsements (spread over the states)
    and ten confirmed signatures each to the seeds/002 petition, in bulk."""
    from members.models import US_STATES

    petition = Petition.objects.get(slug=SLUG)
    start = Endorsement.objects.filter(petition=petition, organization_name__startswith="Scale Coalition ").count()
    now = timezone.now()
    states = [code for code, _ in US_STATES]
    Endorsement.objects.bulk_create(
        [
            Endorsement(
                petition=petition,
                organization_name=f"Scale Coalition {n:06d}",
                sort_name=f"scale coalition {n:06d}",
                scope=Endorsement.Scope.NATIONAL if n % 10 == 0 else Endorsement.Scope.STATE,
                state="" if n % 10 == 0 else states[n % len(states)],
                website=f"https://scale-{n:06d}.example" if n % 2 else "",
                contact_name="Scale Contact",
                contact_title="Director",
                contact_email=f"contact@scale-{n:06d}.example",
                contact_email_normalized=f"contact@scale-{n:06d}.example",
                authorized=True,
                status=Endorsement.Status.APPROVED,
                created_at=now,
                confirmed_at=now,
                moderated_at=now,
            )
            for n in range(start, start + count)
        ],
        batch_size=2000,
    )
    rng = random.Random(start)
    Signature.objects.bulk_create(
        _signatures(petition, rng, confirmed=count * 10, days=60, prefix=f"s{start}-"), batch_size=5000
    )
    signature_days_rebuild(petition_ids=[petition.pk])
    Petition.objects.filter(pk=petition.pk).update(wall_version=petition.wall_version + 1)
    return f"{count} endorsements and {count * 10} signatures on “{petition.title}”"
