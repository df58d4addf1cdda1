"""Bring the terms' dues marks in line with their invoices.

Before, billing marked a term's dues paid only when its invoice was paid;
an invoice cancelled in full by credit note, or issued at zero, left the
term "awaiting payment" on members' pages for ever. Billing now marks those
settled too (services._mark_term_settled); this does the same for invoices
settled earlier. It invents no payment and changes no invoice. Dues marked
paid by hand while their invoice is still open (the old membership-page
form) are left as they are: money needs a person to look at it.
"""

from django.db import migrations


def mark_settled(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    Dues = apps.get_model("members", "Dues")
    settled = Invoice.objects.filter(status__in=["paid", "credited"], term__isnull=False)
    for term_id, number, settled_on, issued_on in settled.values_list(
        "term_id", "number", "settled_on", "issued_on"
    ).iterator(chunk_size=500):
        Dues.objects.filter(term_id=term_id, paid_on__isnull=True).update(
            paid_on=settled_on or issued_on, note=f"Invoice {number} settled"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_protect_issued_invoices"),
        ("members", "0007_organization_billing_address"),
    ]

    operations = [migrations.RunPython(mark_settled, migrations.RunPython.noop)]
