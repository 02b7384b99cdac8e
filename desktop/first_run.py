"""The first start on a new PC: how its clinic database comes to be.

An empty data directory opens a wizard with three ways in:

- **a new clinic**: its details, the first admin and their PIN, then the new database's recovery
  key, shown once;
- **joining a clinic that already uses a hub**: the hub's address and an enrolment token; the PC
  enrols (sync.agent.enrol, as `nadi sync enroll` does) and its first sync brings the clinic's
  people and records down, then this PC's recovery key is shown once;
- **restoring a backup file** (core.backup.restore), with the clinic's recovery key when this PC
  does not hold the backup's key.

Whichever the way, the database is made in `.nadi-setup` inside the data directory and moved into
place only once it is complete: the clinic written, or the PC joined and its records fetched, or
the backup restored and opened. Until then there is no `nadi.db`, so a cancelled wizard, a refused
token, a wrong key or a power cut leaves nothing that stands in the way of trying again: the next
attempt clears what the last one left. Everything that touches the disk or the network runs on the
write lane (desktop.tasks); the UI thread only shows what is happening.

A data directory whose database exists but holds no clinic yet (`nadi sync enroll` for a clinic
whose hub was still empty, or a set-up an older Nadi left half-done) opens on the clinic and admin
pages only, and they write into that database.
"""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from core.errors import InvalidInput, NadiError
from core.services.clinic import StaffInput, check_clinic_details, setup_clinic
from core.services.price_list import add_starter_price_list
from core.services.staff_access import check_secret, set_credential
from core.settings import SETTINGS_FILE, Settings
from core.storage import keys
from core.storage.database import Actor, Database, open_database
from core.storage.first_look import DB_FILE
from core.validation import parse
from desktop.admin import CLINIC_FIELDS
from desktop.tasks import Tasks
from desktop.widgets.feedback import error_label, mark_invalid, say

CHECKBOX_TEXT = "I have written down the recovery key and will keep it safe"
STAGING = ".nadi-setup"
# The database ids whose keys this set-up made, so that clearing it deletes those keys and never a
# key this PC already held (a restore may store the key of a database that also lives elsewhere).
MADE_KEYS = "made-keys.txt"
SETUP_ACTOR = Actor(None, "clinic IT (first-run set-up)", "admin")
PROGRESS_MS = 400  # how often the count of records fetched is read while a first sync runs
LOOK_AFTER_MS = 500  # a pause in typing a backup file's path before the file is read

START, CLINIC, ADMIN, JOIN, RESTORE, KEY = range(6)
NEW, JOINING, RESTORING = "new", "join", "restore"


# --- the database being set up (no Qt; every method touches the disk, so call it on a worker) -----


@dataclass
class StagedDatabase:
    db: Database | None
    recovery_key: str | None
    joined_with: tuple[str, str] | None = None  # (hub address, token) it enrolled with
    joined: object | None = None  # sync.agent.enrol.Enrolled


class Staging:
    """The database being set up, kept in `<data dir>/.nadi-setup` until it is complete."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.data_dir / STAGING
        self.staged_settings = settings.model_copy(update={"data_dir": self.folder})

    def create(self) -> StagedDatabase:
        """A new, empty, migrated database with its own key (and recovery key) in the staging folder."""
        self.clear()
        self.folder.mkdir(parents=True)
        db, new_key = open_database(self.staged_settings, create=True)
        if new_key is None:  # NADI_DB_KEY gives the key: there is no key slot, so no recovery key either
            return StagedDatabase(db, None)
        with open(self.folder / MADE_KEYS, "a", encoding="ascii") as fh:
            fh.write(new_key.database_id + "\n")
        return StagedDatabase(db, new_key.recovery_key)

    def clear(self) -> None:
        """Remove whatever an earlier attempt left here, and the keys it made (only those)."""
        if not self.folder.exists():
            return
        made = self.folder / MADE_KEYS
        ids = made.read_text(encoding="ascii").split() if made.exists() else []
        shutil.rmtree(self.folder)
        for database_id in ids:
            keys.forget_key(self.settings, database_id)  # only keys it made, for databases never moved in

    def discard(self, staged: StagedDatabase) -> None:
        if staged.db is not None:
            staged.db.close()
            staged.db = None
        self.clear()

    def move_in(self, staged: StagedDatabase | None) -> Database:
        """Move the finished database into the data directory (the database file last, so a cut in
        between leaves no `nadi.db`), then open it there. Safe to call again after a failure."""
        target = self.settings.data_dir
        if staged is not None and staged.db is not None:
            staged.db.close()
            staged.db = None
        if (self.folder / DB_FILE).exists():
            if (target / DB_FILE).exists():
                raise NadiError(f"{target} already holds a clinic database (made while this set-up was open?); close Nadi and open it again")
            # From here on the key is in use: nothing may take it for the leftover of a failed attempt.
            (self.folder / MADE_KEYS).unlink(missing_ok=True)
            _move_contents(self.folder, target)
        shutil.rmtree(self.folder, ignore_errors=True)
        db, _ = open_database(self.settings)
        return db


def _move_contents(source: Path, target: Path) -> None:
    names = sorted((p.name for p in source.iterdir() if p.name != MADE_KEYS), key=lambda name: name == DB_FILE)
    for name in names:
        src, dst = source / name, target / name
        if src.is_dir():
            dst.mkdir(exist_ok=True)
            _move_contents(src, dst)
        elif name == SETTINGS_FILE and dst.exists():
            continue  # the settings already on this PC win over a backup's
        else:
            os.replace(src, dst)


@dataclass(frozen=True)
class ClinicFacts:
    name: str | None
    people: int
    patients: int


def clinic_facts(db: Database) -> ClinicFacts:
    from core.stats import record_counts  # noqa: PLC0415
    from desktop.app import clinic_name  # noqa: PLC0415

    counts = record_counts(db)
    return ClinicFacts(clinic_name(db), counts["staff"], counts["patients"])


def create_clinic(db: Database, clinic: dict, admin: dict, secret: str, kind: str, made: dict) -> Actor:
    """The clinic, its admin with their PIN, and the starter price list. Run on a worker thread.

    `made` remembers the admin once the clinic is written, so a second try after a failure in the
    later steps finishes them instead of refusing because the clinic already exists."""
    if "admin" not in made:
        _, staff = setup_clinic(db, clinic, admin)
        made["admin"] = Actor(staff.id, staff.full_name, "admin")
    actor = made["admin"]
    set_credential(db, actor, actor.staff_id, secret, kind)
    add_starter_price_list(db, actor)
    return actor


def first_round(db: Database):
    """The joined PC's first sync, which brings the clinic down; then what it holds."""
    from sync.agent.run import sync_once  # noqa: PLC0415

    report = sync_once(db)
    return report, clinic_facts(db)


