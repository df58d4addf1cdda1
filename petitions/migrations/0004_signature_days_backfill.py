"""Count the signatures confirmed before the roll-up existed into it: one row
per petition and day (UTC) of confirmation, for signatures still confirmed."""

import datetime

from django.db import migrations
from django.db.models import Count
from django.db.models.functions import TruncDate


def backfill(apps, schema_editor):
    Signature = apps.get_model("petitions", "Signature")
    SignatureDay = apps.get_model("petitions", "SignatureDay")
    SignatureDay.objects.all().delete()
    rows = (
        Signature.objects.filter(status="confirmed")
        .annotate(day=TruncDate("confirmed_at", tzinfo=datetime.UTC))
        .values("petition_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    SignatureDay.objects.bulk_create(
        (SignatureDay(petition_id=r["petition_id"], day=r["day"], confirmed=r["n"]) for r in rows.iterator()),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_signature_days")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
