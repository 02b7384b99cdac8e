"""`nadi selftest`: does this installation work on this PC, end to end, without a screen?

Clinic IT runs it after installing or upgrading, and CI runs it on the packaged executable. Each
check is {"name", "ok", "detail"}:

- database: creates the encrypted database when the directory has none (the recovery key goes to
  stderr, as with `nadi demo`), or opens it; either way migrations run. The detail names the schema.
- record: registers a patient through the services, reads it back and finds it by search.
- fhir: writes and signs a prescription for that patient and builds its FHIR document Bundle.
- qt: starts Qt (offscreen when the PC has no display) and paints a widget.
- pdf: prints that prescription to PDF with its instructions in Hindi, and checks the Devanagari
  font travels inside the file.
- ollama, speech, hub ("info": true): whether the AI scribe's model server answers, which speech
  engine is set up (and whether its files are there), and whether this PC's hub answers.
  Information only: a clinic works without any of them, so they never fail the run.

Nothing it writes stays. The people, patient and prescription it makes live in one write
transaction that is rolled back (so on a live clinic nothing is left behind and nothing syncs), and
the check then looks for them and must not find them. The write lock is held only while they exist,
about a second; a desk saving meanwhile waits for it rather than failing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from core import __version__
from core.errors import NadiError

PROBE_TIMEOUT_S = 2.0  # for Ollama and the hub: a machine that does not answer in 2 s is "not answering"
DEVANAGARI = range(0x0900, 0x0980)
TEST_LINE = "Tab Dolo 650 1-0-1 x 3 days after food"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    info: bool = False

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail} | ({"info": True} if self.info else {})


@dataclass
class TestPrescription:
    """What the rolled-back transaction leaves for the checks after it: the signed prescription's
    document, QR payload and print context (plain data, so it outlives the rollback)."""

    document: dict
    payload: str
    context: dict


@dataclass
class Footprint:
    """Ids of everything the selftest wrote, to prove afterwards that none of it stayed."""

    patient_id: str | None = None
    row_ids: list[str] = field(default_factory=list)


def _why(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, NadiError) else f"{type(exc).__name__}: {exc}"


# -- the rolled-back transaction ---------------------------------------------------------------


@contextmanager
def rolled_back(db) -> Iterator:
    """A Database whose every service call runs inside one write transaction (BEGIN IMMEDIATE) that
    is rolled back when the block ends, however it ends. Each service call gets a savepoint of its
    own, so a service that fails still undoes only its own work, as it would on the real database."""
    from sqlalchemy.orm import sessionmaker  # noqa: PLC0415

    from core.storage.database import Database, ReadSession, RecordSession  # noqa: PLC0415

    class Scratch(Database):
        def __init__(self, connection) -> None:
            super().__init__(db.settings, db.engine, db.node_id, db.clock)
            # Database.write() and read() open their sessions from these two: bound to the one
            # connection, each session's transaction is a savepoint inside the outer one.
            self._writer = sessionmaker(bind=connection, class_=RecordSession, expire_on_commit=False, join_transaction_mode="create_savepoint")
            self._reader = sessionmaker(bind=connection, class_=ReadSession, expire_on_commit=False, join_transaction_mode="create_savepoint")

    with db.engine.connect() as connection:
        connection.execution_options(nadi_begin="IMMEDIATE")
        outer = connection.begin()
        try:
            yield Scratch(connection)
        finally:
            outer.rollback()


# -- the checks --------------------------------------------------------------------------------


def check_database(data_dir: str | None) -> tuple[Check, object | None, object | None]:
    """Open (or create) and migrate the database. Returns the check, the settings and the database."""
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage.database import database_exists, open_database  # noqa: PLC0415
    from core.storage.migrate import current_revision, head_revision  # noqa: PLC0415

    try:
        settings = load_settings(data_dir)
    except NadiError as exc:
        return Check("database", False, f"the settings could not be read: {exc}"), None, None
    existed = database_exists(settings)
    try:
        db, new_key = open_database(settings, create=True)
    except Exception as exc:  # noqa: BLE001 - whatever stops the database opening is the check's answer
        return Check("database", False, _why(exc)), settings, None
    if new_key:
        print(f"New encrypted database in {settings.data_dir}.", file=sys.stderr)
        print(f"Recovery key (shown once; keep it safe, it is the only way onto a new PC): {new_key.recovery_key}", file=sys.stderr)
    revision, newest = current_revision(db.engine), head_revision()
    how = "opened the encrypted database" if existed else "created a new encrypted database (none was there)"
    detail = f"{how} in {settings.data_dir}; schema at revision {revision}"
    if revision != newest:
        return Check("database", False, f"{detail}, but this build's newest is {newest}"), settings, db
    return Check("database", True, detail + " (this build's newest)"), settings, db


def _people(scratch):
    """Someone to register the patient as, and a doctor to prescribe: made for the test (the
    clinic too, on a new database) inside the rolled-back transaction."""
    from core.services.clinic import add_staff, current_clinic, setup_clinic  # noqa: PLC0415
    from core.storage.database import Actor  # noqa: PLC0415

    made = []
    if current_clinic(scratch) is None:
        clinic, admin = setup_clinic(scratch, {"name": "Nadi selftest clinic"}, {"full_name": "Selftest Admin", "role": "admin"})
        made += [clinic.id, admin.id]
    selftest = Actor(None, "nadi selftest")
    doctor = add_staff(scratch, selftest, {"full_name": "Selftest Doctor", "role": "doctor", "qualification": "MBBS",
                                           "registration_council": "Selftest Medical Council", "registration_number": "SELFTEST-0001"})
    made.append(doctor.id)
    return selftest, Actor(doctor.id, doctor.full_name, "doctor"), made


def _write_and_read_patient(scratch, actor, footprint: Footprint) -> str:
    from core.search.query import search_patients  # noqa: PLC0415
    from core.services import patients  # noqa: PLC0415

    patient = patients.register_patient(scratch, actor, {"full_name": "Selftest Kamla Devi", "gender": "female", "age_years": 58,
                                                         "mobile": "9876501234", "preferred_language": "Hindi"})
    footprint.patient_id = patient.id
    footprint.row_ids.append(patient.id)
    record = patients.open_patient_record(scratch, actor, patient.id, purpose="selftest")
    if (record.patient.full_name, record.patient.mobile) != ("Selftest Kamla Devi", "9876501234"):
        raise NadiError(f"the patient read back is not the one written: {record.patient.full_name!r}, {record.patient.mobile!r}")
    with scratch.read() as session:
        hits = search_patients(session.connection(), "selftest kamla", limit=50)
    if patient.id not in {hit.id for hit in hits}:
        raise NadiError("the patient was written but search does not find them (the search index is not kept up to date)")
    return patient.id


def _write_prescription(scratch, doctor, patient_id: str, footprint: Footprint):
    from core.services import prescriptions, visits  # noqa: PLC0415

    encounter = visits.start_encounter(scratch, doctor, patient_id, doctor.staff_id, note={"advice": "Plenty of fluids"})
    rx = prescriptions.prescribe(scratch, doctor, encounter.id, [TEST_LINE])
    footprint.row_ids += [encounter.id, rx.id]
    prescriptions.sign_prescription(scratch, doctor, rx.id)
    signed = prescriptions.prescription_code(scratch, rx.id)
    return rx.id, TestPrescription(signed.document, signed.payload, prescriptions.print_context(scratch, rx.id))


def check_fhir(scratch, actor, prescription_id: str) -> Check:
    try:
        from core.fhir.documents import prescription_document  # noqa: PLC0415
    except ImportError as exc:
        return Check("fhir", False, f"this build has no FHIR document builder (core.fhir.documents.prescription_document): {exc}")
    # A write session: whatever the builder does, it is rolled back with the rest.
    with scratch.write(actor) as session:
        bundle = prescription_document(session, prescription_id)
    json.dumps(bundle)  # what is sent must be JSON as it stands
    kinds = [entry.get("resource", {}).get("resourceType") for entry in bundle.get("entry", [])]
    if bundle.get("resourceType") != "Bundle" or "MedicationRequest" not in kinds:
        return Check("fhir", False, f"the prescription's FHIR document is not a Bundle with a MedicationRequest "
                                    f"(resourceType {bundle.get('resourceType')!r}, entries {kinds})")
    return Check("fhir", True, f"built a FHIR {bundle.get('type', '')} Bundle for the test prescription: {len(kinds)} resources ({', '.join(sorted(set(kinds)))})")


def _left_behind(db, footprint: Footprint) -> list[str]:
    """What of the selftest's writing is still in the database after the rollback (nothing, when
    all is well). Looks for its own rows by id, so other desks writing meanwhile do not matter."""
    from sqlalchemy import func, select  # noqa: PLC0415

    from core.storage.models import AuditEvent, Change, Patient  # noqa: PLC0415

    found = []
    with db.read() as session:
        if footprint.patient_id and session.get(Patient, footprint.patient_id) is not None:
            found.append("the patient")
        if footprint.row_ids:
            changes = session.scalar(select(func.count()).select_from(Change).where(Change.row_id.in_(footprint.row_ids)))
            if changes:
                found.append(f"{changes} change record(s) waiting to sync")
        if footprint.patient_id:
            events = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.patient_id == footprint.patient_id))
            if events:
                found.append(f"{events} audit event(s)")
    return found


def check_record_and_fhir(db) -> tuple[list[Check], TestPrescription | None]:
    """The record, prescription and FHIR checks, all in one transaction that is rolled back."""
    footprint = Footprint()
    stage, read_back, fhir, made = "setting up the test people", None, None, None
    try:
        with rolled_back(db) as scratch:
            actor, doctor, people = _people(scratch)
            footprint.row_ids += people
            stage = "registering a patient and reading them back"
            _write_and_read_patient(scratch, actor, footprint)
            read_back = "registered a patient, read them back and found them by search"
            stage = "writing and signing a prescription"
            prescription_id, made = _write_prescription(scratch, doctor, footprint.patient_id, footprint)
            stage = "building the FHIR document"
            fhir = check_fhir(scratch, doctor, prescription_id)
    except Exception as exc:  # noqa: BLE001 - reported as the failing check, with the stage it failed in
        failure = f"{stage} failed: {_why(exc)}"
    else:
        failure = None
    try:
        left = _left_behind(db, footprint)
    except Exception as exc:  # noqa: BLE001
        left = [f"(could not look: {_why(exc)})"]
    if read_back is None:
        record = Check("record", False, failure or "did not run")
    elif left:
        record = Check("record", False, f"{read_back}, but after the rollback the database still holds {', '.join(left)}")
    else:
        record = Check("record", True, f"{read_back}, in a transaction that was rolled back; nothing of it stayed")
    if fhir is None:
        fhir = Check("fhir", False, failure if read_back else "not run: writing the test record failed")
    return [record, fhir], made


def _choose_platform() -> str:
    """The Qt platform the check starts on: the one asked for, else offscreen when this PC has no
    display (set for the process, as `nadi bench startup` does for its children), else Qt's own."""
    asked = os.environ.get("QT_QPA_PLATFORM")
    if asked:
        return asked.split(";")[0].split(":")[0]
    if sys.platform.startswith("linux"):
        if os.environ.get("DISPLAY"):
            return "xcb"
        if not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            return "offscreen"
    return ""