def records_fetched(db: Database) -> int:
    """How far the first pull has come: the hub numbers a clinic's changes 1, 2, 3…"""
    from core.storage.models import SyncState  # noqa: PLC0415

    with db.read() as session:
        state = session.get(SyncState, 1)
        return state.pull_cursor if state is not None else 0


@dataclass(frozen=True)
class RestoreRefused:
    """The backup was not restored; `about` says which field to put right ("file" or "key")."""

    message: str
    about: str


@dataclass(frozen=True)
class RestoredClinic:
    db: Database
    facts: ClinicFacts


def restore_into(staging: Staging, path: Path, recovery_key: str | None) -> RestoredClinic | RestoreRefused:
    """Restore the backup in the staging folder, open it there (an older one is migrated), then move
    it in. Every check runs before the data directory is touched; a refusal leaves nothing behind."""
    from core.backup.archive import BackupError  # noqa: PLC0415
    from core.backup.restore import RecoveryKeyNeeded, restore_backup  # noqa: PLC0415
    from core.errors import DatabaseKeyError  # noqa: PLC0415

    staging.clear()
    staging.folder.mkdir(parents=True)
    try:
        restore_backup(path, staging.staged_settings, recovery_key or None)
        db, _ = open_database(staging.staged_settings)
        db = staging.move_in(StagedDatabase(db, None))
    except RecoveryKeyNeeded:
        staging.clear()
        return RestoreRefused("This PC does not hold the key of this backup. Type the clinic's recovery key "
                              "(written down when the clinic was set up), then press Restore.", "key")
    except DatabaseKeyError as exc:
        staging.clear()
        return RestoreRefused(_sentence(str(exc)), "key" if recovery_key else "file")
    except BackupError as exc:
        staging.clear()
        return RestoreRefused(_sentence(str(exc)), "file")
    except BaseException:
        staging.clear()
        raise
    return RestoredClinic(db, clinic_facts(db))


def describe_backup(path: Path, zone: ZoneInfo) -> str:
    """One line on what a backup file holds, read from it (its checksum checked on the way)."""
    from core.backup.archive import open_backup  # noqa: PLC0415
    from desktop.sync.times import local_moment  # noqa: PLC0415

    manifest = open_backup(path).manifest
    made = local_moment(datetime.fromisoformat(manifest["created_at"]), zone)
    patients = manifest.get("counts", {}).get("patient", 0)
    return f"{manifest.get('clinic_name') or 'A clinic'} · made {made} · {_count(patients, 'patient')} · Nadi {manifest.get('app_version', '?')}"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _sentence(text: str) -> str:
    text = text.strip()
    first = text.split(" ", 1)[0]
    if "." not in first and "/" not in first and "\\" not in first:  # a file's name keeps its own spelling
        text = text[:1].upper() + text[1:]
    return text + ("" if text.endswith(".") else ".")


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("tone", "muted")
    label.setWordWrap(True)
    return label


def _progress(name: str) -> QProgressBar:
    bar = QProgressBar(objectName=name)
    bar.setRange(0, 0)  # how long a first sync or a restore takes is not known ahead
    bar.setTextVisible(False)
    bar.setMaximumHeight(10)
    bar.hide()
    return bar


