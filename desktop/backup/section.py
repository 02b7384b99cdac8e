"""Admin → Backups: where this PC's backups go, how often and how many are kept; whether the last
one worked; "Back up now"; the backup files in the folder (and which the hub also holds); and how
to restore.

Reading the folder (maybe a slow USB drive), saving the plan and asking the hub all run on threads
of their own (desktop.backup.background); a backup goes through the PC's scheduler, so one never
starts while another runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.backup.schedule import EVERY_HOURS_RANGE, KEEP_RANGE, LOCAL_FOLDER, BackupPlan, backups_in, save_plan
from core.errors import NadiError
from desktop.backup.background import Background
from desktop.backup.scheduler import BackupLook, BackupOutcome, BackupScheduler, read_look
from desktop.context import Desk
from desktop.sync.times import local_moment
from desktop.widgets.feedback import error_label, mark_invalid, say

_NAME = re.compile(r"^nadi-[0-9a-f]{12}-(\d{8}-\d{6})-(.+)\.nadibackup$")
REASONS = {"scheduled": "scheduled", "manual": "made by hand"}

RESTORE_NOTE = (
    "<b>Restoring.</b> On a new or repaired PC: install Nadi, open it on an empty data folder and choose "
    "<i>Restore from a backup file</i>; it asks for the clinic's recovery key. On this PC, to go back to a "
    "backup: close Nadi, then run <code>nadi restore FILE --replace</code> (the database now here is kept "
    "aside, not deleted). <code>nadi restore FILE</code> restores into an empty data folder."
)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size_bytes: int
    made_at: datetime | None  # from the name (UTC), which core.backup.archive writes
    reason: str


@dataclass(frozen=True)
class FolderState:
    look: BackupLook
    files: list[BackupFile]  # newest first
    hub: bool  # this PC has joined a hub


def read_folder(data_dir: Path, db) -> FolderState:
    look = read_look(data_dir)
    files = []
    for path in reversed(backups_in(look.destination)):
        match = _NAME.match(path.name)
        made = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC) if match else None
        try:
            size = path.stat().st_size
        except OSError:
            continue  # removed while being listed (pruned by a backup finishing)
        files.append(BackupFile(path, size, made, match.group(2) if match else "?"))
    hub = False
    if db is not None:
        from sync.agent.backups import hub_configured  # noqa: PLC0415

        hub = hub_configured(db)
    return FolderState(look, files, hub)


def hub_names(db) -> set[str]:
    from sync.agent.backups import hub_backups  # noqa: PLC0415

    return {b["name"] for b in hub_backups(db)}


def save_new_plan(data_dir: Path, folder_text: str, every_hours: int, keep: int) -> BackupLook:
    folder = None
    if folder_text.strip():
        folder = Path(folder_text.strip()).expanduser()
        if not folder.is_absolute():
            raise NadiError(f"give the whole path of the folder (like E:\\NadiBackups or /media/usb/NadiBackups), not {folder_text.strip()!r}")
        folder = folder.resolve()
        if not folder.is_dir():
            raise NadiError(f"the folder {folder} is not there; create it (or plug in the USB drive) first")
    save_plan(data_dir, BackupPlan(folder, every_hours, keep))
    return read_look(data_dir)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _reason_words(reason: str) -> str:
    if reason.startswith("before-upgrade"):
        return "before an upgrade"
    return REASONS.get(reason, reason)


def _cell(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _value(name: str) -> QLabel:
    label = QLabel("—", objectName=name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("tone", "muted")
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return label


class BackupsTab(QWidget):
    """Admin → Backups. `scheduler` is the PC's (desktop.app starts it); a window without one gets
    its own, which only makes backups when asked."""

    def __init__(self, desk: Desk, data_dir: Path, scheduler: BackupScheduler | None = None) -> None:
        super().__init__()
        self.setObjectName("backups_tab")
        self.desk = desk
        self.data_dir = Path(data_dir)
        if scheduler is None:
            scheduler = BackupScheduler(desk, desk.db.settings, parent=self)
        self.scheduler = scheduler
        self.background = Background(self)
        self.state: FolderState | None = None
        self.on_hub: set[str] | None = None  # names the hub holds, once asked

        heading = QLabel("Backups")
        heading.setProperty("heading", "true")
        note = QLabel("Encrypted copies of the clinic's database, each read back and checked after it is written. "
                      "The plan belongs to this PC; other PCs keep their own.")
        note.setProperty("tone", "muted")
        note.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(heading)
        left.addWidget(note)
        left.addWidget(self._plan_box())
        left.addWidget(self._now_box())
        left.addStretch(1)

        right = QVBoxLayout()
        right.addWidget(self._files_box(), 1)
        restore = QLabel(RESTORE_NOTE, objectName="backup_restore_note")
        restore.setWordWrap(True)
        restore.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        restore.setProperty("box", "panel")
        restore.setContentsMargins(8, 6, 8, 6)
        right.addWidget(restore)

        outer = QHBoxLayout(self)
        outer.addLayout(left, 5)
        outer.addLayout(right, 4)

        scheduler.changed.connect(self._show_running)
        scheduler.finished.connect(self._backed_up)

    # -- the plan ---------------------------------------------------------------------------------------

    def _plan_box(self) -> QGroupBox:
        box = QGroupBox("Plan for this PC")
        self.folder = QLineEdit(objectName="backup_folder")
        self.folder.setPlaceholderText(f"The data folder's own {LOCAL_FOLDER} folder (same disk)")
        self.folder.textEdited.connect(lambda: mark_invalid(self.folder, False))
        self.choose = QPushButton("&Choose…", objectName="backup_choose")
        self.choose.setAutoDefault(False)
        self.choose.clicked.connect(self.choose_folder)
        self.use_local = QPushButton("Use the &data folder", objectName="backup_use_local")
        self.use_local.setAutoDefault(False)
        self.use_local.clicked.connect(self.folder.clear)
        self.every = QSpinBox(objectName="backup_every")
        self.every.setRange(*EVERY_HOURS_RANGE)
        self.every.setSuffix(" hours")
        self.every.setSpecialValueText("never (scheduled backups off)")
        self.every.setMinimumWidth(240)
        self.every.setMaximumWidth(320)
        self.keep = QSpinBox(objectName="backup_keep")
        self.keep.setRange(*KEEP_RANGE)
        self.keep.setSuffix(" newest backups")
        self.keep.setMinimumWidth(240)
        self.keep.setMaximumWidth(320)
        self.save = QPushButton("&Save plan", objectName="backup_save")
        self.save.setProperty("kind", "primary")
        self.save.setAutoDefault(False)
        self.save.clicked.connect(self.save_plan)
        self.save.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.folder.returnPressed.connect(self.save_plan)
        self.plan_status = error_label("backup_plan_status")
        self.same_disk = QLabel(objectName="backup_same_disk")
        self.same_disk.setWordWrap(True)
        self.same_disk_box = QFrame()
        self.same_disk_box.setProperty("box", "warning")
        inside = QVBoxLayout(self.same_disk_box)
        inside.setContentsMargins(8, 6, 8, 6)
        inside.addWidget(self.same_disk)
        self.same_disk_box.hide()

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose)
        folder_row.addWidget(self.use_local)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addStretch(1)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Back up to:", folder_row)
        form.addRow("Every:", self.every)
        form.addRow("Keep:", self.keep)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self.same_disk_box)
        layout.addLayout(buttons)
        layout.addWidget(self.plan_status)
        return box

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Where backups go (a USB drive or another disk)", self.folder.text() or str(Path.home()))
        if path:
            self.folder.setText(path)
            mark_invalid(self.folder, False)

    def save_plan(self) -> None:
        folder, every, keep, data_dir = self.folder.text(), self.every.value(), self.keep.value(), self.data_dir
        self.save.setEnabled(False)
        say(self.plan_status, "Saving…", "muted")
        self.background.run(lambda: save_new_plan(data_dir, folder, every, keep), self._plan_saved, self._plan_refused, name="nadi-backup-plan")

    def _plan_saved(self, look: BackupLook) -> None:
        self.save.setEnabled(True)
        mark_invalid(self.folder, False)
        say(self.plan_status, "Saved. Backups go to " + str(look.destination) + ".", "ok")
        self.scheduler.refresh()
        self.reload()

    def _plan_refused(self, message: str) -> None:
        self.save.setEnabled(True)
        mark_invalid(self.folder, True)
        say(self.plan_status, f"Not saved. {message}")
        self.folder.setFocus()

    # -- the last backups and "Back up now" --------------------------------------------------------

    def _now_box(self) -> QGroupBox:
        box = QGroupBox("Backups made")
        self.last_good = _value("backup_last_good")
        self.last_attempt = _value("backup_last_attempt")
        self.hub = _value("backup_hub")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for row, (caption, value) in enumerate((("Last good backup:", self.last_good), ("Last attempt:", self.last_attempt),
                                                ("The hub's copy:", self.hub))):
            grid.addWidget(_caption(caption), row, 0)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)
        self.now_button = QPushButton("&Back up now", objectName="backup_now")
        self.now_button.setProperty("kind", "primary")
        self.now_button.setAutoDefault(False)
        self.now_button.clicked.connect(self.back_up_now)
        self.now_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.progress = QProgressBar(objectName="backup_progress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.hide()
        self.result = error_label("backup_result")
        row = QHBoxLayout()
        row.addWidget(self.now_button)
        row.addWidget(self.progress, 1)
        row.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addLayout(row)
        layout.addWidget(self.result)
        return box

    def back_up_now(self) -> None:
        if not self.scheduler.back_up("manual"):
            say(self.result, "A backup is already being made; its result shows here when it is done.", "muted")

    def _show_running(self) -> None:
        running = self.scheduler.running
        self.now_button.setEnabled(not running)
        self.progress.setVisible(bool(running))
        if running:
            where = f" to {self.state.look.destination}" if self.state else ""
            say(self.result, f"Backing up{where}: writing it, then reading it back to check it…", "muted")

    def _backed_up(self, outcome: BackupOutcome) -> None:
        self.progress.hide()
        self.now_button.setEnabled(True)
        if outcome.error:
            say(self.result, f"Backup failed: {outcome.error}")
        else:
            info = outcome.info
            text = (f"Backup written and checked: {info.path.name} ({_mb(info.size_bytes)}, "
                    f"{info.counts.get('patient', 0):,} patients) in {outcome.seconds:.1f} s.")
            if outcome.uploaded:
                text += " A copy is on the hub."
            elif outcome.uploaded is False:
                text += f" The hub's copy was not sent ({outcome.hub_problem}); the next backup tries again."
            say(self.result, text, "ok" if outcome.uploaded is not False else "warning")
        self.on_hub = None  # the hub holds a new file now, or should: ask it again
        self.reload()

    # -- reading and showing -------------------------------------------------------------------------

    def _files_box(self) -> QGroupBox:
        box = QGroupBox("In the backup folder")
        self.where = QLabel(objectName="backup_where")
        self.where.setProperty("tone", "muted")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 4, objectName="backup_files")
        self.table.setHorizontalHeaderLabels(["Made", "Why", "Size", "On the hub"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.files_note = error_label("backup_files_note")
        layout = QVBoxLayout(box)
        layout.addWidget(self.where)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.files_note)
        return box

    def reload(self) -> None:
        data_dir, db = self.data_dir, self.desk.db
        self.background.run(lambda: read_folder(data_dir, db), self._show, lambda message: say(self.files_note, message), name="nadi-backup-list")

    def _show(self, state: FolderState) -> None:
        first = self.state is None
        self.state = state
        look = state.look
        if first:  # the form shows the saved plan once; after that it is the admin's to change
            self.folder.setText(str(look.plan.folder) if look.plan.folder else "")
            self.every.setValue(look.plan.every_hours)
            self.keep.setValue(look.plan.keep)
        if look.same_disk_only:
            self.same_disk.setText(
                f"<b>Backups go to the same disk as the clinic's data</b> ({look.destination}). They protect against "
                "mistakes and a bad upgrade, but if this disk dies the backups die with it. Choose a USB drive or "
                "another disk, and keep it plugged in.")
        self.same_disk_box.setVisible(look.same_disk_only)
        self.where.setText(f"{look.destination}")
        self._show_last(look)
        self._show_files()
        if state.hub and self.on_hub is None:
            self._ask_hub()
        self._show_hub_line()

    def _show_last(self, look: BackupLook) -> None:
        zone = self.scheduler.zone
        good = look.last_success
        if good is None:
            say(self.last_good, "none yet", "warning")
        else:
            size = f", {_mb(good.size_bytes)}" if good.size_bytes else ""
            say(self.last_good, f"{local_moment(datetime.fromisoformat(good.at), zone)} ({_reason_words(good.reason)}{size})", "")
        attempt = look.last_attempt
        if attempt is None:
            say(self.last_attempt, "none yet", "muted")
        elif attempt.ok:
            say(self.last_attempt, f"{local_moment(datetime.fromisoformat(attempt.at), zone)}: worked", "")
        else:
            error = (attempt.error or "no reason recorded").rstrip(".")
            say(self.last_attempt, f"{local_moment(datetime.fromisoformat(attempt.at), zone)}: failed. {error[:1].upper()}{error[1:]}.", "danger")

    def _show_hub_line(self) -> None:
        state = self.state
        if state is None or not state.hub:
            say(self.hub, "this PC has not joined a hub, so backups stay on this PC and its backup folder", "muted")
            return
        good = state.look.last_success
        if good is None:
            say(self.hub, "none yet: each backup is sent to the hub once it is made", "muted")
        elif self.on_hub is not None and good.path and Path(good.path).name in self.on_hub:
            say(self.hub, "the last good backup is on the hub", "ok")
        elif good.uploaded is False:
            say(self.hub, "the last backup did not reach the hub; the next one tries again", "warning")
        elif self.on_hub is None and good.uploaded:
            say(self.hub, "the last good backup was sent to the hub", "ok")
        else:
            say(self.hub, "the last good backup is not on the hub", "warning")

    def _show_files(self) -> None:
        state = self.state
        zone = self.scheduler.zone
        sent = {Path(e.path).name: e.uploaded for e in ([state.look.last_success] if state.look.last_success else []) if e.path}
        self.table.setRowCount(len(state.files))
        for row, f in enumerate(state.files):
            made = local_moment(f.made_at, zone) if f.made_at else "?"
            if not state.hub:
                hub = "—"
            elif self.on_hub is not None:
                hub = "yes" if f.path.name in self.on_hub else "no"
            else:
                hub = {True: "sent", False: "not sent"}.get(sent.get(f.path.name), "?")
            for column, cell in enumerate((_cell(made), _cell(_reason_words(f.reason)), _cell(_mb(f.size_bytes), right=True), _cell(hub))):
                self.table.setItem(row, column, cell)
            self.table.item(row, 0).setToolTip(str(f.path))
        say(self.files_note, "" if state.files else "No backups in this folder yet.", "muted")

    def _ask_hub(self) -> None:
        db = self.desk.db
        self.background.run(lambda: hub_names(db), self._hub_answered, self._hub_unreachable, name="nadi-backup-hub")

    def _hub_answered(self, names: set[str]) -> None:
        self.on_hub = names
        if self.state is not None:
            self._show_files()
            self._show_hub_line()

    def _hub_unreachable(self, message: str) -> None:
        say(self.files_note, f"The hub could not be asked which backups it holds ({message.rstrip('.')}); shown as last sent.", "warning")

    def focus_first(self) -> None:
        self.now_button.setFocus()
