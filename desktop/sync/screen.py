"""The Sync screen (F10): the connection to the clinic's hub on top; below it the two lists that need
a person, the possible duplicates (Alt+1) and the dead letters (Alt+2). Who sees it, and which parts
they may act on: desktop/sync/__init__.py.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.context import Desk
from desktop.sync.connection import SYNC_NOW_KEY, ConnectionPanel
from desktop.sync.dead_letters import DeadLettersPanel
from desktop.sync.merge_queue import MergeQueuePanel

PARTS = ("merges", "dead_letters")


class SyncView(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_view")
        self.desk = desk
        is_admin = desk.actor.role == "admin"
        self.connection = ConnectionPanel(desk, can_join=is_admin)
        self.merges = MergeQueuePanel(desk)
        self.dead_letters = DeadLettersPanel(desk, can_act=is_admin)
        self.counts = {"merges": -1, "dead_letters": -1}  # what the lists showed when last read

        self.parts = QTabWidget(objectName="sync_parts")
        self.parts.addTab(self.merges, "Possible duplicates")
        self.parts.addTab(self.dead_letters, "Dead letters")
        for number in range(self.parts.count()):
            self.parts.setTabToolTip(number, f"Alt+{number + 1}")
            QShortcut(QKeySequence(f"Alt+{number + 1}"), self, lambda n=number: self._part(n), context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(SYNC_NOW_KEY), self, self.connection.sync_now, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.merges.counted.connect(lambda n: self._counted("merges", n))
        self.dead_letters.counted.connect(lambda n: self._counted("dead_letters", n))
        for changed in (self.merges.decided, self.dead_letters.changed, self.connection.joined):
            changed.connect(self._after_decision)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.connection)
        layout.addWidget(self.parts, 1)

        self._following = None
        self._follow_agent()
        self.refresh()

    def refresh(self) -> None:
        self.connection.reload()
        self.merges.reload()
        self.dead_letters.reload()

    def show_part(self, part: str) -> None:
        self._part(PARTS.index(part))

    def focus_first(self) -> None:
        if not self.connection.focus_first():
            self.parts.currentWidget().focus_first()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Coming back to the screen shows the lists as they are now, not as they were last time.
        super().showEvent(event)
        self._follow_agent()
        if self.counts["merges"] >= 0:
            self.refresh()

    def _follow_agent(self) -> None:
        # The agent may be attached after this screen was built (it starts once the window is up).
        if self.desk.sync is not None and self._following is not self.desk.sync:
            self._following = self.desk.sync
            self.desk.sync.changed.connect(self._agent_changed)

    def _part(self, number: int) -> None:
        self.parts.setCurrentIndex(number)
        self.parts.currentWidget().focus_first()

    def _counted(self, part: str, n: int) -> None:
        self.counts[part] = n
        title = {"merges": "Possible duplicates", "dead_letters": "Dead letters"}[part]
        self.parts.setTabText(PARTS.index(part), f"{title}  ({n})" if n else title)

    def _after_decision(self) -> None:
        if self.desk.sync is not None:
            self.desk.sync.refresh()  # the status bar's counts

    def _agent_changed(self) -> None:
        status = self.desk.sync.status if self.desk.sync is not None else None
        self.connection.show_agent()
        if status is None:
            return
        # A round may have brought pairs or dead letters; re-read a list only when its count moved,
        # so a pair being looked at is not pulled from under the person every 15 seconds.
        if status.open_merges != self.counts["merges"]:
            self.merges.reload()
        if status.dead_jobs != self.counts["dead_letters"]:
            self.dead_letters.reload()
