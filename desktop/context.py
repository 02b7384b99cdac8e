"""What every screen of the desks is given: the database, the workers, who is logged in, and the
signals by which one screen tells the others that something changed (reception adds to the queue;
the doctor's queue updates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.tasks import Tasks

if TYPE_CHECKING:
    from core.storage.database import Actor, Database
    from desktop.sync.agent import DeskSync


class Desk(QObject):
    queue_changed = Signal()  # the day's queue moved: someone added, checked in, seen, no-show
    patient_changed = Signal(str)  # a patient's record changed (id)
    bills_changed = Signal()
    price_list_changed = Signal()
    staff_changed = Signal()
    clinic_changed = Signal()
    actor_changed = Signal()  # log-in, log-out, another person unlocked
    notice = Signal(str, str)  # (level: "info" | "error", text) shown in the window's message bar
    wrote = Signal()  # a write went through: an error shown earlier is out of date

    def __init__(self, db: Database | None, tasks: Tasks, actor: Actor | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # None while the database is still opening on the write lane at start-up (see desktop.app);
        # nothing but the log-in, which queues behind that opening, runs before it is set.
        self.db = db
        self.tasks = tasks
        self._actor = actor
        # This PC's sync agent, once the window has started it (MainWindow.attach_sync); None in a
        # window without one, and screens then say that sync does not run there.
        self.sync: DeskSync | None = None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("nobody is logged in")
        return self._actor

    @property
    def logged_in(self) -> bool:
        return self._actor is not None

    def set_actor(self, actor: Actor | None) -> None:
        self._actor = actor
        self.actor_changed.emit()

    def info(self, text: str) -> None:
        self.notice.emit("info", text)

    def error(self, text: str) -> None:
        self.notice.emit("error", text)

    def write(self, fn, done=None, failed=None) -> None:
        """A write on the write lane as the logged-in person; failures go to the message bar
        unless `failed` handles them."""
        actor = self.actor

        def succeeded(result) -> None:
            self.wrote.emit()
            if done is not None:
                done(result)

        self.tasks.run(lambda: fn(self.db, actor), succeeded, failed or self.error, lane="write")

    def read(self, fn, done=None, failed=None, key: str | None = None) -> None:
        self.tasks.run(lambda: fn(self.db), done, failed or self.error, lane="read", key=key)
