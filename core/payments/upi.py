"""UPI payment requests as the `upi://pay` link of NPCI's UPI linking specification.

A QR code of this link lets a patient pay the clinic from any UPI app on their own phone, so the
desk needs no connection to take a UPI payment. Only the parameters a P2P/small-merchant request
needs are used: pa (payee address), pn (payee name), am (amount), cu (currency), tn (note) and
tr (reference). Values are percent-encoded with %20 for a space, never '+', which several UPI apps
show literally.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from core.errors import InvalidInput

# The same shape the clinic's settings accept for its UPI id (core.services.clinic.ClinicInput),
# so a stored id always makes a link.
_VPA = re.compile(r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$")
# NPCI refuses references with special characters; the specification caps them at 35.
_REFERENCE = re.compile(r"^[A-Za-z0-9]{1,35}$")
MAX_NOTE = 50  # apps cut a longer note, and the patient then sees half a sentence
MAX_NAME = 100
MAX_PAISE = 10_000_000 * 100  # one crore, the most a clinic bill can be (core.services.billing)


def rupees_text(amount_paise: int) -> str:
    """The `am` value: rupees with exactly two decimals, no grouping ("1250.50")."""
    return f"{amount_paise // 100}.{amount_paise % 100:02d}"


def valid_vpa(vpa: str | None) -> bool:
    return bool(vpa) and bool(_VPA.match(vpa.strip()))


def upi_payment_uri(vpa: str, payee_name: str, amount_paise: int, note: str | None = None, reference: str | None = None) -> str:
    """The `upi://pay?…` link asking for `amount_paise` to be paid to `vpa`."""
    problems: dict[str, str] = {}
    vpa = (vpa or "").strip()
    if not _VPA.match(vpa):
        problems["upi_id"] = (f"{vpa!r} is not a UPI id: it is a name, then @, then the bank's handle "
                              "(like clinicname@okhdfcbank), with only letters, digits, '.', '-' or '_' before the @")
    name = " ".join((payee_name or "").split())
    if not name:
        problems["payee_name"] = "the payee's name is missing; UPI apps show it to the patient before they pay"
    elif len(name) > MAX_NAME:
        problems["payee_name"] = f"the payee's name is longer than {MAX_NAME} characters"
    if isinstance(amount_paise, bool) or not isinstance(amount_paise, int):
        problems["amount"] = f"{amount_paise!r} is not an amount in paise (a whole number)"
    elif amount_paise <= 0:
        problems["amount"] = "a UPI payment request must be for more than ₹0"
    elif amount_paise > MAX_PAISE:
        problems["amount"] = f"₹{rupees_text(amount_paise)} is more than a clinic bill can be"
    note = " ".join(note.split()) if note else None
    if note and len(note) > MAX_NOTE:
        problems["note"] = f"the note is longer than {MAX_NOTE} characters; UPI apps cut it short"
    if reference is not None and not _REFERENCE.match(reference):
        problems["reference"] = f"{reference!r} is not a UPI reference: use 1 to 35 letters and digits, no spaces or symbols"
    if problems:
        raise InvalidInput(problems)

    params = [("pa", vpa), ("pn", name), ("am", rupees_text(amount_paise)), ("cu", "INR")]
    if note:
        params.append(("tn", note))
    if reference:
        params.append(("tr", reference))
    # '@' stays literal in pa: it is legal in a query, and some apps do not decode %40 there.
    return "upi://pay?" + "&".join(f"{key}={quote(value, safe='@' if key == 'pa' else '')}" for key, value in params)
