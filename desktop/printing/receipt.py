"""Billing prints: the patient's receipt (A5) and the day-end collection summary (A4), laid out by
Qt from HTML like the prescription, written as PDF (or PNG to look at).

A receipt with a balance due carries a UPI QR code for exactly that balance, so the patient can pay
from their own phone later, with nothing online at the desk.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from string import Template

from PySide6.QtCore import QUrl

from core.errors import InvalidInput
from core.payments.upi import MAX_NAME, upi_payment_uri, valid_vpa
from core.services.billing import rupees
from desktop.printing.prescription import A4_MM, LAYOUT_PX_PER_INCH, HtmlPrint, qr_image, template_text

A5_MM = (148.0, 210.0)
RECEIPT_MARGIN_MM = 10.0
QR_MM = 34.0
UPI_QR_URL = QUrl("nadi:upi-qr")


def _e(value) -> str:
    return html.escape(str(value)) if value not in (None, "") else ""


def age_sex(patient: dict) -> str:
    return " / ".join(p for p in (f"{patient['age']} y" if patient.get("age") is not None else "", patient.get("sex") or "") if p)


def receipt_upi_uri(context: dict) -> str | None:
    """The payment link for the receipt's balance, or None (nothing due, a voided bill, no usable UPI id)."""
    clinic = context["clinic"]
    if context["voided"] or context["due_paise"] <= 0 or not valid_vpa(clinic.get("upi_id")):
        return None
    number = context["receipt_number"]
    try:
        return upi_payment_uri(clinic["upi_id"], clinic["name"][:MAX_NAME], context["due_paise"],
                               note=f"Receipt {number}", reference=number.replace("-", ""))
    except InvalidInput:
        return None


def receipt_html(context: dict, template: str, css: str, upi_uri: str | None) -> str:
    clinic, patient = context["clinic"], context["patient"]
    rows = ['<table class="items" width="100%" cellspacing="0"><tr><th width="6%">#</th><th width="50%">Item</th>'
            '<th width="8%" align="right">Qty</th><th width="18%" align="right">Rate</th><th width="18%" align="right">Amount</th></tr>']
    for n, item in enumerate(context["items"], 1):
        rows.append(f'<tr><td>{n}</td><td>{_e(item["description"])}</td><td align="right">{item["quantity"]}</td>'
                    f'<td align="right">{rupees(item["unit_price_paise"])}</td><td align="right">{rupees(item["amount_paise"])}</td></tr>')
    rows.append("</table>")

    totals = [("Subtotal", context["subtotal_paise"], "")]
    if context["discount_paise"]:
        totals.append(("Discount", -context["discount_paise"], ""))
    totals.append(("Total", context["total_paise"], "grand"))
    totals.append(("Paid", context["paid_paise"], ""))
    if context["due_paise"]:
        totals.append(("Balance due", context["due_paise"], "due"))
    totals_html = ('<table class="totals" width="100%" cellspacing="0">'
                   + "".join(f'<tr><td width="50%"></td><td width="28%" class="{cls}">{label}</td><td width="22%" align="right" class="{cls}">{rupees(value)}</td></tr>'
                             for label, value, cls in totals)
                   + "</table>")

    if context["payments"]:
        lines = []
        for p in context["payments"]:
            ref = f" (ref {_e(p['reference'])})" if p.get("reference") else ""
            lines.append(f'<div class="pay-note">{_e(p["method_label"])} {rupees(p["amount_paise"])}{ref} — {p["received_at"]:%d %b %Y, %H:%M}</div>')
        payments = '<div class="section-heading">Payments received</div>' + "".join(lines)
    else:
        payments = '<div class="section-heading">Nothing paid yet</div>'

    upi = ""
    if upi_uri:
        qr_px = round(QR_MM / 25.4 * LAYOUT_PX_PER_INCH)
        upi = ('<table class="upi" width="100%" cellspacing="0" cellpadding="4" style="margin-top: 8px"><tr>'
               f'<td width="{qr_px + 12}"><img src="{UPI_QR_URL.toString()}" width="{qr_px}" height="{qr_px}"/></td>'
               f'<td valign="middle"><div class="section-heading">Pay the balance of {rupees(context["due_paise"])} by UPI</div>'
               f'<div class="pay-note">Scan with any UPI app (BHIM, Google Pay, PhonePe, Paytm, your bank\'s app).</div>'
               f'<div class="upi-id">To: {_e(clinic["name"])} · {_e(clinic["upi_id"])}</div></td></tr></table>')

    values = {
        "css": css,
        "void_banner": '<p class="void">VOIDED — NOT A VALID RECEIPT</p>' if context["voided"] else "",
        "clinic_name": _e(clinic["name"]),
        "clinic_address": _e(clinic["address"]),
        "clinic_contact": _e(f"Ph {clinic['phone']}" if clinic.get("phone") else ""),
        "receipt_number": _e(context["receipt_number"]),
        "date": f'{context["issued_at"]:%d %b %Y, %H:%M}',
        "patient_name": _e(patient["name"]),
        "patient_age_sex": _e(age_sex(patient)),
        "patient_mobile": _e(f"Mobile {patient['mobile']}" if patient.get("mobile") else ""),
        "items": "".join(rows),
        "totals": totals_html,
        "payments": payments,
        "upi": upi,
        "cashier_line": _e(f"Billed by {context['cashier']}" if context.get("cashier") else ""),
    }
    return Template(template).safe_substitute(values)


