"""Applications ask whether to list the organization in the public directory.

New applications start with the box ticked. Applications already on file were
never asked, so they must not list anyone on approval: for a new organization
they keep what approval always did (unlisted), and for one on file they keep
its current setting. Hence the column is added unticked, filled in, and only
then given its default for new rows.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def keep_what_approval_did(apps, schema_editor):
    Application = apps.get_model("members", "Application")
    Organization = apps.get_model("members", "Organization")
    Application.objects.filter(organization__isnull=False).update(
        public_listing=Subquery(Organization.objects.filter(pk=OuterRef("organization_id")).values("public_listing")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_organization_name_order_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="public_listing",
            field=models.BooleanField(default=False, verbose_name="listed in the public directory"),
        ),
        migrations.RunPython(keep_what_approval_did, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="application",
            name="public_listing",
            field=models.BooleanField(
                default=True,
                help_text="On approval, the organization is listed in the public member directory.",
                verbose_name="listed in the public directory",
            ),
        ),
    ]
