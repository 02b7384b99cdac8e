"""Driving the real desks in tests: the real window on a real database, logged into as a person would
(pick the name, type the PIN, press Enter), waiting on what the screen shows rather than on time."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt

PIN = "2468"


@dataclass
class Desks:
    window: object
    desk: object
    tasks: object
    qtbot: object

    def settle(self, timeout: int = 15000) -> None:
        self.qtbot.waitUntil(lambda: not self.tasks.busy, timeout=timeout)

    def log_in(self, name: str, pin: str = PIN, expect_ok: bool = True) -> None:
        w = self.window
        if w.stack.currentWidget() is not w.login:
            w.log_out()
        self.qtbot.waitUntil(lambda: w.login.people.count() > 0)
        rows = [w.login.people.item(n).text() for n in range(w.login.people.count())]
        row = next(n for n, text in enumerate(rows) if text.startswith(name))
        w.login.people.setCurrentRow(row)
        w.login.secret.setText("")
        self.qtbot.keyClicks(w.login.secret, pin)
        self.qtbot.keyClick(w.login.secret, Qt.Key.Key_Return)
        if expect_ok:
            self.qtbot.waitUntil(lambda: w.stack.currentWidget() is w.work, timeout=15000)
            self.settle()
        else:
            self.qtbot.waitUntil(lambda: bool(w.login.problem.text()), timeout=15000)

    def view(self, area: str):
        return self.window.views[area]


def open_desks(qtbot, db, data_dir=None) -> Desks:
    from desktop.context import Desk
    from desktop.main_window import MainWindow
    from desktop.preferences import load_preferences
    from desktop.tasks import Tasks

    tasks = Tasks()
    desk = Desk(db, tasks)
    window = MainWindow(desk, "Shanti Clinic", db.settings.data_dir, load_preferences(db.settings.data_dir))
    qtbot.addWidget(window)
    window.show()
    window.start()
    desks = Desks(window, desk, tasks, qtbot)
    qtbot.waitUntil(lambda: window.login.people.count() > 0)
    return desks


def give_pins(db, team) -> None:
    from core.services.staff_access import set_credential

    for actor in (team.admin, team.doctor, team.receptionist):
        set_credential(db, team.admin, actor.staff_id, PIN)
