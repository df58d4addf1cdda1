"""Issued invoices are immutable, in the database too (PostgreSQL).

A trigger refuses an UPDATE that changes what an invoice says (number, dates,
amounts, addresses, lines) and any DELETE of an invoice or its lines. Only
what happened since may change: status, amounts paid and credited, the
settlement date, the dunning extension and the link to the term.
"""

from django.db import migrations

PROTECT_SQL = """
CREATE OR REPLACE FUNCTION billing_invoice_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'issued invoices are never deleted: issue a credit note';
    END IF;
    IF (NEW.number, NEW.year, NEW.sequence, NEW.organization_id, NEW.kind, NEW.tier_id, NEW.period_start,
        NEW.period_end, NEW.issued_on, NEW.due_on, NEW.currency, NEW.subtotal, NEW.discount_total, NEW.total,
        NEW.issuer_name, NEW.issuer_address, NEW.bill_to_name, NEW.bill_to_address, NEW.bill_to_contact,
        NEW.bill_to_email)
       IS DISTINCT FROM
       (OLD.number, OLD.year, OLD.sequence, OLD.organization_id, OLD.kind, OLD.tier_id, OLD.period_start,
        OLD.period_end, OLD.issued_on, OLD.due_on, OLD.currency, OLD.subtotal, OLD.discount_total, OLD.total,
        OLD.issuer_name, OLD.issuer_address, OLD.bill_to_name, OLD.bill_to_address, OLD.bill_to_contact,
        OLD.bill_to_email) THEN
        RAISE EXCEPTION 'issued invoices are never edited: issue a credit note';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoice_immutable
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();

CREATE OR REPLACE FUNCTION billing_invoiceline_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'invoice lines are never edited or deleted: issue a credit note';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoiceline_immutable
    BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_immutable();
"""
UNPROTECT_SQL = """
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_immutable();
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_immutable();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PROTECT_SQL)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNPROTECT_SQL)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(protect, unprotect)]
