"""The invoice as a PDF (ReportLab), rendered on demand; nothing is stored.

One A4 page for ordinary invoices (more when there are many lines): the site's name, the
invoice number and dates, the customer, the lines, the total, what has been paid and what is
due, and the status. Text uses ReportLab's built-in Helvetica, which covers Latin-1 only.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from saas.db.tenant import current_schema, current_tenant
from tenant_apps.payments.models import Invoice


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF bytes (``%PDF-...``) of ``invoice`` as it stands now, in the current tenant's name."""
    site_name = getattr(current_tenant(), "name", None) or current_schema()
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["Normal"]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Invoice {invoice.number}",
        author=str(site_name),
    )
    customer = invoice.customer
    currency = invoice.currency

    def text(value: object, style: object = body) -> Paragraph:
        return Paragraph(escape(str(value)), style)  # type: ignore[arg-type]

    story: list[object] = [
        text(site_name, styles["Title"]),
        text(f"Invoice {invoice.number}", styles["Heading2"]),
        Table(
            [
                ["Issued", invoice.issued_at.date().isoformat()],
                ["Due", invoice.due_date.isoformat()],
                ["Status", invoice.get_status_display()],
                ["Billed to", text(customer.get_full_name() or customer.email, small)],
                ["", text(customer.email, small)],
            ],
            colWidths=[30 * mm, 120 * mm],
            hAlign="LEFT",
            style=TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("VALIGN", (0, 0), (-1, -1), "TOP")]),
        ),
        Spacer(1, 8 * mm),
    ]

    rows: list[list[object]] = [["Description", "Quantity", "Unit price", "Amount"]]
    for line in invoice.lines.all():
        rows.append(
            [
                text(line.description, small),
                _quantity(line.quantity),
                _money(line.unit_price, currency),
                _money(line.amount, currency),
            ]
        )
    due = invoice.total - invoice.amount_paid if invoice.cancelled_at is None else Decimal("0.00")
    totals_from = len(rows)
    rows += [
        ["", "", "Total", _money(invoice.total, currency)],
        ["", "", "Paid", _money(invoice.amount_paid, currency)],
        ["", "", "Due", _money(due, currency)],
    ]
    story.append(
        Table(
            rows,
            colWidths=[84 * mm, 22 * mm, 34 * mm, 34 * mm],
            repeatRows=1,
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                    ("LINEABOVE", (2, totals_from), (-1, totals_from), 0.75, colors.black),
                    ("FONTNAME", (2, totals_from), (-1, -1), "Helvetica-Bold"),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
    )
    if invoice.cancelled_at is not None:
        story += [
            Spacer(1, 6 * mm),
            text(f"Cancelled on {invoice.cancelled_at.date().isoformat()}. {invoice.cancel_reason}".strip()),
        ]
    if invoice.note:
        story += [Spacer(1, 6 * mm), text(invoice.note)]
    document.build(story)  # type: ignore[arg-type]
    return buffer.getvalue()