# --- the pages -------------------------------------------------------------------------------------


class StartPage(QWizardPage):
    """Which way this PC starts."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Set up this PC")
        self.setSubTitle("Nadi has no clinic on this PC yet. How does it start?")
        self.choices = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for number, (way, title, words) in enumerate((
            (NEW, "&Set up a new clinic",
             "The first PC of a clinic starting with Nadi: the clinic's name and address, then the first admin and their PIN."),
            (JOINING, "&Join a clinic that already uses a hub",
             "Another PC for a clinic whose records are on a Nadi hub. Clinic IT gives the hub's address and an "
             "enrolment token; the clinic's people and records come down to this PC."),
            (RESTORING, "&Restore from a backup file",
             "Put a clinic back on this PC after a disk died or a PC was replaced, from a .nadibackup file and "
             "the clinic's recovery key."),
        )):
            button = QRadioButton(title, objectName=f"start_{way}")
            button.setProperty("way", way)
            button.setStyleSheet("font-weight: bold;")
            self.choices.addButton(button, number)
            note = _muted(words)
            note.setContentsMargins(26, 0, 0, 0)
            layout.addWidget(button)
            layout.addWidget(note)
            layout.addSpacing(12)
        layout.addStretch(1)
        self.choices.button(0).setChecked(True)

    def way(self) -> str:
        return self.choices.checkedButton().property("way")

    def choose(self, way: str) -> None:
        next(b for b in self.choices.buttons() if b.property("way") == way).setChecked(True)

    def nextId(self) -> int:  # noqa: N802 - Qt's name
        return {NEW: CLINIC, JOINING: JOIN, RESTORING: RESTORE}[self.way()]

    def validatePage(self) -> bool:  # noqa: N802
        self.wizard().way_chosen(self.way())
        return True


class ClinicPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Your clinic")
        self.default_subtitle = "Printed on every prescription and bill. Only the name is needed now; the rest can be added later under Admin."
        self.setSubTitle(self.default_subtitle)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setVerticalSpacing(4)
        for field_name, label, hint in CLINIC_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"setup_{field_name}")
            edit.setPlaceholderText(hint or "")
            edit.textChanged.connect(self.completeChanged)
            error = error_label(f"setup_{field_name}_error")
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(edit)
            box.addWidget(error)
            form.addRow(f"{label}:" if field_name != "name" else "Clinic name *:", box)
            self.edits[field_name], self.errors[field_name] = edit, error

    def initializePage(self) -> None:  # noqa: N802
        joined = self.wizard().joined_empty_hub()
        if joined is None:
            self.setSubTitle(self.default_subtitle)
            return
        # Joined a hub whose clinic has no records yet: this PC is its first, and sets it up.
        self.setSubTitle(f"This PC has joined {joined.clinic_name} on the hub, which has no records for it yet: "
                         "this is its first PC. Set the clinic up here; it goes up to the hub.")
        if not self.edits["name"].text().strip():
            self.edits["name"].setText(joined.clinic_name)

    def values(self) -> dict[str, str]:
        return {name: edit.text().strip() for name, edit in self.edits.items() if edit.text().strip()}

    def isComplete(self) -> bool:  # noqa: N802
        return len(self.edits["name"].text().strip()) >= 2 and not self.wizard().busy

    def validatePage(self) -> bool:  # noqa: N802
        problems = check_clinic_details(self.values())
        labels = {name: label for name, label, _ in CLINIC_FIELDS}
        for name, edit in self.edits.items():
            problem = problems.get(name, "")
            mark_invalid(edit, bool(problem))
            say(self.errors[name], f"{labels[name]}: {problem}" if problem else "")
        if problems:
            next(self.edits[f] for f in self.edits if f in problems).setFocus()
        return not problems


class AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The first admin")
        self.setSubTitle("The admin adds the clinic's doctors and staff, sets their PINs and keeps the price list.")
        self.name = QLineEdit()
        self.name.setObjectName("setup_admin_name")
        self.name.setPlaceholderText("Full name")
        self.kind = QComboBox()
        self.kind.setObjectName("setup_secret_kind")
        self.kind.addItem("PIN (4 to 8 digits)", "pin")
        self.kind.addItem("Password (8 or more characters)", "password")
        self.secret = QLineEdit()
        self.secret.setObjectName("setup_secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("setup_secret_again")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setPlaceholderText("The same again")
        for edit in (self.name, self.secret, self.again):
            edit.textChanged.connect(self.completeChanged)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.error = error_label("setup_admin_error")
        hint = QLabel("Avoid easy PINs such as 1234 or 1111. The admin logs in with it every day.")
        hint.setProperty("tone", "muted")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Admin's name *:", self.name)
        form.addRow("Log in with:", self.kind)
        form.addRow("PIN or password *:", self.secret)
        form.addRow("Again *:", self.again)
        # Wrapped labels sit outside the form: a form row does not grow to fit wrapped text.
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.secret.setPlaceholderText("4 to 8 digits" if self.kind.currentData() == "pin" else "At least 8 characters")

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.name.text().strip() and self.secret.text() and self.again.text()) and not self.wizard().busy

    def nextId(self) -> int:  # noqa: N802
        # A database that was already here had its recovery key shown when it was made.
        return -1 if self.wizard().existing_db is not None else KEY

    def validatePage(self) -> bool:  # noqa: N802
        if not self._check():
            return False
        wizard = self.wizard()
        if wizard.existing_db is not None:
            return wizard.finish_in_existing_database()
        if wizard.staged is None:
            # The new database (and its key) is made now, on the lane; the page moves on when it is there.
            say(self.error, "Making this clinic's encrypted database…", "muted")
            wizard.make_database(then=lambda: (say(self.error, ""), wizard.next()), failed=lambda message: say(self.error, message))
            return False
        return True

    def _check(self) -> bool:
        kind, secret = self.kind.currentData(), self.secret.text()
        word = "PIN" if kind == "pin" else "password"
        try:
            parse(StaffInput, {"full_name": self.name.text(), "role": "admin"})
        except InvalidInput as exc:
            say(self.error, "Name: " + next(iter(exc.problems.values())))
            self.name.setFocus()
            return False
        problem = check_secret(kind, secret)
        if not problem and secret != self.again.text():
            problem = f"the two {word}s are not the same; type it again in both boxes"
        if problem:
            say(self.error, problem[:1].upper() + problem[1:])
            self.again.clear()
            self.secret.selectAll()
            self.secret.setFocus()
            return False
        say(self.error, "")
        return True

    def values(self) -> tuple[dict, str, str]:
        return {"full_name": self.name.text(), "role": "admin"}, self.secret.text(), self.kind.currentData()


class JoinPage(QWizardPage):
    """The hub's address and the enrolment token; Join makes the database, enrols and fetches."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Join a clinic that already uses a hub")
        self.setSubTitle("Clinic IT gives the hub's address and an enrolment token. The clinic's people, their PINs "
                         "and its records then come down from the hub to this PC.")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Join")
        self.hub_url = QLineEdit(objectName="first_join_hub_url")
        self.hub_url.setPlaceholderText("e.g. http://192.168.1.10:8765 or https://hub.example.in")
        self.token = QLineEdit(objectName="first_join_token")
        self.token.setPlaceholderText("nadi-enrol-… (valid for 7 days)")
        self.pc_name = QLineEdit(socket.gethostname() or "", objectName="first_join_pc_name")
        self.pc_name.setPlaceholderText("How the hub lists this PC, e.g. Reception PC")
        for edit in (self.hub_url, self.token, self.pc_name):
            edit.textChanged.connect(self.completeChanged)
            edit.textEdited.connect(self._edited)
        self.progress = _progress("first_join_progress")
        self.status = error_label("first_join_status")
        self.error = error_label("first_join_error")
        self.done = False  # joined, and the first sync brought what the hub holds
        form = QFormLayout()
        form.addRow("Hub address *:", self.hub_url)
        form.addRow("Enrolment token *:", self.token)
        form.addRow("Name of this PC:", self.pc_name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(_muted("Nothing is kept on this PC until it has joined and the clinic's records are here: "
                                "if the hub cannot be reached or refuses, put it right and press Join again."))

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.hub_url.text().strip() and self.token.text().strip()) and not self.wizard().busy

    def nextId(self) -> int:  # noqa: N802
        return CLINIC if self.wizard().joined_empty_hub() is not None else KEY

    def _edited(self) -> None:
        if self.done or (self.wizard().staged and self.wizard().staged.joined_with):
            # Another hub or token: the PC joins afresh, with a new database.
            self.done = False
            self.wizard().drop_staged()

    def validatePage(self) -> bool:  # noqa: N802
        if self.done:
            return True
        if not self.wizard().busy:
            self.wizard().join(self.hub_url.text().strip(), self.token.text().strip(), self.pc_name.text().strip())
        return False

    def show_step(self, text: str) -> None:
        say(self.error, "")
        say(self.status, text, "muted")
        self.progress.show()

    def show_problem(self, text: str) -> None:
        self.progress.hide()
        say(self.status, "")
        say(self.error, text)


