"""Invoices and credit notes as PDF, with fpdf2 (pure Python: installs from PyPI alone).

The built-in Helvetica covers Latin-1 only; text outside it is folded to its
closest ASCII (é stays, "–" becomes "-", a CJK name becomes "?"), so no name
can break the document.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from fpdf import FPDF

from cma import formatting

from .models import CreditNote, Invoice, InvoiceLine

_REPLACEMENTS = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-"}


def _latin1(text: str) -> str:
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "".join(c if c.isprintable() else "?" for c in folded) or "?"


money = formatting.money


def _day(value) -> str:
    return formatting.day(value, long=True)


def _heading(pdf: FPDF, invoice: Invoice, title: str, facts: Sequence[tuple[str, str]], party: str) -> None:
    """The association's letterhead, the document's title and dates, and
    the member it is addressed to, as copied onto the invoice when issued."""
    pdf.set_title(_latin1(title))
    pdf.set_author(_latin1(invoice.issuer_name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin1(invoice.issuer_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _latin1(invoice.issuer_address), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in facts:
        pdf.cell(45, 6, label)
        pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, party, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    bill_to = "\n".join(
        part for part in (invoice.bill_to_name, invoice.bill_to_address, invoice.bill_to_contact) if part
    )
    pdf.multi_cell(0, 5, _latin1(bill_to), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def invoice_pdf(invoice: Invoice, lines: Sequence[InvoiceLine]) -> bytes:
    pdf = FPDF(format="Letter")
    _heading(
        pdf, invoice, f"Invoice {invoice.number}",
        [("Issued", _day(invoice.issued_on)), ("Due", _day(invoice.due_on)),
         ("Membership period", f"{_day(invoice.period_start)} to {_day(invoice.period_end)}")],
        "Bill to",
    )  # fmt: skip
    _lines_table(pdf, invoice, lines)
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0, 5,
        _latin1(f"Please quote {invoice.number} with your payment. Pay by check, wire or ACH to "
                f"{invoice.issuer_name}, or by card from the invoice's page on the portal where offered."),
    )  # fmt: skip
    return bytes(pdf.output())


def _lines_table(pdf: FPDF, invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(140, 7, "Description", border="B")
    pdf.cell(0, 7, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in lines:
        pdf.cell(140, 7, _latin1(line.description))
        pdf.cell(0, 7, money(line.amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(140, 8, "Total due", border="T")
    pdf.cell(0, 8, money(invoice.total), border="T", align="R", new_x="LMARGIN", new_y="NEXT")


def credit_note_pdf(note: CreditNote) -> bytes:
    """A credit note: which invoice it reduces, by how much and why,
    between the same two parties as the invoice."""
    invoice = note.invoice
    pdf = FPDF(format="Letter")
    _heading(
        pdf, invoice, f"Credit note {note.number}",
        [("Issued", _day(note.issued_on)),
         ("Credits invoice", f"{invoice.number} of {_day(invoice.issued_on)}"),
         ("Membership period", f"{_day(invoice.period_start)} to {_day(invoice.period_end)}")],
        "Credited to",
    )  # fmt: skip
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(140, 7, "Reason", border="B")
    pdf.cell(0, 7, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    # The reason may run to several lines: the amount sits beside its first,
    # and what follows starts below its last.
    top = pdf.get_y()
    pdf.multi_cell(140, 7, _latin1(note.reason), new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + 140, top)
    pdf.cell(0, 7, money(note.amount), align="R")
    pdf.set_y(bottom)
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(140, 8, f"Credited against {invoice.number}", border="T")
    pdf.cell(0, 8, money(note.amount), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0, 5,
        _latin1(f"This credit note reduces what is due on invoice {invoice.number}; it is not a refund of "
                f"money paid. Please quote {note.number} in any correspondence."),
    )  # fmt: skip
    return bytes(pdf.output())
