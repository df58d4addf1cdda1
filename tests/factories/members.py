"""Organizations, memberships, applications, the charter."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from members.models import (
    Application,
    CharterVersion,
    Membership,
    MembershipTier,
    Organization,
    OrganizationMember,
    Segment,
)

from .accounts import UserFactory

__all__ = [
    "ApplicationFactory",
    "CharterVersionFactory",
    "MemberFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "OrganizationMemberFactory",
    "PrimaryContactFactory",
    "tier",
]


def tier(slug: str = "corporate") -> MembershipTier:
    """A tier created by the data migration."""
    return MembershipTier.objects.get(slug=slug)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organization {n} Minerals")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    legal_name = factory.LazyAttribute(lambda o: f"{o.name}, Inc.")
    website = factory.LazyAttribute(lambda o: f"https://{o.slug}.example")
    description = "Lithium brine exploration and processing."
    hq_city = "Reno"
    hq_state = "NV"
    size_band = Organization.SizeBand.MEDIUM
    public_listing = True

    @factory.post_generation
    def segments(obj, create, extracted, **kwargs):
        if create:
            obj.segments.set(
                extracted if extracted is not None else [Segment.objects.get(slug="exploration-and-mining")]
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    tier = factory.LazyFunction(tier)
    status = Membership.Status.ACTIVE
    member_since = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))
    starts_on = factory.LazyAttribute(lambda m: m.member_since)
    ends_on = factory.LazyAttribute(lambda m: m.starts_on + datetime.timedelta(days=365))


class OrganizationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMember

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganizationMember.Role.REPRESENTATIVE


class MemberFactory(OrganizationMemberFactory):
    """A person in an organization whose membership is active."""

    organization = factory.LazyFunction(lambda: MembershipFactory().organization)


class PrimaryContactFactory(MemberFactory):
    role = OrganizationMember.Role.PRIMARY_CONTACT


class CharterVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CharterVersion

    number = factory.Sequence(lambda n: n + 1)
    body = factory.LazyAttribute(lambda v: f"# CMA USA Charter\n\nVersion {v.number}.\n\nMembers act responsibly.")
    published_at = factory.LazyFunction(timezone.now)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory)
    org_name = factory.Sequence(lambda n: f"Applicant {n} Recycling")
    legal_name = factory.LazyAttribute(lambda a: f"{a.org_name} LLC")
    website = "https://applicant.example"
    description = "Battery recycling."
    hq_city = "Pittsburgh"
    hq_state = "PA"
    size_band = Organization.SizeBand.SMALL
    tier = factory.LazyFunction(tier)
    contact_name = factory.LazyAttribute(lambda a: a.applicant.name)
    contact_title = "Chief Executive"
    statement = "We recycle end-of-life batteries into battery-grade cobalt and nickel."

    @factory.post_generation
    def segments(obj, create, extracted, **kwargs):
        if create:
            obj.segments.set(extracted if extracted is not None else [Segment.objects.get(slug="recycling")])