def _platform_plugin_problem(name: str) -> str | None:
    """Why Qt's plugin for `name` would not load, or None. Qt aborts the process when its platform
    plugin fails (a missing libxcb-… on a slimmed-down Linux), so it is tried first: the linker's
    message names the missing library. Linux only, where that happens."""
    if not name or not sys.platform.startswith("linux"):
        return None
    import ctypes  # noqa: PLC0415

    from PySide6.QtCore import QLibraryInfo  # noqa: PLC0415

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    plugin = folder / f"libq{name}.so"
    if not plugin.exists():
        return f"this build has no Qt platform plugin {name!r} (looked for {plugin})"
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        # Frozen, PyInstaller wraps the loader's error in a guess of its own; the loader's names the library.
        return f"Qt's {name} platform plugin cannot load: {exc.__cause__ or exc}"
    if name == "xcb":
        return _x_display_problem()
    return None


def _x_display_problem() -> str | None:
    """Why the X display in DISPLAY cannot be reached, or None (Qt aborts on that too)."""
    import ctypes  # noqa: PLC0415

    try:
        xcb = ctypes.CDLL("libxcb.so.1")  # loaded already, with Qt's xcb plugin
    except OSError as exc:
        return f"the X client library cannot load: {exc.__cause__ or exc}"
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(None, None)  # None: the display DISPLAY names, as Qt reads it
    failed = xcb.xcb_connection_has_error(connection)
    xcb.xcb_disconnect(connection)
    if failed:
        return f"cannot connect to the X display DISPLAY={os.environ.get('DISPLAY', '')!r} (is the desktop session running, and is it yours?)"
    return None


