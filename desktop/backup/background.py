"""Work that may take minutes (a backup of a large clinic, an upload over a slow line, listing a
USB drive) on a thread of its own, its answer handed to the UI thread.

The desks' lanes (desktop.tasks) run one job after another, so a backup there would hold up the
search box or a save for as long as it takes. Each call here gets its own daemon thread instead:
closing the app never waits for one, and a backup cut short leaves only its temporary file, never a
file with a backup's name (core.backup.archive renames only what it has checked).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.errors import NadiError
from desktop.tasks import describe_error

log = logging.getLogger("nadi.desktop")


class Background(QObject):
    """Create and call on the UI thread; `done(result)` or `failed(message)` run there too."""

    _answer = Signal(int, object, object)  # number, result, exception; emitted on the worker thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._numbers = itertools.count(1)
        self._waiting: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._answer.connect(self._deliver)

    def run(self, fn: Callable[[], Any], done: Callable[[Any], None] | None = None, failed: Callable[[str], None] | None = None,
            name: str = "nadi-backup") -> None:
        number = next(self._numbers)
        self._waiting[number] = (done, failed)

        def work() -> None:
            try:
                result, error = fn(), None
            except BaseException as exc:  # noqa: BLE001 - handed to the UI thread, which says it
                result, error = None, exc
                if not isinstance(exc, NadiError):
                    log.exception("background work %s failed", name)
            try:
                self._answer.emit(number, result, error)
            except RuntimeError:
                pass  # the window closed while this ran: nobody is left to tell

        thread = threading.Thread(target=work, name=name, daemon=True)
        self._threads[number] = thread
        thread.start()

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    def wait(self, timeout_s: float) -> bool:
        """Join what is running (tests, and closing when there is time); False if still running."""
        for thread in list(self._threads.values()):
            thread.join(timeout_s)
        return not any(t.is_alive() for t in self._threads.values())

    def _deliver(self, number: int, result: Any, error: BaseException | None) -> None:
        done, failed = self._waiting.pop(number, (None, None))
        self._threads.pop(number, None)
        try:
            if error is not None:
                if failed is not None:
                    failed(describe_error(error))
            elif done is not None:
                done(result)
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise
