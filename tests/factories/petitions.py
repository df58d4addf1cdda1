"""Petitions, signatures, endorsements."""

from __future__ import annotations

import factory
from django.utils import timezone
from django.utils.text import slugify

from petitions.models import Endorsement, FAQItem, Petition, Resource, Signature
from petitions.services import normalize_email, signature_days_rebuild, sort_name

__all__ = ["EndorsementFactory", "FAQItemFactory", "PetitionFactory", "ResourceFactory", "SignatureFactory"]


class PetitionFactory(factory.django.DjangoModelFactory):
    """An open petition taking signatures and endorsements."""

    class Meta:
        model = Petition

    title = factory.Sequence(lambda n: f"Put Rights First in Minerals Deal {n}")
    slug = factory.LazyAttribute(lambda p: slugify(p.title))
    summary = "Trade deals for critical minerals are being negotiated now."
    ask = "Any new Critical Minerals Agreement must protect workers, communities and the environment."
    body = "Critical minerals include **nickel**, cobalt and lithium."
    signature_goal = 100
    accepts = Petition.Accepts.BOTH
    status = Petition.Status.OPEN
    published_at = factory.LazyFunction(timezone.now)


class FAQItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQItem

    petition = factory.SubFactory(PetitionFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer with *emphasis*."
    position = factory.Sequence(lambda n: n)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    petition = factory.SubFactory(PetitionFactory)
    title = factory.Sequence(lambda n: f"Report {n} on cobalt mining")
    publisher = "Report by Public Citizen"
    published_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    position = factory.Sequence(lambda n: n)


class SignatureFactory(factory.django.DjangoModelFactory):
    """A confirmed signature."""

    class Meta:
        model = Signature
        skip_postgeneration_save = True

    petition = factory.SubFactory(PetitionFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    email_normalized = factory.LazyAttribute(lambda s: normalize_email(s.email))
    zip_code = "48201"
    state = "MI"
    status = Signature.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def counted(obj, create, extracted, **kwargs):
        # Made directly, not confirmed through the service: count the
        # petition's day roll-up again, as the demo's bulk rows are.
        if create and obj.status == Signature.Status.CONFIRMED:
            signature_days_rebuild(petition_ids=[obj.petition_id])


class EndorsementFactory(factory.django.DjangoModelFactory):
    """An approved State or Local endorsement from Michigan."""

    class Meta:
        model = Endorsement

    petition = factory.SubFactory(PetitionFactory)
    organization_name = factory.Sequence(lambda n: f"Great Lakes Coalition {n}")
    sort_name = factory.LazyAttribute(lambda e: sort_name(e.organization_name))
    scope = Endorsement.Scope.STATE
    state = "MI"
    website = "https://coalition.example"
    contact_name = "Dana Whitcomb"
    contact_title = "Director"
    contact_email = factory.Sequence(lambda n: f"contact{n}@coalition.example")
    contact_email_normalized = factory.LazyAttribute(lambda e: normalize_email(e.contact_email))
    authorized = True
    status = Endorsement.Status.APPROVED
    confirmed_at = factory.LazyFunction(timezone.now)
    moderated_at = factory.LazyFunction(timezone.now)