def check_qt() -> tuple[Check, bool]:
    """Start Qt and paint a widget. Returns the check and whether a Qt application now exists (if
    the display's platform cannot load, one is started offscreen so the PDF can still be checked)."""
    name = _choose_platform()
    problem = _platform_plugin_problem(name)
    if problem:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from PySide6 import __version__ as pyside_version  # noqa: PLC0415
        from PySide6.QtCore import QLoggingCategory  # noqa: PLC0415
        from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget  # noqa: PLC0415

        QLoggingCategory.setFilterRules("qt.text.font.db=false")  # as desktop.qt does: the Devanagari fallback is intended
        app = QApplication.instance() or QApplication(["nadi"])
    except Exception as exc:  # noqa: BLE001
        return Check("qt", False, f"Qt did not start: {_why(exc)}"), False
    if problem:
        return Check("qt", False, problem), True
    widget = QWidget()  # owned by Python: gone when this returns
    layout = QVBoxLayout(widget)
    layout.addWidget(QLabel("Nadi selftest"))
    layout.addWidget(QLineEdit("Kamla Devi"))
    widget.resize(360, 120)
    image = widget.grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)} if not image.isNull() else set()
    if image.isNull() or len(colours) < 2:
        return Check("qt", False, f"Qt started on {app.platformName()} but painted a blank widget"), True
    return Check("qt", True, f"Qt {pyside_version} started on the {app.platformName()} platform and painted a {image.width()}x{image.height()} widget"), True


