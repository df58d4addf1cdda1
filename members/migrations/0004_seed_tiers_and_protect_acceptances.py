"""Membership tiers, and charter acceptances that the database refuses to change.

The tiers are a starting point staff edit in the admin. On PostgreSQL a
trigger refuses any UPDATE or DELETE of a charter acceptance: they are the
association's record of who bound their organization to which text.
"""

from decimal import Decimal

from django.db import migrations

TIERS = [
    (
        "Associate",
        "associate",
        Decimal("1500.00"),
        "For start-ups, consultancies, law firms and service providers with up to 50 staff\n"
        "Two people in working groups\nMember rates for conferences\nListing in the member directory",
    ),
    (
        "Corporate",
        "corporate",
        Decimal("7500.00"),
        "For operating companies across the supply chain\nUnlimited working-group seats\n"
        "Invitations to policy roundtables\nTwo complimentary conference passes\nListing in the member directory",
    ),
    (
        "Leadership Council",
        "leadership-council",
        Decimal("25000.00"),
        "For companies shaping the association's agenda\nA seat on the Leadership Council\n"
        "Places on trade delegations\nSpeaking opportunities at conferences\nEverything in Corporate",
    ),
    (
        "Academic and Non-profit",
        "academic-non-profit",
        Decimal("500.00"),
        "For universities, research institutes and non-profits\nWorking-group participation\n"
        "Member rates for events",
    ),
]

PROTECT_SQL = """
CREATE OR REPLACE FUNCTION members_charteracceptance_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'charter acceptances are never edited or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER members_charteracceptance_immutable
    BEFORE UPDATE OR DELETE ON members_charteracceptance
    FOR EACH ROW EXECUTE FUNCTION members_charteracceptance_immutable();
"""
UNPROTECT_SQL = """
DROP TRIGGER IF EXISTS members_charteracceptance_immutable ON members_charteracceptance;
DROP FUNCTION IF EXISTS members_charteracceptance_immutable();
"""


def create_tiers(apps, schema_editor):
    Tier = apps.get_model("members", "MembershipTier")
    for position, (name, slug, dues, includes) in enumerate(TIERS, start=1):
        Tier.objects.get_or_create(
            slug=slug, defaults={"name": name, "annual_dues": dues, "includes": includes, "position": position}
        )


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PROTECT_SQL)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNPROTECT_SQL)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_organizations_memberships_charter")]

    operations = [
        migrations.RunPython(create_tiers, migrations.RunPython.noop),
        migrations.RunPython(protect, unprotect),
    ]
