"""Pooled demand: declarations, what is published and when, and to whom."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cma.errors import Conflict, Refused, ServiceError
from minerals import permissions, services
from minerals.models import Declaration

from .conftest import person_of_member_org, signed_in

pytestmark = pytest.mark.django_db


def declare(round_, quantity, form="battery-grade lithium hydroxide"):
    user, organization = person_of_member_org()
    services.demand_declare(
        actor=user, round_id=round_.pk, organization=organization, quantity=quantity, unit="t", form=form
    )
    return user, organization


def test_total_appears_only_with_the_third_organization(open_round):
    declare(open_round, 100)
    declare(open_round, 120)
    open_round.refresh_from_db()
    assert open_round.published_total is None
    declare(open_round, 140)
    open_round.refresh_from_db()
    assert open_round.published_total == Decimal(360)
    assert open_round.published_organizations == 3


def test_a_dominant_organization_keeps_the_total_hidden(open_round):
    declare(open_round, 1000)
    declare(open_round, 10)
    declare(open_round, 10)
    open_round.refresh_from_db()
    assert open_round.published_total is None


def test_differencing_attack_a_fourth_member_does_not_move_the_total(open_round, client):
    first = [declare(open_round, q) for q in (100, 120, 140)]
    fourth_user, _ = declare(open_round, 55)
    open_round.refresh_from_db()
    # Still the total of three: the published difference would be the fourth's 55.
    assert open_round.published_total == Decimal(360)
    page = signed_in(first[0][0]).get(reverse("minerals:round", args=[open_round.pk]))
    assert "360" in page.content.decode() and "415" not in page.content.decode()
    # Two more organizations join: three changed since the last total, none dominant.
    declare(open_round, 60)
    declare(open_round, 65)
    open_round.refresh_from_db()
    assert open_round.published_total == Decimal(540)


def test_a_member_changing_its_figure_alone_does_not_move_the_total(open_round):
    user, organization = declare(open_round, 100)
    declare(open_round, 120)
    declare(open_round, 140)
    services.demand_declare(
        actor=user, round_id=open_round.pk, organization=organization, quantity=101, unit="t", form="x"
    )
    open_round.refresh_from_db()
    assert open_round.published_total == Decimal(360)
    assert Declaration.objects.get(organization=organization).quantity == Decimal(101)


def test_a_member_withdrawing_cannot_reveal_the_others(open_round):
    user, organization = declare(open_round, 100)
    declare(open_round, 120)
    declare(open_round, 140)
    services.demand_withdraw(actor=user, round_id=open_round.pk, organization=organization)
    open_round.refresh_from_db()
    assert open_round.published_total == Decimal(360)  # not 260: two organizations


@pytest.mark.parametrize("quantity", [0, -5, "abc", "1e12", "NaN"])
def test_absurd_quantities_are_refused(open_round, quantity):
    user, organization = person_of_member_org()
    with pytest.raises(ServiceError) as error:
        services.demand_declare(
            actor=user, round_id=open_round.pk, organization=organization, quantity=quantity, unit="t", form="x"
        )
    assert error.value.field == "quantity"
    assert not Declaration.objects.exists()


def test_a_unit_that_is_not_the_minerals_is_refused(open_round):
    user, organization = person_of_member_org()
    with pytest.raises(ServiceError, match="metric tons") as error:
        services.demand_declare(
            actor=user, round_id=open_round.pk, organization=organization, quantity=5, unit="ozt", form="x"
        )
    assert error.value.field == "unit"


def test_another_organizations_id_in_the_form_is_not_found(open_round):
    user, _ = person_of_member_org()
    _, other = person_of_member_org()
    response = signed_in(user).post(
        reverse("minerals:round", args=[open_round.pk]),
        {"organization": other.pk, "quantity": "5", "unit": "t", "form": "carbonate"},
    )
    assert response.status_code == 404
    assert not Declaration.objects.exists()


def test_declaring_through_the_page(open_round):
    user, organization = person_of_member_org()
    response = signed_in(user).post(
        reverse("minerals:round", args=[open_round.pk]),
        {"organization": organization.pk, "quantity": "12.5", "unit": "t", "form": "lithium carbonate"},
    )
    assert response.status_code == 302
    assert Declaration.objects.get(organization=organization).quantity == Decimal("12.5")


def test_bad_input_on_the_page_is_a_form_error_not_a_500(open_round):
    user, organization = person_of_member_org()
    response = signed_in(user).post(
        reverse("minerals:round", args=[open_round.pk]),
        {"organization": organization.pk, "quantity": "-3", "unit": "kg", "form": ""},
    )
    assert response.status_code == 400
    assert "Error:" in response.content.decode() or "greater than zero" in response.content.decode()


def test_closed_rounds_take_no_declarations(open_round, staff_user):
    services.round_close(actor=staff_user, round_id=open_round.pk)
    user, organization = person_of_member_org()
    with pytest.raises(Conflict):
        services.demand_declare(
            actor=user, round_id=open_round.pk, organization=organization, quantity=5, unit="t", form="x"
        )


def test_only_staff_open_rounds(member, lithium):
    with pytest.raises(Refused):
        services.round_open(actor=member, mineral=lithium, title="x", window_start=datetime.date(2027, 1, 1),
                            window_end=datetime.date(2027, 2, 1), min_organizations=3, dominance_percent=50)  # fmt: skip


def test_closing_publishes_the_breakdown_with_complementary_suppression(open_round, staff_user):
    from minerals import selectors

    for quantity in (100, 110, 120):
        declare(open_round, quantity, form="Battery-grade lithium hydroxide")
    for quantity in (80, 90, 95):
        declare(open_round, quantity, form="lithium carbonate")
    declare(open_round, 30, form="lithium metal")
    # The last declaration alone changed since the published total of six.
    services.round_close(actor=staff_user, round_id=open_round.pk)
    open_round.refresh_from_db()
    figures = selectors.pooled_figures(open_round)
    assert figures.total == Decimal(595)
    assert set(figures.parts) == {"battery-grade lithium hydroxide", "lithium carbonate"}
    assert figures.parts["battery-grade lithium hydroxide"] == Decimal(330)


def test_members_who_did_not_join_see_no_total(open_round):
    for quantity in (100, 120, 140):
        declare(open_round, quantity)
    outsider, _ = person_of_member_org()
    page = signed_in(outsider).get(reverse("minerals:round", args=[open_round.pk])).content.decode()
    assert "360" not in page and "Declare your demand to see them" in page


def test_pooled_demand_refuses_non_members(open_round, client, user):
    assert client.get(reverse("minerals:round", args=[open_round.pk])).status_code == 302
    assert signed_in(user).get(reverse("minerals:round", args=[open_round.pk])).status_code == 403
    assert signed_in(user).get(reverse("minerals:demand")).status_code == 403


def test_staff_export_holds_aggregates_never_rows(open_round, staff_client):
    for quantity in ("101.5", "120", "140"):
        declare(open_round, quantity)
    _, lone = declare(open_round, "77.25")
    body = b"".join(staff_client.get(reverse("staff:minerals:demand_csv")).streaming_content).decode()
    assert "361.5" in body
    assert "101.5" not in body and "77.25" not in body and lone.name not in body


def test_the_export_refuses_members(open_round, member_client):
    assert member_client.get(reverse("staff:minerals:demand_csv")).status_code == 403


def test_followers_hear_of_a_new_round(staff_user, lithium, member, mailoutbox):
    services.follow_set(user=member, mineral=lithium, follow=True)
    services.follow_set(user=member, mineral=lithium, follow=True)  # twice: one follow
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.round_open(actor=staff_user, mineral=lithium, title="Lithium 2028", window_start=datetime.date(2028, 1, 1),
                            window_end=datetime.date(2028, 12, 31), min_organizations=3, dominance_percent=50)  # fmt: skip
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert "Lithium 2028" in mailoutbox[0].subject


def test_demand_organization_refuses_ids_of_others(member):
    _, other = person_of_member_org()
    from django.http import Http404

    with pytest.raises(Http404):
        permissions.demand_organization(member, other.pk)
    with pytest.raises(Http404):
        permissions.demand_organization(member, "not-a-number")


def test_k_and_the_share_are_configurable(settings, staff_user, lithium):
    from minerals.forms import RoundForm

    settings.MINERALS_POOL_MIN_ORGANIZATIONS = 4
    settings.MINERALS_POOL_DOMINANCE_PERCENT = 40
    form = RoundForm()
    assert form["min_organizations"].initial == 4 and form["dominance_percent"].initial == 40
    round_ = services.round_open(actor=staff_user, mineral=lithium, title="k=4", window_start=datetime.date(2027, 1, 1),
                                 window_end=datetime.date(2027, 6, 30), min_organizations=4, dominance_percent=40)  # fmt: skip
    for quantity in (100, 100, 100):
        declare(round_, quantity)
    round_.refresh_from_db()
    assert round_.published_total is None
    declare(round_, 100)
    round_.refresh_from_db()
    assert round_.published_total == Decimal(400)


def test_a_round_with_k_below_two_is_refused(staff_user, lithium):
    with pytest.raises(ServiceError):
        services.round_open(actor=staff_user, mineral=lithium, title="k=1", window_start=datetime.date(2027, 1, 1),
                            window_end=datetime.date(2027, 6, 30), min_organizations=1, dominance_percent=50)  # fmt: skip