class RestorePage(QWizardPage):
    """The backup file and, when needed, the recovery key; Restore puts the clinic on this PC."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Restore from a backup file")
        self.setSubTitle("A .nadibackup file from a USB drive, another disk or the hub. The clinic comes back as it was "
                         "when the backup was made: its people, their PINs and its records.")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Restore")
        self.file = QLineEdit(objectName="restore_file")
        self.file.setPlaceholderText("e.g. E:\\NadiBackups\\nadi-…-scheduled.nadibackup")
        self.file.textChanged.connect(self.completeChanged)
        # What the file holds is read once the typing (or pasting) of its path pauses.
        self._look_soon = QTimer(self, singleShot=True, interval=LOOK_AFTER_MS, timeout=self._look_at_file)
        self.file.textChanged.connect(self._look_soon.start)
        self.file.editingFinished.connect(self._look_at_file)
        self.choose = QPushButton("&Choose…", objectName="restore_choose")
        self.choose.setAutoDefault(False)
        self.choose.clicked.connect(self.choose_file)
        self.about = QLabel(objectName="restore_about")
        self.about.setWordWrap(True)
        self.about.hide()
        self.key = QLineEdit(objectName="restore_key")
        self.key.setPlaceholderText("ABCDE-12345-… (case, spaces and dashes do not matter)")
        self.key.setStyleSheet("font-family: 'DejaVu Sans Mono', Consolas, 'Courier New', monospace;")
        self.progress = _progress("restore_progress")
        self.status = error_label("restore_status")
        self.error = error_label("restore_error")
        self.restored = False
        self._described = ""
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(self.choose)
        # Each field with its own line under it: a hidden form row would still take up its spacing.
        file_box = QVBoxLayout()
        file_box.setSpacing(2)
        file_box.addLayout(row)
        file_box.addWidget(self.about)
        key_box = QVBoxLayout()
        key_box.setSpacing(2)
        key_box.addWidget(self.key)
        key_box.addWidget(_muted("The key written down when the clinic was set up. Not needed on the PC that made the backup."))
        form = QFormLayout()
        form.addRow("Backup file *:", file_box)
        form.addRow("Recovery key:", key_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(_muted("Nothing on this PC changes unless the whole backup checks out: a damaged file or a wrong "
                                "key is refused before anything is written. For another PC beside one that still works, "
                                "join the hub instead: a restored PC carries on as the PC the backup was made on."))

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.file.text().strip()) and not self.wizard().busy

    def nextId(self) -> int:  # noqa: N802
        return -1  # Restore is the last step

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The backup file", self.file.text() or str(Path.home()), "Nadi backups (*.nadibackup);;All files (*)")
        if path:
            self.file.setText(path)
            self._look_at_file()
            self.key.setFocus()

    def _look_at_file(self) -> None:
        self._look_soon.stop()
        text = self.file.text().strip()
        if not text or text == self._described:
            return
        self._described = text
        self.wizard().describe_backup(Path(text).expanduser(), self._show_about)

    def _show_about(self, text: str, ok: bool) -> None:
        say(self.about, text, "muted" if ok else "danger")

    def validatePage(self) -> bool:  # noqa: N802
        if self.restored:
            return True
        if not self.wizard().busy:
            self.wizard().restore(Path(self.file.text().strip()).expanduser(), self.key.text().strip())
        return False

    def show_step(self, text: str) -> None:
        say(self.error, "")
        mark_invalid(self.key, False)
        mark_invalid(self.file, False)
        say(self.status, text, "muted")
        self.progress.show()

    def show_problem(self, refusal: RestoreRefused) -> None:
        self.progress.hide()
        say(self.status, "")
        say(self.error, refusal.message)
        edit = self.key if refusal.about == "key" else self.file
        mark_invalid(edit, True)
        edit.setFocus()
        edit.selectAll()


class RecoveryKeyPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.recovery_key = ""
        self.setTitle("The recovery key")
        self.setSubTitle("Shown this once. Write it down or print it, and keep it somewhere other than this PC.")
        self.summary = QLabel(objectName="recovery_summary")
        self.summary.setProperty("tone", "ok")
        self.summary.setWordWrap(True)
        self.summary.hide()
        why = QLabel(
            "The clinic's data on this PC is encrypted. If this PC breaks or is replaced, this key is the only "
            "way to open its data or its backups on another PC: without it, nobody can recover them, not even Nadi's makers."
        )
        why.setWordWrap(True)
        self.key = QLabel()
        self.key.setObjectName("recovery_key")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Set on the label itself: the window's stylesheet fixes one size for every widget.
        self.key.setStyleSheet("font-family: 'DejaVu Sans Mono', Consolas, 'Courier New', monospace; font-size: 20pt; font-weight: bold; padding: 12px;")
        self.key.setProperty("box", "panel")
        self.copy = QPushButton("&Copy")
        self.copy.setObjectName("recovery_copy")
        self.copy.setAutoDefault(False)
        self.copy.clicked.connect(self.copy_key)
        self.save = QPushButton("&Save to file…")
        self.save.setObjectName("recovery_save")
        self.save.setAutoDefault(False)
        self.save.clicked.connect(self.choose_file)
        self.saved = error_label("recovery_saved")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addWidget(self.save)
        buttons.addWidget(self.saved)
        buttons.addStretch(1)
        self.confirm = QCheckBox(CHECKBOX_TEXT)
        self.confirm.setObjectName("recovery_confirm")
        self.confirm.toggled.connect(self.completeChanged)
        self.error = error_label("setup_finish_error")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(why)
        layout.addSpacing(8)
        layout.addWidget(self.key)
        layout.addLayout(buttons)
        layout.addSpacing(8)
        layout.addWidget(self.confirm)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wizard()
        self.recovery_key = wizard.staged.recovery_key if wizard.staged and wizard.staged.recovery_key else ""
        # Without a key slot (NADI_DB_KEY gives the key) there is no recovery key to write down.
        self.key.setText(self.recovery_key or "No recovery key: NADI_DB_KEY holds this database's key; keep it safe instead")
        self.copy.setEnabled(bool(self.recovery_key))
        self.save.setEnabled(bool(self.recovery_key))
        say(self.summary, wizard.join_summary if wizard.hasVisitedPage(JOIN) else "", "ok")

    def isComplete(self) -> bool:  # noqa: N802
        return self.confirm.isChecked() and not self.wizard().busy

    def validatePage(self) -> bool:  # noqa: N802
        return self.wizard().finish_setup()

    def copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self.recovery_key)
        say(self.saved, "Copied. Paste it somewhere other than this PC.", "ok")

    def choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the recovery key", str(Path.home() / "Nadi recovery key.txt"), "Text files (*.txt)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        clinic = self.wizard().field_clinic_name()
        text = (
            f"Nadi recovery key for {clinic}\n"
            f"Made on {date.today().isoformat()}\n\n"
            f"    {self.recovery_key}\n\n"
            "Keep this somewhere other than the clinic PC (printed, or on a USB stick kept safe).\n"
            "To put the clinic's data on a new PC: open Nadi there, choose \"Restore from a backup file\"\n"
            "and type this key. Or copy the data folder over, then run\n"
            "    nadi key recover --data-dir <data folder>\n"
            "and type this key.\n"
        )
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            say(self.saved, f"Not saved: {exc.strerror or exc} ({path})")
            return False
        say(self.saved, f"Saved to {path}. Move it off this PC.", "ok")
        return True


# --- the wizard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Finished:
    db: Database
    clinic_name: str | None
    admin: Actor | None = None


class FirstRunWizard(QWizard):
    """Sets this PC up. After `accepted`, `database` is the clinic's database, open in the data
    directory, `clinic_name` its name, and `admin_actor` the admin when a new clinic was made.

    `existing_db`: a database already in the data directory that has no clinic yet; the wizard
    then only makes the clinic and its admin in it."""

    def __init__(self, settings: Settings, existing_db: Database | None = None, parent: QWidget | None = None, tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run")
        self.setWindowTitle("Nadi — set up this PC" if existing_db is None else "Nadi — set up your clinic")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.settings = settings
        self.existing_db = existing_db
        self.staging = Staging(settings)
        self.zone = ZoneInfo(settings.clinic_timezone)
        self.busy = False
        self.staged: StagedDatabase | None = None
        self.database: Database | None = None
        self.clinic_name: str | None = None
        self.admin_actor: Actor | None = None
        self.join_summary = ""
        self._hub_empty = False
        self._made: dict[str, Actor] = {}  # what Finish already wrote, so a retry completes the rest
        self._making: list[tuple] = []  # (then, failed) waiting for the database being made
        self._own_tasks = tasks is None
        self.tasks = tasks or Tasks(self)
        self._fetch_watch = QTimer(self, interval=PROGRESS_MS, timeout=self._read_fetched)

        self.start_page = StartPage()
        self.clinic_page = ClinicPage()
        self.admin_page = AdminPage()
        self.join_page = JoinPage()
        self.restore_page = RestorePage()
        self.recovery_page = RecoveryKeyPage()
        for page_id, page in ((START, self.start_page), (CLINIC, self.clinic_page), (ADMIN, self.admin_page),
                              (JOIN, self.join_page), (RESTORE, self.restore_page), (KEY, self.recovery_page)):
            self.setPage(page_id, page)
        self.setStartId(START if existing_db is None else CLINIC)
        for which, name in ((QWizard.WizardButton.NextButton, "setup_next"), (QWizard.WizardButton.BackButton, "setup_back"),
                            (QWizard.WizardButton.FinishButton, "setup_finish"), (QWizard.WizardButton.CancelButton, "setup_cancel")):
            self.button(which).setObjectName(name)
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton):
            button = self.button(which)
            button.setProperty("kind", "primary")  # and visibly greyed while the page is incomplete
            button.style().unpolish(button)
            button.style().polish(button)
        self.currentIdChanged.connect(self._focus_page)
        self.finished.connect(self._stop_own_tasks)
        self.resize(760, 620)
        if existing_db is None:
            # What an attempt cut short (a power cut, a killed process) left in the staging folder.
            self.tasks.run(self.staging.clear, None, lambda _message: None, lane="write")

    # -- what the pages ask of the wizard --------------------------------------------------------

    def field_clinic_name(self) -> str:
        joined = self.staged.joined if self.staged is not None else None
        return self.clinic_page.edits["name"].text().strip() or (joined.clinic_name if joined else None) or self.clinic_name or "your clinic"

    def joined_empty_hub(self):
        """The hub's answer (Enrolled) when this PC joined a clinic that has no records on the hub yet."""
        staged = self.staged
        if staged is None or staged.joined is None or not self.join_page.done or not self.hasVisitedPage(JOIN):
            return None
        return staged.joined if self._hub_empty else None

    def way_chosen(self, way: str) -> None:
        staged = self.staged
        if staged is not None and (way == RESTORING or (way == NEW and staged.joined_with is not None)):
            self.drop_staged()  # a restore brings its own database; a new clinic does not join a hub here

    def drop_staged(self) -> None:
        staged, self.staged = self.staged, None
        self.join_page.done = False
        if staged is not None:
            self.tasks.run(lambda: self.staging.discard(staged), None, lambda _message: None, lane="write")

    def make_database(self, then, failed) -> None:
        """The staged database, made on the write lane if there is none yet; then `then()`."""
        if self.staged is not None:
            then()
            return
        self._making.append((then, failed))
        if len(self._making) > 1:
            return
        self._set_busy(True)
        self.tasks.run(self.staging.create, self._database_made, self._database_not_made, lane="write")

    def _database_made(self, staged: StagedDatabase) -> None:
        self.staged = staged
        waiting, self._making = self._making, []
        self._set_busy(False)
        for then, _ in waiting:
            then()

    def _database_not_made(self, message: str) -> None:
        waiting, self._making = self._making, []
        self._set_busy(False)
        for _, failed in waiting:
            failed(f"This PC's database could not be made: {message}")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for page_id in self.pageIds():
            self.page(page_id).completeChanged.emit()
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(not busy)
        # What is being joined or restored cannot change under the work.
        for widget in (self.join_page.hub_url, self.join_page.token, self.join_page.pc_name,
                       self.restore_page.file, self.restore_page.choose, self.restore_page.key):
            widget.setEnabled(not busy)

    def _focus_page(self, _id: int) -> None:
        page = self.currentPage()
        first = {self.start_page: self.start_page.choices.checkedButton(), self.clinic_page: self.clinic_page.edits["name"],
                 self.admin_page: self.admin_page.name, self.join_page: self.join_page.hub_url,
                 self.restore_page: self.restore_page.file, self.recovery_page: self.recovery_page.confirm}.get(page)
        if first is not None:
            first.setFocus()

    # -- a new clinic -----------------------------------------------------------------------------

    def finish_setup(self) -> bool:
        """Finish on the recovery key page: write the clinic (when this PC makes it), move the
        database into place and open it, on the write lane; the wizard closes once it is done."""
        if self.database is not None:
            return True
        if self.busy:
            return False
        staged, staging = self.staged, self.staging
        if staged is None:
            say(self.recovery_page.error, "This PC's database is not there any more; go Back to the first page and start again.")
            return False
        clinic_needed = self.hasVisitedPage(CLINIC)
        clinic = self.clinic_page.values()
        admin, secret, kind = self.admin_page.values()
        made = self._made

        def finish() -> _Finished:
            actor = create_clinic(staged.db, clinic, admin, secret, kind, made) if clinic_needed and staged.db is not None else made.get("admin")
            db = staging.move_in(staged)
            return _Finished(db, clinic_facts(db).name, actor)

        self._set_busy(True)
        say(self.recovery_page.error, "Setting up the clinic…" if clinic_needed else "Opening the clinic…", "muted")
        self.tasks.run(finish, self._finished_setup, lambda message: self._setup_failed(message, self.recovery_page.error), lane="write")
        return False

    def finish_in_existing_database(self) -> bool:
        """Finish on the admin page when the database was already here."""
        if self.database is not None:
            return True
        if self.busy:
            return False
        db = self.existing_db
        clinic = self.clinic_page.values()
        admin, secret, kind = self.admin_page.values()
        made = self._made

        def finish() -> _Finished:
            actor = create_clinic(db, clinic, admin, secret, kind, made)
            return _Finished(db, clinic_facts(db).name, actor)

        self._set_busy(True)
        say(self.admin_page.error, "Setting up the clinic…", "muted")
        self.tasks.run(finish, self._finished_setup, lambda message: self._setup_failed(message, self.admin_page.error), lane="write")
        return False

    def _finished_setup(self, done: _Finished) -> None:
        self.staged = None
        self.database, self.clinic_name, self.admin_actor = done.db, done.clinic_name, done.admin
        self._set_busy(False)
        self.accept()

    def _setup_failed(self, message: str, label: QLabel) -> None:
        self._set_busy(False)
        actor = self._made.get("admin")
        if actor is None:
            text = f"Nothing was saved. {message}"
        else:
            text = f"The clinic and its admin {actor.label} were saved, but setting up did not finish: {message} Press Finish to try again."
        say(label, text)

    # -- joining a clinic on a hub -------------------------------------------------------------------

    def join(self, hub_url: str, token: str, pc_name: str) -> None:
        page = self.join_page
        mark_invalid(page.hub_url, not hub_url)
        mark_invalid(page.token, not token)
        if not hub_url or not token:
            page.show_problem(f"Type {'the hub address' if not hub_url else 'the enrolment token'} (clinic IT has it).")
            return
        page.show_step("Making this PC's encrypted database…")
        self.make_database(then=lambda: self._enrol(hub_url, token, pc_name), failed=page.show_problem)

    def _enrol(self, hub_url: str, token: str, pc_name: str) -> None:
        from desktop.sync.connection import JoinFailed, join_hub  # noqa: PLC0415 - the HTTP client loads only for this way in

        staged = self.staged
        if staged.joined_with == (hub_url, token):
            self._fetch()  # joined on an earlier try; its first sync carries on from where it stopped
            return
        self._set_busy(True)
        self.join_page.show_step(f"Asking the hub at {hub_url} to let this PC join…")

        def enrol():
            answer = join_hub(staged.db, SETUP_ACTOR, hub_url, token, pc_name)
            if not isinstance(answer, JoinFailed):
                staged.joined_with, staged.joined = (hub_url, token), answer
            return answer

        self.tasks.run(enrol, self._enrolled, self._join_failed, lane="write")

    def _enrolled(self, answer) -> None:
        from desktop.sync.connection import JoinFailed  # noqa: PLC0415

        self._set_busy(False)
        if isinstance(answer, JoinFailed):  # the hub said no, or could not be reached: its words, under the form
            self._join_failed(answer.message)
            return
        self._fetch()

    def _fetch(self) -> None:
        staged = self.staged
        self._set_busy(True)
        self.join_page.show_step(f"Joined {staged.joined.clinic_name}. Fetching the clinic's records from the hub…")
        self._fetch_watch.start()
        self.tasks.run(lambda: first_round(staged.db), self._fetched, self._join_failed, lane="write")

    def _read_fetched(self) -> None:
        staged = self.staged
        if staged is None or staged.db is None:
            return
        db = staged.db
        self.tasks.run(lambda: records_fetched(db), self._show_fetched, lambda _message: None, lane="read", key="first-run.fetched")

    def _show_fetched(self, count: int) -> None:
        if self._fetch_watch.isActive() and count and self.staged is not None and self.staged.joined is not None:
            self.join_page.show_step(f"Joined {self.staged.joined.clinic_name}. Fetching the clinic's records from the hub… "
                                     f"{count:,} changes so far")

    def _fetched(self, result) -> None:
        report, facts = result
        self._fetch_watch.stop()
        self._set_busy(False)
        joined = self.staged.joined
        if report.error:
            self._join_failed(f"This PC joined {joined.clinic_name}, but fetching its records stopped: {_sentence(report.error)} "
                              "Press Join to carry on from where it stopped.")
            return
        self._hub_empty = facts.name is None
        self.join_page.done = True
        self.join_page.progress.hide()
        if facts.name is None:
            self.join_summary = f"This PC has joined {joined.clinic_name} on the hub; the clinic set up here goes up to it."
        else:
            self.join_summary = (f"This PC has joined {facts.name}: {_count(facts.people, 'person', 'people')} "
                                 f"and {_count(facts.patients, 'patient')} came down from the hub.")
        say(self.join_page.status, self.join_summary, "ok")
        self.next()

    def _join_failed(self, message: str) -> None:
        self._fetch_watch.stop()
        self._set_busy(False)
        self.join_page.show_problem(message)
        self.join_page.hub_url.setFocus()

    # -- restoring a backup ------------------------------------------------------------------------

    def describe_backup(self, path: Path, show) -> None:
        zone = self.zone

        def look() -> tuple[str, bool]:
            try:
                return describe_backup(path, zone), True
            except NadiError as exc:
                return _sentence(str(exc)), False

        self.tasks.run(look, lambda answer: show(*answer), lambda message: show(message, False), lane="read", key="first-run.backup")

    def restore(self, path: Path, recovery_key: str) -> None:
        self.drop_staged()  # queued ahead of the restore on the same lane
        staging = self.staging
        self._set_busy(True)
        self.restore_page.show_step(f"Checking {path.name} and restoring it…")
        self.tasks.run(lambda: restore_into(staging, path, recovery_key), self._restored,
                       lambda message: self._restore_refused(RestoreRefused(message, "file")), lane="write")

    def _restored(self, result) -> None:
        self._set_busy(False)
        if isinstance(result, RestoreRefused):
            self._restore_refused(result)
            return
        self.restore_page.restored = True
        self.restore_page.progress.hide()
        self.database, self.clinic_name = result.db, result.facts.name
        say(self.restore_page.status, f"Restored {result.facts.name or 'the clinic'}: {_count(result.facts.people, 'person', 'people')}, "
                                      f"{_count(result.facts.patients, 'patient')}.", "ok")
        self.accept()

    def _restore_refused(self, refusal: RestoreRefused) -> None:
        self._set_busy(False)
        self.restore_page.show_problem(refusal)

    # -- closing ----------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.busy:
            return  # the database is being made, joined or restored; it finishes (or fails) first
        self.drop_staged()
        super().reject()

    def _stop_own_tasks(self) -> None:
        if self._own_tasks:
            self.tasks.stop()