class ReceiptPrint(HtmlPrint):
    """A laid-out A5 receipt. `upi_uri` is what its QR code holds (None when there is no code)."""

    def __init__(self, context: dict, override_dir: Path | None = None):
        self.context = context
        self.upi_uri = receipt_upi_uri(context)
        body = receipt_html(context, template_text("receipt.html", override_dir), template_text("receipt.css", override_dir), self.upi_uri)
        super().__init__(body, A5_MM, RECEIPT_MARGIN_MM, images={UPI_QR_URL: qr_image(self.upi_uri)} if self.upi_uri else None,
                         title=f"Receipt {context['receipt_number']}")


def write_receipt(context: dict, directory: Path, override_dir: Path | None = None) -> Path:
    """Write the receipt as <directory>/receipt-<number>.pdf (a reprint replaces the earlier file)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"receipt-{context['receipt_number']}.pdf"
    ReceiptPrint(context, override_dir).write_pdf(path)
    return path


# --- day-end collection summary ---------------------------------------------------------------------


def day_end_html(summary: dict, css: str, printed_at: datetime | None = None) -> str:
    clinic = summary["clinic"]
    by_method = summary["collected_by_method"]
    figures = [
        ("Bills", str(summary["bills_count"])),
        ("Gross billed", rupees(summary["gross_paise"])),
        ("Discounts", rupees(summary["discount_paise"])),
        ("Net billed", rupees(summary["net_paise"])),
        ("Cash collected", rupees(by_method.get("cash", 0))),
        ("Card collected", rupees(by_method.get("card", 0))),
        ("UPI collected", rupees(by_method.get("upi", 0))),
        ("Total collected", rupees(summary["collected_paise"])),
        ("of which for earlier days' bills", rupees(summary["collected_for_earlier_bills_paise"])),
        ("Outstanding on this day's bills", rupees(summary["outstanding_paise"])),
    ]
    parts = [f"<html><head><style>{css}</style></head><body>",
             f'<div class="clinic-name">{_e(clinic["name"])}</div><div class="clinic-line">{_e(clinic["address"])}</div><hr/>',
             f'<div class="summary-heading">Day-end collection summary — {summary["day"]:%A %d %b %Y}</div>',
             '<table class="totals" width="60%" cellspacing="0">']
    parts += [f'<tr><td width="70%">{_e(label)}</td><td width="30%" align="right"><b>{value}</b></td></tr>' for label, value in figures]
    parts.append("</table>")
    if summary["by_cashier"]:
        parts.append('<div class="section-heading">Collected by</div><table class="items" width="100%" cellspacing="0">'
                     '<tr><th width="36%">Staff</th><th align="right">Cash</th><th align="right">Card</th><th align="right">UPI</th><th align="right">Total</th></tr>')
        for c in summary["by_cashier"]:
            m = c["by_method"]
            parts.append(f'<tr><td>{_e(c["name"])}</td><td align="right">{rupees(m.get("cash", 0))}</td><td align="right">{rupees(m.get("card", 0))}</td>'
                         f'<td align="right">{rupees(m.get("upi", 0))}</td><td align="right"><b>{rupees(c["collected_paise"])}</b></td></tr>')
        parts.append("</table>")
    parts.append('<div class="section-heading">Bills</div><table class="items" width="100%" cellspacing="0">'
                 '<tr><th width="15%">Receipt</th><th width="8%">Time</th><th width="29%">Patient</th><th width="13%" align="right">Total</th>'
                 '<th width="13%" align="right">Paid</th><th width="11%">&nbsp;Method</th><th width="11%">Status</th></tr>')
    for b in summary["bills"]:
        parts.append(f'<tr><td>{_e(b["receipt_number"])}</td><td>{_e(b["time"])}</td><td>{_e(b["patient_name"])}</td>'
                     f'<td align="right">{rupees(b["total_paise"])}</td><td align="right">{rupees(b["paid_paise"])}</td>'
                     f'<td>&nbsp;{_e(", ".join(b["methods"]))}</td><td>{_e(b["status"])}</td></tr>')
    if not summary["bills"]:
        parts.append('<tr><td colspan="7">No bills on this day.</td></tr>')
    parts.append("</table>")
    printed = f"Printed {printed_at:%d %b %Y, %H:%M}. " if printed_at else ""
    parts.append(f'<p class="footer">{printed}Collected: money received on this day, whatever day its bill was made. '
                 "Outstanding: what this day's bills still owed at the end of the day.</p>")
    if summary.get("audit_head"):
        # Written down on paper, the audit chain's head shows later whether the record was rewritten.
        parts.append(f'<p class="footer">Record check (audit chain head): <tt>{_e(summary["audit_head"])}</tt></p>')
    parts.append("</body></html>")
    return "".join(parts)


class DayEndPrint(HtmlPrint):
    def __init__(self, summary: dict, printed_at: datetime | None = None, override_dir: Path | None = None):
        self.summary = summary
        super().__init__(day_end_html(summary, template_text("receipt.css", override_dir), printed_at), A4_MM, 14.0,
                         title=f"Day-end summary {summary['day']:%Y-%m-%d}")


def write_day_end(summary: dict, directory: Path, printed_at: datetime | None = None, override_dir: Path | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"day-end-{summary['day']:%Y-%m-%d}.pdf"
    DayEndPrint(summary, printed_at, override_dir).write_pdf(path)
    return path
