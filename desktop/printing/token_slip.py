"""The queue token slip: the token number big enough to read across a waiting room, on an 80 mm
thermal roll (72 mm printable), one page exactly as tall as its content so the printer feeds no
blank paper."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template

from desktop.printing.prescription import HtmlPrint, template_text

ROLL_WIDTH_MM = 80.0
ROLL_MARGIN_MM = 4.0  # thermal heads do not print the outer 4 mm of an 80 mm roll


@dataclass(frozen=True)
class TokenSlip:
    clinic_name: str
    token: int
    patient_name: str
    doctor_name: str | None
    at: datetime  # aware; printed in the clinic's time zone as given


def _e(value) -> str:
    return html.escape(str(value)) if value not in (None, "") else ""


def token_slip_html(slip: TokenSlip, template: str) -> str:
    return Template(template).safe_substitute({
        "clinic_name": _e(slip.clinic_name),
        "token": _e(slip.token),
        "patient_name": _e(slip.patient_name),
        "doctor_name": _e(slip.doctor_name),
        "time": f"{slip.at:%d %b %Y, %H:%M}",
    })


class TokenSlipPrint(HtmlPrint):
    def __init__(self, slip: TokenSlip, override_dir: Path | None = None):
        self.slip = slip
        super().__init__(token_slip_html(slip, template_text("token_slip.html", override_dir)), (ROLL_WIDTH_MM, None), ROLL_MARGIN_MM,
                         title=f"Token {slip.token}")


def write_token_slip(slip: TokenSlip, path: Path, override_dir: Path | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    TokenSlipPrint(slip, override_dir).write_pdf(path, dpi=203)  # 203 dpi: the usual thermal head
    return path
