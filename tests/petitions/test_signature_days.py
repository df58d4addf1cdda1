"""The day roll-up of confirmed signatures (`SignatureDay`) the staff report
reads: kept by confirming and withdrawing, counted again for bulk rows, and
backfilled by the data migration; always equal to a count of the signatures."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from petitions import services
from petitions.models import Petition, Signature, SignatureDay
from tests import factories

pytestmark = pytest.mark.django_db

UNCONFIRMED = {"status": Signature.Status.UNCONFIRMED, "confirmed_at": None}


def _days(petition) -> dict[datetime.date, int]:
    return dict(SignatureDay.objects.filter(petition=petition).values_list("day", "confirmed"))


def _counted(petition) -> dict[datetime.date, int]:
    """The same figures, counted from the signatures here (not by the code under test)."""
    counts: dict[datetime.date, int] = {}
    for signature in Signature.objects.filter(petition=petition, status=Signature.Status.CONFIRMED):
        day = signature.confirmed_at.astimezone(datetime.UTC).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def test_confirming_counts_each_signature_on_its_day(petition):
    today = timezone.now().astimezone(datetime.UTC).date()
    first, second = (factories.SignatureFactory(petition=petition, **UNCONFIRMED) for _ in range(2))
    assert _days(petition) == {}
    services.signature_confirm(signature_id=first.pk)
    assert _days(petition) == {today: 1}
    services.signature_confirm(signature_id=second.pk)
    assert _days(petition) == {today: 2} == _counted(petition)


def test_confirming_twice_counts_once(petition):
    signature = factories.SignatureFactory(petition=petition, **UNCONFIRMED)
    services.signature_confirm(signature_id=signature.pk)
    with pytest.raises(services.AlreadyDone):
        services.signature_confirm(signature_id=signature.pk)
    assert sum(_days(petition).values()) == 1


def test_withdrawing_a_confirmed_signature_uncounts_it_on_the_day_it_was_confirmed(petition):
    last_week = timezone.now() - datetime.timedelta(days=7)
    old = factories.SignatureFactory(petition=petition, confirmed_at=last_week)
    new = factories.SignatureFactory(petition=petition, **UNCONFIRMED)
    services.signature_confirm(signature_id=new.pk)
    services.signature_withdraw(signature_id=old.pk)
    assert _days(petition)[last_week.astimezone(datetime.UTC).date()] == 0
    assert sum(_days(petition).values()) == 1 == sum(_counted(petition).values())


def test_withdrawing_an_unconfirmed_signature_changes_no_count(petition):
    factories.SignatureFactory(petition=petition)
    unconfirmed = factories.SignatureFactory(petition=petition, **UNCONFIRMED)
    services.signature_withdraw(signature_id=unconfirmed.pk)
    assert sum(_days(petition).values()) == 1


def test_a_confirmation_rolled_back_counts_nothing(petition):
    signature = factories.SignatureFactory(petition=petition, **UNCONFIRMED)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.signature_confirm(signature_id=signature.pk)
        raise RuntimeError("the request failed after confirming")
    assert _days(petition) == {}


def test_a_refused_confirmation_counts_nothing(petition):
    signature = factories.SignatureFactory(petition=petition, **UNCONFIRMED)
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.CLOSED, closed_at=timezone.now())
    with pytest.raises(services.NotAccepting):
        services.signature_confirm(signature_id=signature.pk)
    assert _days(petition) == {}


def test_the_rebuild_counts_bulk_rows_and_touches_only_the_petitions_named(petition):
    other = factories.PetitionFactory()
    factories.SignatureFactory(petition=other)
    now = timezone.now()
    Signature.objects.bulk_create(
        [Signature(petition=petition, name="A", email=f"a{n}@example.org", email_normalized=f"a{n}@example.org",
                   zip_code="48201", state="MI", status=Signature.Status.CONFIRMED,
                   confirmed_at=now - datetime.timedelta(days=n % 3)) for n in range(7)]
        + [Signature(petition=petition, name="B", email="b@example.org", email_normalized="b@example.org",
                     zip_code="48201", state="MI")]
    )  # fmt: skip
    assert _days(petition) == {}
    services.signature_days_rebuild(petition_ids=[petition.pk])
    assert _days(petition) == _counted(petition) and sum(_days(petition).values()) == 7
    assert sum(_days(other).values()) == 1


def test_the_backfill_migration_counts_the_signatures_confirmed_before_it(petition):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for when in (yesterday, yesterday, timezone.now()):
        factories.SignatureFactory(petition=petition, confirmed_at=when)
    factories.SignatureFactory(petition=petition, **UNCONFIRMED)
    SignatureDay.objects.all().delete()  # as before the roll-up existed
    migration = importlib.import_module("petitions.migrations.0004_signature_days_backfill")
    migration.backfill(apps, None)
    assert _days(petition) == _counted(petition)
    assert sorted(_days(petition).values()) == [1, 2]