def _devanagari_glyphs(printed) -> tuple[int, int]:
    """(Devanagari glyphs laid out with a Devanagari font, of which missing ones: boxes)."""
    laid_out = missing = 0
    block = printed.text.begin()
    while block.isValid():
        if any(ord(ch) in DEVANAGARI for ch in block.text()):
            layout = block.layout()
            for line in range(layout.lineCount()):
                for run in layout.lineAt(line).glyphRuns():
                    if "Devanagari" in run.rawFont().familyName():
                        glyphs = run.glyphIndexes()
                        laid_out += len(glyphs)
                        missing += glyphs.count(0)
        block = block.next()
    return laid_out, missing


def check_pdf(made: TestPrescription) -> Check:
    from desktop.printing.prescription import Layout, PrescriptionPrint  # noqa: PLC0415

    printed = PrescriptionPrint(made.document, made.payload, Layout.load(None), "Hindi", context=made.context)
    with tempfile.TemporaryDirectory(prefix="nadi-selftest-") as tmp:
        path = Path(tmp) / "prescription.pdf"
        pages = printed.write_pdf(path)
        body = path.read_bytes()
    laid_out, missing = _devanagari_glyphs(printed)
    if not body.startswith(b"%PDF") or pages < 1:
        return Check("pdf", False, f"the prescription did not print to a PDF ({len(body)} bytes, {pages} pages)")
    if b"NotoSansDevanagari" not in body:
        return Check("pdf", False, "the PDF was written without the Devanagari font inside it: Hindi would print as boxes on other PCs")
    if not laid_out or missing:
        return Check("pdf", False, f"the Hindi instructions did not lay out with real glyphs ({laid_out} laid out, {missing} missing)")
    return Check("pdf", True, f"printed the test prescription with Hindi instructions: {pages} page, {len(body):,} bytes, "
                              f"Noto Sans Devanagari embedded, {laid_out} Devanagari glyphs, none missing")


def _get(url: str) -> tuple[int, dict | None]:
    import httpx  # noqa: PLC0415

    response = httpx.get(url, timeout=PROBE_TIMEOUT_S)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def info_ollama(settings) -> Check:
    if settings is None:
        return Check("ollama", True, "not checked: the settings could not be read", info=True)
    try:
        from core.scribe.config import ollama_address  # noqa: PLC0415

        url, said_by = ollama_address(settings, os.environ)
    except Exception as exc:  # noqa: BLE001 - a bad address setting is reported, and is no failure of the installation
        return Check("ollama", True, f"not checked: where Ollama answers could not be worked out ({_why(exc)})", info=True)
    try:
        status, body = _get(f"{url}/api/version")
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the answer
        return Check("ollama", True, f"no answer from Ollama at {url} ({said_by}) within {PROBE_TIMEOUT_S:g} s ({type(exc).__name__}); "
                                     "the AI scribe needs it, everything else works without it", info=True)
    if status == 200 and isinstance(body, dict) and body.get("version"):
        return Check("ollama", True, f"Ollama {body['version']} answers at {url} ({said_by})", info=True)
    return Check("ollama", True, f"something answers at {url} ({said_by}) but not as Ollama does (status {status})", info=True)


