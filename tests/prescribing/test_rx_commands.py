"""`nadi rx …` as people and our checks use it: real processes, real files."""

from __future__ import annotations

import json

import pytest
import zxingcpp
from PySide6.QtGui import QImage

from core.services import patients, prescriptions, visits
from tests.integration.test_commands import nadi


def test_expand_prints_one_structured_item(tmp_path):
    item = json.loads(nadi("rx", "expand", "Tab Augmentin 625 1-0-1 after food x 5 days", "--json").stdout)
    assert item["drug"] == {"generic": "Amoxicillin + Clavulanic acid", "brand": "Augmentin 625 Duo", "strength": "500 mg + 125 mg",
                            "form": "tab", "route": "oral"}
    assert item["frequency"]["per_day"] == 2 and item["quantity"] == {"value": 10, "unit": "tab"} and item["ambiguities"] == []


def test_expand_reads_lines_from_stdin_in_order_and_marks_unreadable_ones():
    import subprocess
    import sys

    lines = ["Dolo 650 TDS x 3d", "???", "Telma OD", "Methotrexate 7.5 mg daily", "Syp Ascoril LS 5 ml TDS x 5 days"]
    out = subprocess.run([sys.executable, "-m", "desktop", "rx", "expand", "-", "--json"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, timeout=120, check=True)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["input"] for r in rows] == lines
    assert "error" in rows[1] and "error" not in rows[0]
    assert [a["code"] for a in rows[2]["ambiguities"]] == ["strength_unspecified"]
    assert [w["code"] for w in rows[3]["warnings"]] == ["dangerous_pattern"]


def test_expand_of_an_unreadable_line_fails_with_the_reason():
    out = nadi("rx", "expand", "???", check=False)
    assert out.returncode == 2 and "could not read '???'" in out.stderr and "Traceback" not in out.stderr


@pytest.fixture
def signed_rx(db, team):
    patient = patients.register_patient(db, team.receptionist, {"full_name": "Gopal Rao", "gender": "male", "date_of_birth": "1971-05-05",
                                                                "mobile": "9000012345", "preferred_language": "Hindi"})
    encounter = visits.start_encounter(db, team.doctor, patient.id, team.doctor.staff_id)
    rx = prescriptions.prescribe(db, team.doctor, encounter.id, ["Tab Telma 40 OD x 30 days", "Tab Glycomet 500 BD PC x 30 days"])
    prescriptions.sign_prescription(db, team.doctor, rx.id)
    return rx.id


def test_print_then_scan_then_verify_from_the_command_line(db, signed_rx, settings, tmp_path):
    data_dir = str(settings.data_dir)
    out = nadi("rx", "print", signed_rx, "--out", str(tmp_path / "rx.pdf"), "--png", str(tmp_path / "rx.png"), "--data-dir", data_dir, "--json")
    assert json.loads(out.stdout)["pages"] == 1
    assert (tmp_path / "rx.pdf").read_bytes().startswith(b"%PDF")
    image = QImage(str(tmp_path / "rx.png")).convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = bytes(image.constBits())[: image.sizeInBytes()]
    codes = [r.text for r in zxingcpp.read_barcodes(zxingcpp.ImageView(pixels, image.width(), image.height(), zxingcpp.ImageFormat.Lum, image.bytesPerLine()))]
    assert len(codes) == 1

    good = nadi("rx", "verify", codes[0], "--data-dir", data_dir)
    assert good.stdout.startswith("VALID") and "Gopal Rao" in good.stdout and "Dr Anand Kulkarni" in good.stdout
    damaged = codes[0][:-12] + ("A" if codes[0][-12] != "A" else "B") + codes[0][-11:]
    bad = nadi("rx", "verify", damaged, "--data-dir", data_dir, check=False)
    assert bad.returncode == 1 and bad.stdout.startswith("NOT VALID")
    keys = json.loads(nadi("rx", "keys", "--json", "--data-dir", data_dir).stdout)
    assert [(k["doctor"], k["status"], k["private_key_on_this_pc"]) for k in keys] == [("Dr Anand Kulkarni", "active", True)]


def test_import_command_reports_what_it_did(db, team, settings, tmp_path):
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("brand,composition,strength,form,manufacturer\nNadiflam,Ibuprofen + Paracetamol,400 mg + 325 mg,tab,Pune Generics\n", encoding="utf-8")
    report = json.loads(nadi("rx", "import", str(csv_file), "--json", "--data-dir", str(settings.data_dir)).stdout)
    assert report == {"added": 1, "updated": 0, "unchanged": 0, "unknown_ingredients": {}}
    hits = json.loads(nadi("rx", "search", "nadiflam", "--json", "--data-dir", str(settings.data_dir)).stdout)
    assert hits[0]["name"] == "Nadiflam" and hits[0]["source"] == "clinic"


def test_bench_rx_prints_the_figures_it_promises():
    result = json.loads(nadi("bench", "rx", "--imported", "2000", "--rounds", "1", "--json").stdout)
    assert result["expand"]["p50_us"] > 0 and result["search"]["imported"] == 2000
    assert set(result["search"]["app_ms"]) == {"p50", "p95", "max"} and result["search"]["bare_ms"]["p50"] > 0
