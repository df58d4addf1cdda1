"""Demo organizations, people, memberships and the charter for `manage.py seed_demo`.

The organizations are fictional; their segments, states and concerns come from
the association's own page and the policy papers in the project's seeds.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify

from cma.demo import DEMO_PASSWORD, DemoLogin

from .models import (
    US_STATES,
    Application,
    CharterAcceptance,
    CharterVersion,
    Dues,
    Membership,
    MembershipTerm,
    MembershipTier,
    Organization,
    OrganizationMember,
    Segment,
    User,
)

# A fixed authenticator secret so the demo staff login can be added to any
# authenticator app (seed_demo prints it).
DEMO_STAFF_TOTP_SECRET = "CMAUSADEMOSTAFFTOTPSECRET234567A"  # noqa: S105
CHARTER_DIR = Path(__file__).resolve().parent / "charter"


# name, domain, segments, city, state, size, tier, status, public, description,
# people [(name, local part, role)]
ORGANIZATIONS = [
    ("Sierra Lithium Resources", "sierra-lithium", ["exploration-and-mining", "processing-and-refining"], "Reno", "NV", "51-200", "corporate", "active", True,
     "Exploring and developing claystone lithium deposits in the Great Basin, with a pilot plant for battery-grade lithium carbonate.",
     [("Jordan Lee", "jordan.lee", "primary"), ("Sam Ortiz", "sam.ortiz", "representative"), ("Kim Nguyen", "kim.nguyen", "billing")]),
    ("Bitterroot Rare Earths", "bitterroot-ree", ["exploration-and-mining"], "Missoula", "MT", "11-50", "associate", "active", True,
     "Rare earth element exploration in the northern Rockies, focused on neodymium and praseodymium for permanent magnets.",
     [("Dana Whitcomb", "dana.whitcomb", "primary")]),
    ("Copper Basin Mining Co.", "copper-basin", ["exploration-and-mining"], "Globe", "AZ", "201-1000", "leadership-council", "active", True,
     "Copper and byproduct tellurium production from Arizona's copper triangle.",
     [("Luis Herrera", "luis.herrera", "primary"), ("Amy Becker", "amy.becker", "representative")]),
    ("Gulf Coast Refining Partners", "gulfcoast-refining", ["processing-and-refining", "chemicals-and-manufacture"], "Corpus Christi", "TX", "201-1000", "leadership-council", "active", True,
     "Lithium hydroxide and nickel sulfate refining for U.S. cathode makers, closing the midstream processing gap.",
     [("Renee Boudreaux", "renee.boudreaux", "primary"), ("Victor Chen", "victor.chen", "representative")]),
    ("Tehachapi Magnet Metals", "tehachapi-magnets", ["processing-and-refining", "technology"], "Bakersfield", "CA", "51-200", "corporate", "active", True,
     "Separating rare earth oxides and producing NdFeB alloy so U.S. magnets no longer ship overseas for processing.",
     [("Priya Raman", "priya.raman", "primary")]),
    ("Lakeshore Battery Recycling", "lakeshore-recycling", ["recycling"], "Grand Rapids", "MI", "51-200", "corporate", "active", True,
     "Recovering cobalt, nickel and lithium from end-of-life EV batteries and manufacturing scrap.",
     [("Grace Whitfield", "grace.whitfield", "primary"), ("Omar Haddad", "omar.haddad", "representative")]),
    ("Circular Cobalt Recovery", "circular-cobalt", ["recycling", "chemicals-and-manufacture"], "Charlotte", "NC", "11-50", "associate", "grace", True,
     "Hydrometallurgical recovery of cobalt from consumer electronics.",
     [("Ethan Brooks", "ethan.brooks", "primary")]),
    ("Keystone Critical Capital", "keystone-capital", ["finance"], "New York", "NY", "11-50", "corporate", "active", True,
     "Project finance for discovery and development-stage critical minerals projects in the U.S. and allied countries.",
     [("Margaret Lin", "margaret.lin", "primary")]),
    ("Whitfield & Okafor LLP", "whitfield-okafor", ["legal"], "Washington", "DC", "51-200", "associate", "active", True,
     "Permitting, trade remedies, offtake agreements and export-control counsel for the minerals sector.",
     [("Ada Okafor", "ada.okafor", "primary")]),
    ("Great Lakes EV Components", "greatlakes-ev", ["automotive"], "Toledo", "OH", "1001-5000", "leadership-council", "active", True,
     "Battery packs and electric drive units for light and medium-duty vehicles.",
     [("Michael Novak", "michael.novak", "primary"), ("Hannah Price", "hannah.price", "representative")]),
    ("Cascade Sensor Systems", "cascade-sensors", ["technology"], "Seattle", "WA", "201-1000", "corporate", "active", False,
     "Gallium- and germanium-based sensors and power electronics.",
     [("Tom Sato", "tom.sato", "primary")]),
    ("Patriot Alloys Defense Systems", "patriot-alloys", ["defense", "chemicals-and-manufacture"], "Arlington", "VA", "1001-5000", "leadership-council", "active", True,
     "Tungsten, titanium and specialty alloys for the defense industrial base.",
     [("Colonel (ret.) Ruth Adams", "ruth.adams", "primary")]),
    ("Bayou Specialty Chemicals", "bayou-chemicals", ["chemicals-and-manufacture"], "Baton Rouge", "LA", "201-1000", "corporate", "lapsed", True,
     "Fluorspar and graphite-derived specialty chemicals.",
     [("Jacques Thibodeaux", "jacques.thibodeaux", "primary")]),
    ("Meridian Supply Chain Advisory", "meridian-advisory", ["consultancy"], "Denver", "CO", "11-50", "associate", "active", True,
     "Supply-chain mapping, traceability and due diligence for critical minerals buyers.",
     [("Nora Castillo", "nora.castillo", "primary")]),
    ("Appalachian Graphite Works", "appalachian-graphite", ["processing-and-refining", "technology"], "Huntsville", "AL", "11-50", "associate", "active", True,
     "Natural and synthetic graphite anode material for lithium-ion batteries.",
     [("Wes Carver", "wes.carver", "primary")]),
    ("Prairie Potash & Minerals", "prairie-minerals", ["exploration-and-mining"], "Bismarck", "ND", "51-200", "corporate", "active", True,
     "Exploration of lithium and rare earths in Bakken formation brines and coal byproducts.",
     [("Erik Johansson", "erik.johansson", "primary")]),
]  # fmt: skip


@functools.cache
def demo_password_hash() -> str:
    # Hashing is deliberately slow (~0.4 s); every demo person shares one hash.
    return make_password(DEMO_PASSWORD)


def ensure_user(email: str, name: str, *, staff: bool = False) -> User:
    """A demo person with a verified email and the demo password (idempotent)."""
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={"name": name, "is_staff": staff, "is_superuser": staff, "password": demo_password_hash()},
    )
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed_staff() -> tuple[User, list[DemoLogin]]:
    staff = ensure_user("staff@cma-usa.localhost", "Morgan Avery", staff=True)
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(staff, DEMO_STAFF_TOTP_SECRET)
    codes = RecoveryCodes.activate(staff).get_unused_codes()
    note = (
        f"staff pages need a second factor: add secret {DEMO_STAFF_TOTP_SECRET} to an authenticator app, "
        f"or use a recovery code: {', '.join(codes[:3])}"
    )
    return staff, [DemoLogin("staff", staff.email, note)]


def seed_charter(staff: User) -> tuple[CharterVersion, CharterVersion]:
    now = timezone.now()
    v1, _ = CharterVersion.objects.get_or_create(
        number=1,
        defaults={
            "body": (CHARTER_DIR / "v1.md").read_text(),
            "summary_of_changes": "First charter.",
            "published_at": now - datetime.timedelta(days=400),
            "published_by": staff,
        },
    )
    v2, _ = CharterVersion.objects.get_or_create(
        number=2,
        defaults={
            "body": (CHARTER_DIR / "v2.md").read_text(),
            "summary_of_changes": "Adds competition-law and confidentiality sections for working groups.",
            "published_at": now - datetime.timedelta(days=45),
            "published_by": staff,
        },
    )
    return v1, v2


def _seed_membership(org: Organization, tier: MembershipTier, status: str, index: int) -> Membership:
    today = timezone.localdate()
    if status == "lapsed":
        starts = today - datetime.timedelta(days=420)
    elif status == "grace":
        starts = today - datetime.timedelta(days=370)
    elif index == 0:
        starts = today - datetime.timedelta(days=340)  # term ends in 25 days: renewal reminders
    else:
        starts = today - datetime.timedelta(days=30 * (index + 1))
    ends = starts + datetime.timedelta(days=365)
    membership, created = Membership.objects.get_or_create(
        organization=org,
        defaults={"tier": tier, "status": status, "member_since": starts, "starts_on": starts, "ends_on": ends},
    )
    if created:
        term = MembershipTerm.objects.create(membership=membership, tier=tier, starts_on=starts, ends_on=ends)
        Dues.objects.create(
            term=term,
            invoice_number=f"CMA-{starts:%Y}-{org.pk:05d}",
            amount=tier.annual_dues,
            issued_on=starts,
            paid_on=None if status in ("grace", "lapsed") else starts + datetime.timedelta(days=21),
        )
    return membership


def seed_organizations(v1: CharterVersion, v2: CharterVersion) -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    segments = {s.slug: s for s in Segment.objects.all()}
    tiers = {t.slug: t for t in MembershipTier.objects.all()}
    for index, (name, domain, seg_slugs, city, state, size, tier, status, public, description, people) in enumerate(
        ORGANIZATIONS
    ):
        org, created = Organization.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "legal_name": name if "LLP" in name else f"{name}, Inc.",
                "website": f"https://www.{domain}.example",
                "description": description,
                "hq_city": city,
                "hq_state": state,
                "size_band": size,
                "public_listing": public,
            },
        )
        if created:
            org.segments.set([segments[s] for s in seg_slugs])
        _seed_membership(org, tiers[tier], status, index)
        for person_name, local, role in people:
            person = ensure_user(f"{local}@{domain}.example", person_name)
            OrganizationMember.objects.get_or_create(organization=org, user=person, defaults={"role": role})
            if role == "primary":
                primary = person
        # Everyone accepted the first charter; most accepted the second.
        for version in (v1, v2) if index % 5 else (v1,):
            if not CharterAcceptance.objects.filter(organization=org, version=version).exists():
                CharterAcceptance.objects.create(
                    organization=org,
                    version=version,
                    accepted_by=primary,
                    accepted_at=(version.published_at or timezone.now()) + datetime.timedelta(days=3 + index),
                    ip_address="127.0.0.1",
                    user_agent="seed_demo",
                )
    first = ORGANIZATIONS[0]
    logins.append(DemoLogin("primary contact", f"{first[10][0][1]}@{first[1]}.example", first[0]))
    logins.append(DemoLogin("member", f"{first[10][1][1]}@{first[1]}.example", f"representative, {first[0]}"))
    return logins


def seed_application(v2: CharterVersion) -> list[DemoLogin]:
    applicant = ensure_user("alex.morgan@helios-recycling.example", "Alex Morgan")
    if not Application.objects.filter(applicant=applicant).exists():
        application = Application.objects.create(
            applicant=applicant,
            status=Application.Status.SUBMITTED,
            org_name="Helios Materials Recycling",
            legal_name="Helios Materials Recycling LLC",
            website="https://www.helios-recycling.example",
            description="Recovering gallium and germanium from semiconductor manufacturing waste.",
            hq_city="Phoenix",
            hq_state="AZ",
            size_band=Organization.SizeBand.SMALL,
            tier=MembershipTier.objects.get(slug="associate"),
            contact_name="Alex Morgan",
            contact_title="Founder and CEO",
            contact_phone="+1 602 555 0148",
            statement=(
                "The U.S. is 100% import-reliant for gallium. We want to work with the recycling and "
                "technology members on recovery from fab waste streams, and to join the trade-policy working group."
            ),
            charter_version=v2,
            charter_accepted_at=timezone.now() - datetime.timedelta(days=2),
            charter_ip_address="127.0.0.1",
            charter_user_agent="seed_demo",
            submitted_at=timezone.now() - datetime.timedelta(days=2),
        )
        application.segments.set(Segment.objects.filter(slug__in=["recycling", "technology"]))
    newcomer = ensure_user("casey.newcomer@example.org", "Casey Newcomer")
    return [
        DemoLogin("applicant", applicant.email, "application submitted, awaiting review"),
        DemoLogin("signed-in non-member", newcomer.email),
    ]


def seed() -> list[DemoLogin]:
    staff, logins = seed_staff()
    v1, v2 = seed_charter(staff)
    logins += seed_organizations(v1, v2)
    logins += seed_application(v2)
    return logins


def seed_scale(count: int) -> str:
    """Bulk-create `count` member organizations with four people each.

    One password hash is computed and shared (hashing is deliberately slow);
    rows go in with bulk_create in batches. Safe to run again: numbering
    continues after the last scale organization.
    """
    password_hash = demo_password_hash()
    segments = list(Segment.objects.all())
    tiers = list(MembershipTier.objects.all())
    states = [code for code, _ in US_STATES]
    start = Organization.objects.filter(slug__startswith="scale-org-").count()
    today = timezone.localdate()
    numbers = range(start, start + count)

    orgs = Organization.objects.bulk_create(
        [
            Organization(
                name=f"Scale Org {n:06d} {segments[n % len(segments)].name}",
                slug=f"scale-org-{n:06d}",
                legal_name=f"Scale Org {n:06d}, Inc.",
                website=f"https://scale-{n:06d}.example",
                description="Generated for benchmarks.",
                hq_city="Springfield",
                hq_state=states[n % len(states)],
                size_band=Organization.SizeBand.values[n % 6],
                public_listing=n % 3 != 0,
            )
            for n in numbers
        ],
        batch_size=2000,
    )
    orgs = list(Organization.objects.filter(slug__startswith="scale-org-").order_by("slug")[start:])
    through = Organization.segments.through
    through.objects.bulk_create(
        [through(organization_id=o.pk, segment_id=segments[i % len(segments)].pk) for i, o in enumerate(orgs, start)]
        + [
            through(organization_id=o.pk, segment_id=segments[(i + 3) % len(segments)].pk)
            for i, o in enumerate(orgs, start)
            if i % 2
        ],
        batch_size=5000,
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                organization=o,
                tier=tiers[i % len(tiers)],
                status=Membership.Status.ACTIVE if i % 10 else Membership.Status.LAPSED,
                member_since=today - datetime.timedelta(days=i % 300),
                starts_on=today - datetime.timedelta(days=i % 300),
                ends_on=today - datetime.timedelta(days=i % 300) + datetime.timedelta(days=365),
            )
            for i, o in enumerate(orgs, start)
        ],
        batch_size=2000,
    )
    memberships = list(Membership.objects.filter(organization__in=orgs).select_related("tier"))
    terms = MembershipTerm.objects.bulk_create(
        [MembershipTerm(membership=m, tier=m.tier, starts_on=m.starts_on, ends_on=m.ends_on) for m in memberships],
        batch_size=2000,
    )
    terms = list(MembershipTerm.objects.filter(membership__in=memberships).select_related("membership"))
    Dues.objects.bulk_create(
        [
            Dues(
                term=t,
                invoice_number=f"SCALE-{t.membership.organization_id:08d}",
                amount=Decimal("1500.00"),
                issued_on=t.starts_on,
                paid_on=t.starts_on,
            )
            for t in terms
        ],
        batch_size=2000,
    )
    users = User.objects.bulk_create(
        [
            User(email=f"person{k}@scale-org-{n:06d}.example", name=f"Scale Person {n}-{k}", password=password_hash)
            for n in numbers
            for k in range(4)
        ],
        batch_size=2000,
    )
    users = list(User.objects.filter(email__endswith=".example", email__contains="@scale-org-").order_by("email"))
    by_org = {o.slug: o for o in orgs}
    roles = ["primary", "representative", "representative", "billing"]
    OrganizationMember.objects.bulk_create(
        [
            OrganizationMember(
                organization=by_org[u.email.split("@")[1].removesuffix(".example")], user=u, role=roles[int(u.email[6])]
            )
            for u in users
            if u.email.split("@")[1].removesuffix(".example") in by_org
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return f"{len(orgs)} organizations, {len(memberships)} memberships, {len(users)} people"