def info_speech(settings) -> Check:
    if settings is None:
        return Check("speech", True, "not checked: the settings could not be read", info=True)
    from core.scribe.speech import available_transcriber  # noqa: PLC0415

    try:
        engine = available_transcriber(settings)
    except NadiError as exc:
        return Check("speech", True, f"set up wrongly: {exc}; the scribe works from typed text meanwhile", info=True)
    if engine is None:
        return Check("speech", True, "no speech engine set up (speech_model): the scribe works from typed or pasted text", info=True)
    return Check("speech", True, f"{engine.name} transcribes recordings on this PC", info=True)


def info_hub(db) -> Check:
    if db is None:
        return Check("hub", True, "not checked: the database did not open", info=True)
    import httpx  # noqa: PLC0415

    from sync.agent.hub_client import HubClient  # noqa: PLC0415
    from sync.agent.state import sync_status  # noqa: PLC0415

    try:
        status = sync_status(db)
    except Exception as exc:  # noqa: BLE001
        return Check("hub", True, f"not checked: this PC's sync state could not be read ({_why(exc)})", info=True)
    if not status.enrolled:
        return Check("hub", True, "this PC has not joined a hub: it works on its own (`nadi sync enroll` joins one)", info=True)
    try:
        with HubClient(status.hub_url, timeout=httpx.Timeout(PROBE_TIMEOUT_S)) as hub:
            health = hub.call("GET", "/v1/health")
    except Exception as exc:  # noqa: BLE001 - no answer, for whatever reason, is the answer
        return Check("hub", True, f"enrolled with {status.hub_url}, which does not answer now ({_why(exc)}); "
                                  f"the PC keeps working and syncs when it can ({status.pending_changes} changes waiting)", info=True)
    protocol = health.get("protocol") if isinstance(health, dict) else None
    return Check("hub", True, f"enrolled with {status.hub_url}, which answers (protocol {protocol}); {status.pending_changes} changes waiting", info=True)


def run_selftest(data_dir: str | None) -> dict:
    checks: list[Check] = []
    database, settings, db = check_database(data_dir)
    checks.append(database)
    made = None
    try:
        if db is not None:
            found, made = check_record_and_fhir(db)
            checks += found
        else:
            checks += [Check("record", False, "not run: the database did not open"), Check("fhir", False, "not run: the database did not open")]
        qt, qt_running = check_qt()
        checks.append(qt)
        if made is None:
            checks.append(Check("pdf", False, "not run: there is no test prescription to print (see the checks above)"))
        elif not qt_running:
            checks.append(Check("pdf", False, "not run: printing needs Qt, which did not start"))
        else:
            checks.append(_guarded("pdf", lambda: check_pdf(made)))
        checks.append(info_ollama(settings))
        checks.append(info_speech(settings))
        checks.append(info_hub(db))
    finally:
        if db is not None:
            db.close()
    return {
        "ok": all(check.ok for check in checks if not check.info),
        "version": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "data_dir": str(settings.data_dir) if settings is not None else None,
        "checks": [check.as_dict() for check in checks],
    }


def _guarded(name: str, run: Callable[[], Check]) -> Check:
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is this check's answer, not a traceback
        return Check(name, False, _why(exc))


def _text(result: dict) -> str:
    def mark(check: dict) -> str:
        return "info" if check.get("info") else ("ok" if check["ok"] else "FAIL")

    return "\n".join(f"{mark(c):<5} {c['name']:<9} {c['detail']}" for c in result["checks"])


def cmd_selftest(args) -> int:
    result = run_selftest(getattr(args, "data_dir", None))
    print(json.dumps(result, ensure_ascii=False) if args.json else _text(result))
    return 0 if result["ok"] else 1


def register(subparsers, data_dir_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add `nadi selftest` to the `nadi` subcommands."""
    help_text = "check this installation end to end (database, record, FHIR, Qt, PDF; Ollama and hub as information)"
    p = subparsers.add_parser("selftest", help=help_text, description=help_text)
    data_dir_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_selftest)
