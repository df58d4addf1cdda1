"""Load the mineral reference as seeds/003 gives it (see minerals/reference.py)."""

from django.db import migrations


def load_reference(apps, schema_editor):
    from minerals.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("minerals", "0001_initial")]

    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
