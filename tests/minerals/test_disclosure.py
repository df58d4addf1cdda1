"""The disclosure rules as pure functions: k, dominance, differences, complementary suppression."""

from __future__ import annotations

from decimal import Decimal as D

from minerals.disclosure import Rule, breakdown, is_safe, may_publish

RULE = Rule(min_organizations=3, dominance_percent=50)


def test_fewer_than_k_organizations_is_not_safe():
    assert not is_safe({"a": D(10), "b": D(10)}, RULE)
    assert is_safe({"a": D(10), "b": D(10), "c": D(10)}, RULE)


def test_one_organization_over_the_share_is_not_safe():
    assert not is_safe({"a": D(90), "b": D(5), "c": D(5)}, RULE)
    assert is_safe({"a": D(50), "b": D(25), "c": D(25)}, RULE)


def test_the_first_safe_total_is_published():
    assert may_publish(None, {"a": D(10), "b": D(12), "c": D(14)}, RULE)


def test_differencing_attack_one_new_member_is_not_published():
    before = {"a": D(10), "b": D(12), "c": D(14)}
    after = {**before, "d": D(7)}
    # The new total is safe on its own, but after − before would be d's figure.
    assert is_safe(after, RULE)
    assert not may_publish(before, after, RULE)


def test_one_member_changing_its_figure_is_not_published():
    before = {"a": D(10), "b": D(12), "c": D(14)}
    assert not may_publish(before, {**before, "a": D(11)}, RULE)


def test_k_new_members_together_are_published():
    before = {"a": D(10), "b": D(12), "c": D(14)}
    after = {**before, "d": D(7), "e": D(8), "f": D(9)}
    assert may_publish(before, after, RULE)


def test_k_new_members_dominated_by_one_are_not_published():
    before = {"a": D(10), "b": D(12), "c": D(14)}
    after = {**before, "d": D(100), "e": D(1), "f": D(1)}
    assert not may_publish(before, after, RULE)


def test_one_suppressed_part_takes_another_with_it():
    parts = {
        "hydroxide": {"a": D(10), "b": D(10), "c": D(10)},
        "carbonate": {"d": D(10), "e": D(10), "f": D(10), "g": D(12)},
        "metal": {"h": D(5)},  # one organization: primary suppression
    }
    result = breakdown(parts, RULE)
    assert result.total == D(77)
    assert result.parts["metal"] is None
    # Otherwise metal = total − hydroxide − carbonate: the smallest other part goes too.
    assert result.parts["hydroxide"] is None
    assert result.parts["carbonate"] == D(42)


def test_hidden_parts_must_be_safe_together():
    parts = {
        "a-form": {"a": D(10), "b": D(10), "c": D(10)},
        "b-form": {"d": D(10), "e": D(10), "f": D(10)},
        "x": {"g": D(3)},
        "y": {"g": D(3)},  # the same single organization in both hidden parts
    }
    result = breakdown(parts, RULE)
    hidden = [name for name, value in result.parts.items() if value is None]
    assert {"x", "y"} <= set(hidden) and len(hidden) >= 3


def test_an_unsafe_total_shows_nothing():
    result = breakdown({"one": {"a": D(10)}, "two": {"b": D(10)}}, RULE)
    assert result.total is None and set(result.parts.values()) == {None}
