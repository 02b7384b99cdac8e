"""The one window of the desks: log-in (and lock) first, then the desks the person's role opens.

Reception (F2), Consult (F3), Bills (F4), Admin (F9) and Sync (F10) are tabs; which ones appear
depends on the role (core.services.staff_access.AREAS; for the Sync screen, desktop/sync). A
message bar under the tabs shows what went wrong or what was done, where the person is looking; the
status bar shows sync (desktop.sync.status_bar), the last backup (desktop.backup.status) and who is in.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import Desk
from desktop.login import ROLE_NAMES, LoginPage
from desktop.style import FONT_SIZES, stylesheet
from desktop.sync import may_see_sync_screen
from desktop.sync.status_bar import SyncStatusBar, sync_words
from desktop.sync.times import clinic_zone

if TYPE_CHECKING:
    from core.storage.database import Actor
    from desktop.backup.scheduler import BackupScheduler
    from desktop.sync.agent import DeskSync

INFO_SHOWN_MS = 8000
# How often the window looks for records written by another process on this PC (a second window,
# the headless sync agent applying another PC's changes): the queue then refreshes by itself.
WATCH_MS = 3000


def last_change(db) -> int:
    from sqlalchemy import select  # noqa: PLC0415

    from core.storage.models import Change  # noqa: PLC0415

    with db.read() as session:
        return session.scalar(select(Change.seq).order_by(Change.seq.desc()).limit(1)) or 0


class MainWindow(QMainWindow):
    def __init__(self, desk: Desk, clinic_name: str, data_dir: Path, preferences) -> None:
        super().__init__()
        self.desk = desk
        self.data_dir = data_dir
        self.preferences = preferences
        self.clinic_name = clinic_name
        self.setWindowTitle(f"Nadi — {clinic_name}")
        self.views: dict[str, QWidget] = {}
        self.idle = None
        self.backups: BackupScheduler | None = None  # this PC's scheduled backups, once desktop.app starts them

        self.stack = QStackedWidget()
        self.login = LoginPage(desk, clinic_name)
        self.login.logged_in.connect(self._logged_in)
        self.stack.addWidget(self.login)

        self.work = QWidget()
        work = QVBoxLayout(self.work)
        work.setContentsMargins(6, 4, 6, 0)
        top = QHBoxLayout()
        self.tabs = QTabWidget(objectName="desk_tabs")
        self.tabs.setDocumentMode(True)
        self.user_label = QLabel(objectName="user_label")
        lock = QPushButton("Lock  (Ctrl+L)", objectName="lock_button")
        lock.clicked.connect(self.lock)
        logout = QPushButton("Log out", objectName="logout_button")
        logout.clicked.connect(self.log_out)
        self.clinic_label = QLabel(f"<b>{html.escape(clinic_name)}</b>", objectName="clinic_label")
        top.addWidget(self.clinic_label)
        top.addStretch(1)
        top.addWidget(self.user_label)
        top.addWidget(lock)
        top.addWidget(logout)
        self.message = QLabel(objectName="message_bar")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_frame = QFrame()
        box = QHBoxLayout(self.message_frame)
        box.setContentsMargins(10, 4, 10, 4)
        box.addWidget(self.message, 1)
        dismiss = QPushButton("Dismiss", objectName="message_dismiss")
        dismiss.clicked.connect(self.clear_message)
        box.addWidget(dismiss)
        self.message_frame.hide()
        work.addLayout(top)
        work.addWidget(self.message_frame)
        work.addWidget(self.tabs, 1)
        self.stack.addWidget(self.work)
        self.setCentralWidget(self.stack)

        self.sync_status = SyncStatusBar()
        self.sync_status.open_requested.connect(self.open_sync)
        self.status_user = QLabel("Nobody logged in", objectName="status_user")
        self.statusBar().addWidget(self.sync_status, 1)
        self.statusBar().addPermanentWidget(self.status_user)
        self._clear_timer = QTimer(self, singleShot=True, interval=INFO_SHOWN_MS, timeout=self.clear_message)

        desk.notice.connect(self.show_message)
        desk.clinic_changed.connect(self._clinic_renamed)
        desk.wrote.connect(self._clear_stale_error)
        self._seen_change: int | None = None
        self._watch = QTimer(self, interval=WATCH_MS, timeout=self._look_for_changes)
        self._shortcuts()
        self.apply_font(preferences.font_pt)
        self.resize(1366, 768)

    # -- shortcuts ----------------------------------------------------------------------------

    def _shortcuts(self) -> None:
        def key(seq, fn):
            QShortcut(QKeySequence(seq), self, fn, context=Qt.ShortcutContext.WindowShortcut)

        key("Ctrl+L", self.lock)
        key("F2", lambda: self.show_area("reception"))
        key("F3", lambda: self.show_area("consult"))
        key("F4", lambda: self.show_area("billing"))
        key("F9", lambda: self.show_area("admin"))
        key("F10", lambda: self.show_area("sync"))
        key("Ctrl+=", lambda: self._step_font(+1))
        key("Ctrl++", lambda: self._step_font(+1))
        key("Ctrl+-", lambda: self._step_font(-1))

    def show_area(self, area: str) -> None:
        view = self.views.get(area)
        if view is None or self.stack.currentWidget() is not self.work:
            return
        self.tabs.setCurrentWidget(view)
        focus = getattr(view, "focus_first", None)
        if focus:
            focus()

    # -- who is in ----------------------------------------------------------------------------

    def start(self, choices=None) -> None:
        """Show the log-in screen (the first thing anyone sees), with the people given or read afresh."""
        self.stack.setCurrentWidget(self.login)
        self.login.refresh(choices)

    def _logged_in(self, actor: Actor) -> None:
        same_person = self.desk.logged_in and self.desk.actor.staff_id == actor.staff_id and self.views
        if not same_person:
            self._build_views(actor)
        self.desk.set_actor(actor)
        role = ROLE_NAMES.get(actor.role, actor.role)
        self.user_label.setText(f"{actor.label} · {role}")
        self.status_user.setText(f"Logged in: {actor.label} ({role})")
        self.stack.setCurrentWidget(self.work)
        self._watch.start()
        self.activateWindow()  # keys go to the desk just opened, whatever dialog had them before
        self._start_idle()
        current = self.tabs.currentWidget()
        focus = getattr(current, "focus_first", None)
        if focus:
            focus()

    def _build_views(self, actor: Actor) -> None:
        from core.services.staff_access import may  # noqa: PLC0415

        self._drop_views()
        self.desk.set_actor(actor)
        areas = [("reception", "Reception  F2"), ("consult", "Consult  F3"), ("billing", "Bills  F4"), ("admin", "Admin  F9"), ("sync", "Sync  F10")]
        for area, title in areas:
            allowed = may_see_sync_screen(actor.role) if area == "sync" else may(actor.role, area)
            if allowed:
                view = self._make_view(area)
                self.views[area] = view
                self.tabs.addTab(view, title)
        first = "consult" if "consult" in self.views and actor.role == "doctor" else "reception"
        if first in self.views:
            self.tabs.setCurrentWidget(self.views[first])
        self.sync_status.set_openable("sync" in self.views)

    def _make_view(self, area: str) -> QWidget:
        # Imported here: the log-in screen comes up without loading any desk.
        if area == "reception":
            from desktop.reception.desk import ReceptionView  # noqa: PLC0415

            return ReceptionView(self.desk)
        if area == "consult":
            from desktop.consult.desk import ConsultView  # noqa: PLC0415

            return ConsultView(self.desk)
        if area == "billing":
            from desktop.reception.billing import DayEndView  # noqa: PLC0415

            return DayEndView(self.desk)
        if area == "sync":
            from desktop.sync.screen import SyncView  # noqa: PLC0415

            return SyncView(self.desk)
        from desktop.admin import AdminView  # noqa: PLC0415

        view = AdminView(self.desk, self.data_dir, backups=self.backups)
        view.preferences_changed.connect(self.apply_preferences)
        return view

    def _drop_views(self) -> None:
        for view in self.views.values():
            closing = getattr(view, "closing", None)
            if closing:
                closing()
            view.deleteLater()
        self.views.clear()
        self.tabs.clear()
        self.sync_status.set_openable(False)

    def _clinic_renamed(self) -> None:
        from desktop.app import clinic_name  # noqa: PLC0415

        def show(name: str | None) -> None:
            if name:
                self.clinic_name = name
                self.setWindowTitle(f"Nadi — {name}")
                self.clinic_label.setText(f"<b>{html.escape(name)}</b>")
                self.login.title.setText(name)

        self.desk.read(clinic_name, show)

    # -- sync -------------------------------------------------------------------------------------

    def attach_sync(self, agent: DeskSync) -> None:
        """Show `agent` in the status bar and send it each write made at this desk (desktop.app
        makes one for the PC once the window is up)."""
        self.desk.sync = agent
        agent.changed.connect(self._show_sync)
        # Another PC's registration or check-in: the queues show it now, not at their next look.
        agent.brought_changes.connect(self.desk.queue_changed)
        self.desk.wrote.connect(agent.after_write)
        self._show_sync()

    def attach_backups(self, scheduler: BackupScheduler) -> None:
        """Show this PC's backups in the status bar (beside who is logged in); the admin's Backups
        section makes its "Back up now" through the same scheduler."""
        from desktop.backup.status import BackupStatus  # noqa: PLC0415

        self.backups = scheduler
        self.backup_status = BackupStatus(scheduler)
        bar = self.statusBar()
        bar.removeWidget(self.status_user)  # re-added after, so who is logged in stays rightmost
        bar.addPermanentWidget(self.backup_status)
        bar.addPermanentWidget(self.status_user)
        self.status_user.show()

    def _show_sync(self) -> None:
        agent = self.desk.sync
        if agent is None or self.desk.db is None:
            return
        words = sync_words(agent.status, agent.report, agent.syncing, agent.offline_since, clinic_zone(self.desk.db))
        status = agent.status
        self.sync_status.show_sync(words, status.dead_jobs if status else 0, status.open_merges if status else 0)

    def open_sync(self, part: str) -> None:
        if "sync" in self.views:
            self.show_area("sync")
            self.views["sync"].show_part(part)

    def _look_for_changes(self) -> None:
        if self.desk.logged_in:
            self.desk.tasks.run(lambda: last_change(self.desk.db), self._changes_seen, lambda _m: None, key="change-watch")

    def _changes_seen(self, seq: int) -> None:
        if self._seen_change is not None and seq != self._seen_change:
            self.desk.queue_changed.emit()
        self._seen_change = seq

    def lock(self) -> None:
        if not self.desk.logged_in or self.stack.currentWidget() is self.login:
            return
        for view in self.views.values():
            flush = getattr(view, "closing", None)  # autosave what is being typed, now
            if flush:
                flush()
        if self.idle:
            self.idle.pause()
        self.clear_message()
        self.login.lock(self.desk.actor)
        self.status_user.setText(f"Locked ({self.desk.actor.label})")
        self.stack.setCurrentWidget(self.login)

    def log_out(self) -> None:
        self._drop_views()
        self.desk.set_actor(None)
        self.user_label.clear()
        self.status_user.setText("Nobody logged in")
        if self.idle:
            self.idle.pause()
        self.login.locked_for = None
        self.start()

    def _start_idle(self) -> None:
        from desktop.idle import IdleWatcher  # noqa: PLC0415

        if self.idle is None:
            self.idle = IdleWatcher(QApplication.instance(), self.preferences.idle_lock_minutes, self)
            self.idle.idle.connect(self.lock)
        else:
            self.idle.set_minutes(self.preferences.idle_lock_minutes)

    # -- messages and looks -------------------------------------------------------------------

    def show_message(self, level: str, text: str) -> None:
        self.message.setText(text)
        self.message_frame.setProperty("box", "danger" if level == "error" else "ok")
        self.message_frame.style().polish(self.message_frame)
        self.message_frame.show()
        if level == "error":
            self._clear_timer.stop()  # an error stays until read
        else:
            self._clear_timer.start()

    def _clear_stale_error(self) -> None:
        if self.message_frame.isVisible() and self.message_frame.property("box") == "danger":
            self.clear_message()

    def clear_message(self) -> None:
        self.message.clear()
        self.message_frame.hide()

    def apply_font(self, font_pt: int) -> None:
        app = QApplication.instance()
        font = app.font()
        font.setPointSize(font_pt)
        app.setFont(font)
        app.setStyleSheet(stylesheet(font_pt))

    def apply_preferences(self, preferences) -> None:
        self.preferences = preferences
        self.apply_font(preferences.font_pt)
        if self.idle:
            self.idle.set_minutes(preferences.idle_lock_minutes)

    def _step_font(self, step: int) -> None:
        from dataclasses import replace  # noqa: PLC0415

        from desktop.preferences import save_preferences  # noqa: PLC0415

        sizes = list(FONT_SIZES)
        current = self.preferences.font_pt if self.preferences.font_pt in sizes else sizes[1]
        new = sizes[max(0, min(len(sizes) - 1, sizes.index(current) + step))]
        if new != current:
            self.apply_preferences(replace(self.preferences, font_pt=new))
            save_preferences(self.data_dir, self.preferences)
            self.desk.info(f"Text size {new} pt on this PC (Ctrl+= larger, Ctrl+- smaller).")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        for view in self.views.values():
            closing = getattr(view, "closing", None)
            if closing:
                closing()
        if self.idle:
            self.idle.detach()
        self._watch.stop()
        if self.desk.sync is not None:
            self.desk.sync.stop_soon()  # never waits for the network; desktop.app gives it a moment more
        if self.backups is not None:
            self.backups.stop()  # a backup under way finishes on its own thread
        self.desk.tasks.stop()
        super().closeEvent(event)
