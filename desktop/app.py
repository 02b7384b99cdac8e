"""`nadi` with no command: open the clinic's database and the desks.

On a data directory without a database the first-run wizard (desktop.first_run) sets this PC up: a
new clinic, joining a clinic on its hub, or restoring a backup. The database comes to be only
there. After that the window opens on the log-in screen.
"""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from core.errors import NadiError

LOG_FILE = "logs/nadi.log"
# On quit, how long a sync round in flight may take to finish before the database is closed under it
# (the window itself is already gone; see desktop.sync.agent).
SYNC_STOP_WAIT_S = 3.0

log = logging.getLogger("nadi.desktop")


def _log_to_file(data_dir: Path) -> None:
    """Unexpected errors go to a log IT can send (the person at the desk sees a plain message)."""
    path = data_dir / LOG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s"))
    logging.getLogger("nadi").addHandler(handler)
    logging.getLogger("nadi").setLevel(logging.INFO)


def run_app(data_dir: str | None) -> int:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        raise NadiError("no display to open the window on (for a headless check set QT_QPA_PLATFORM=offscreen)")
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage.first_look import first_look  # noqa: PLC0415

    settings = load_settings(data_dir)
    _log_to_file(settings.data_dir)
    look = first_look(settings)
    if look is not None:
        # The usual start: the window comes up on what was read, the database opens behind it.
        return _run_window(None, settings, look.clinic_name, look.choices)
    from core.storage.database import database_exists, open_database  # noqa: PLC0415

    if not database_exists(settings):
        return _run_window(None, settings, None, None)  # a new PC: the wizard says how its database comes
    db, _ = open_database(settings)  # migrated here, after a backup, when an older Nadi made it
    return _run_window(db, settings, clinic_name(db), None)


def clinic_name(db) -> str | None:
    """The clinic's name, or None before the first-run wizard has made the clinic."""
    from sqlalchemy import select  # noqa: PLC0415

    from core.storage.models import Clinic  # noqa: PLC0415

    with db.read() as session:
        return session.scalar(select(Clinic.name).order_by(Clinic.id).limit(1))


def _open_behind(desk, settings, failed) -> None:
    """Open the database on the write lane; the log-in queues behind it on the same lane.
    Started before the window is built, so the two overlap."""
    def open_it():
        from core.storage.database import open_database  # noqa: PLC0415

        desk.db = open_database(settings)[0]  # set here, on the lane, before the next job reads it

    desk.tasks.run(open_it, None, lambda message: failed(f"The clinic's database could not be opened: {message}"), lane="write")


def _start_sync(window, desk) -> None:
    """One sync agent for this PC. Started once the log-in list is on screen: loading the agent (its
    HTTP client, its scheduler) before then would only make the first screen slower. It queues behind
    the database's opening on the write lane, so it starts once the database is open."""
    from desktop.sync.agent import DeskSync  # noqa: PLC0415

    agent = DeskSync(desk)
    window.attach_sync(agent)
    agent.start()


def _start_backups(window, desk, settings) -> None:
    """This PC's scheduled backups, checked a minute or two after start and every few minutes
    after; a backup runs on a thread of its own and its outcome shows in the status bar."""
    from desktop.backup.scheduler import BackupScheduler  # noqa: PLC0415

    scheduler = BackupScheduler(desk, settings)
    window.attach_backups(scheduler)
    scheduler.start()


def _stop_sync(desk) -> None:
    if desk.sync is None:
        return
    desk.sync.stop_soon()
    if not desk.sync.wait_stopped(SYNC_STOP_WAIT_S):
        log.warning("a sync round was still waiting on the hub at exit; it ends when its time-out does")


def _run_window(db, settings, name: str | None, choices) -> int:
    from PySide6.QtCore import QTimer  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from desktop import startup_probe  # noqa: PLC0415
    from desktop.context import Desk  # noqa: PLC0415
    from desktop.main_window import MainWindow  # noqa: PLC0415
    from desktop.preferences import load_preferences  # noqa: PLC0415
    from desktop.style import stylesheet  # noqa: PLC0415
    from desktop.tasks import Tasks  # noqa: PLC0415

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Nadi")
    preferences = load_preferences(settings.data_dir)
    app.setStyleSheet(stylesheet(preferences.font_pt))
    tasks = Tasks()
    desk = Desk(db, tasks)
    shown: list = []  # the window, once built: where a failure to open is reported
    try:
        if db is None and name is not None:
            _open_behind(desk, settings, lambda message: shown[0].login.block(message))
        if name is None:
            from desktop.first_run import FirstRunWizard  # noqa: PLC0415

            wizard = FirstRunWizard(settings, db, tasks=tasks)
            if not wizard.exec():
                return 0
            desk.db, name = wizard.database, wizard.clinic_name
            if name is None:
                return 0
        window = MainWindow(desk, name, settings.data_dir, preferences)
        shown.append(window)
        window.show()
        startup_probe.arm(app, window.login.choices_shown)
        sync_started: list[bool] = []

        def start_sync_once(*_) -> None:
            if not sync_started:
                sync_started.append(True)
                QTimer.singleShot(0, lambda: (_start_sync(window, desk), _start_backups(window, desk, settings)))  # after the start-up probe's own

        window.login.choices_shown.connect(start_sync_once)
        window.start(choices)
        return app.exec()
    finally:
        if shown and shown[0].backups is not None:
            shown[0].backups.stop()
        _stop_sync(desk)
        tasks.stop()
        if desk.db is not None:
            desk.db.close()
