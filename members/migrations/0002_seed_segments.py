"""The ten supply-chain segments the association unites (its home page)."""

from django.db import migrations

SEGMENTS = [
    ("Exploration and mining", "exploration-and-mining", "Finding and extracting critical-mineral deposits."),
    ("Processing and refining", "processing-and-refining", "Turning ore and concentrate into battery-, magnet- and alloy-grade materials."),
    ("Recycling", "recycling", "Recovering critical minerals from end-of-life products and scrap."),
    ("Finance", "finance", "Investors, lenders and project finance for the supply chain."),
    ("Legal", "legal", "Counsel on permitting, trade, offtake and compliance."),
    ("Automotive", "automotive", "Vehicle and battery makers that consume critical minerals."),
    ("Technology", "technology", "Electronics, software and process technology."),
    ("Defense", "defense", "The defense industrial base and its suppliers."),
    ("Chemicals and manufacture", "chemicals-and-manufacture", "Chemical producers and manufacturers using critical-mineral inputs."),
    ("Consultancy", "consultancy", "Advisers, engineers and analysts serving the sector."),
]


def create_segments(apps, schema_editor):
    Segment = apps.get_model("members", "Segment")
    for position, (name, slug, description) in enumerate(SEGMENTS, start=1):
        Segment.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(create_segments, migrations.RunPython.noop)]
