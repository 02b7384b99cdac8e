"""Long scribe work (a draft, a transcription) on a thread of its own, stoppable.

Not on the desk's task lanes: a cold model load or a long recording takes minutes, and searching,
saving and printing must not queue behind it. Each run carries a cancel flag the work checks; its
signals carry the run itself, so an answer from a run that was replaced (another patient opened,
Draft pressed again) is recognised and dropped. Runs are kept alive in RUNNING until their thread
ends, even if the panel that started them is gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

from core.errors import NadiError
from desktop.tasks import describe_error

log = logging.getLogger("nadi.desktop")

# Work is a function of (cancel flag, progress callback) that returns its result.
Work = Callable[[threading.Event, Callable[[Any], None]], Any]


class ScribeRun(QThread):
    progressed = Signal(object, object)  # run, progress report
    done = Signal(object, object)  # run, result
    failed = Signal(object, str, bool)  # run, message, stopped by cancel

    def __init__(self, name: str, work: Work, **about: Any) -> None:
        super().__init__()
        self.setObjectName(f"nadi-{name}")
        self.work = work
        self.cancel = threading.Event()
        self.about = about  # what the run was for (its visit, its transcript), read by whoever gets its answer
        self.error: BaseException | None = None  # what failed, for a caller that words some failures its own way
        self.finished.connect(self._forget)  # a slot of this object, which lives on the UI thread: run there, after the thread ended

    def start_kept(self) -> None:
        RUNNING.add(self)
        self.start()

    def _forget(self) -> None:
        RUNNING.discard(self)

    def run(self) -> None:
        try:
            result = self.work(self.cancel, lambda report: self.progressed.emit(self, report))
        except BaseException as exc:  # noqa: BLE001 - shown to the doctor as words, logged for IT
            self.error = exc
            if self.cancel.is_set():
                self.failed.emit(self, "", True)
                return
            if not isinstance(exc, NadiError):
                log.exception("the scribe's %s failed", self.objectName())
            self.failed.emit(self, describe_error(exc), False)
        else:
            if self.cancel.is_set():
                self.failed.emit(self, "", True)
            else:
                self.done.emit(self, result)


RUNNING: set[ScribeRun] = set()
