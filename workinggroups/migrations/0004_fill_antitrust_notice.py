# Every group works under an antitrust notice: groups created with none get
# the association's standard one, stored, so every page showing it (group
# pages, event pages) has it.

from django.db import migrations

DEFAULT_ANTITRUST_NOTICE = (
    "CMA USA working groups follow the antitrust laws. Participants must not discuss or exchange "
    "information about prices, pricing plans, costs, margins, wages, bids, customers, suppliers or "
    "territories, or agree to boycott anyone. Discussions stay on policy, standards and public "
    "information. If a discussion strays, any participant should stop it and the chair will record it."
)


def fill(apps, schema_editor):
    WorkingGroup = apps.get_model("workinggroups", "WorkingGroup")
    WorkingGroup.objects.filter(antitrust_notice="").update(antitrust_notice=DEFAULT_ANTITRUST_NOTICE)


class Migration(migrations.Migration):
    dependencies = [("workinggroups", "0003_document_library")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
