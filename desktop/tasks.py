"""Work off the UI thread: database, printing and anything slow run on worker threads and report
back through Qt signals, so typing never waits (ARCHITECTURE.md, "Threads and time").

The shape is Anki's: a serial lane per kind of work, a job is a plain function of the database, and
the caller gives what to do with the result on the UI thread.

- The "write" lane runs writes one after another, in the order they were asked for.
- The "read" lane runs reads; a read given a `key` (the search box, the patient being opened)
  supersedes an older one with the same key that has not started, and a stale answer that finishes
  after a newer one was asked for is dropped, so the screen only ever shows the latest answer.
- The "print" lane renders PDFs and images.

A failure arrives as a plain-language message (`describe_error`), never a traceback; unexpected
errors are also written to the log with their traceback for IT.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from core.errors import InvalidInput, NadiError

log = logging.getLogger("nadi.desktop")

LANES = ("write", "read", "print")


def describe_error(exc: BaseException) -> str:
    """What a person at the desk reads when something fails."""
    if isinstance(exc, InvalidInput):
        return "; ".join(_field_label(k) + v for k, v in exc.problems.items())
    if isinstance(exc, NadiError):
        text = str(exc)
        return text[:1].upper() + text[1:]
    return f"Something went wrong ({type(exc).__name__}). Nothing was saved by this action; the details are in the log for IT."


def _field_label(key: str) -> str:
    # "patient.mobile" -> "Mobile: "; a message that is a whole sentence already has no key worth showing
    leaf = key.rsplit(".", 1)[-1].replace("_", " ")
    return f"{leaf[:1].upper()}{leaf[1:]}: " if leaf and leaf not in {"actor", "status"} else ""


@dataclass
class _Job:
    number: int
    lane: str
    fn: Callable[[], Any]
    key: str | None


class _Lane(QThread):
    """One worker thread taking jobs in order from its queue."""

    finished_job = Signal(int, object, object)  # number, result, exception

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(f"nadi-{name}")
        self.jobs: queue.Queue[_Job | None] = queue.Queue()
        self.current: _Job | None = None

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            self.current = job
            try:
                result, error = job.fn(), None
            except BaseException as exc:  # noqa: BLE001 - reported to the UI thread, which decides
                result, error = None, exc
                if not isinstance(exc, NadiError):
                    log.exception("task on the %s lane failed", job.lane)
            self.current = None
            self.finished_job.emit(job.number, result, error)


class Tasks(QObject):
    """The desk's workers. Create on the UI thread; call `run` from the UI thread only."""

    failed = Signal(str)  # a job without its own failure handler failed: show this message
    idle = Signal()  # every lane has finished everything it was given

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lanes: dict[str, _Lane] = {}
        self._numbers = itertools.count(1)
        self._pending: dict[int, tuple[Callable | None, Callable | None, str | None]] = {}
        self._latest: dict[str, int] = {}  # key -> the newest job asked for with that key
        self._lock = threading.Lock()
        self._stopped = False

    def run(self, fn: Callable[[], Any], done: Callable[[Any], None] | None = None, failed: Callable[[str], None] | None = None,
            *, lane: str = "read", key: str | None = None) -> None:
        """Run `fn()` on `lane`; then `done(result)` or `failed(message)` on the UI thread."""
        if lane not in LANES:
            raise ValueError(f"no lane {lane!r}")
        if self._stopped:
            return
        number = next(self._numbers)
        self._pending[number] = (done, failed, key)
        if key is not None:
            self._latest[key] = number
        job = _Job(number, lane, fn, key)
        if key is not None:
            job.fn = self._unless_superseded(job)
        self._lane(lane).jobs.put(job)

    def _unless_superseded(self, job: _Job) -> Callable[[], Any]:
        fn = job.fn

        def run_if_latest():
            if self._latest.get(job.key) != job.number:
                return _SKIPPED
            return fn()

        return run_if_latest

    def _lane(self, name: str) -> _Lane:
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = _Lane(name)
            lane.finished_job.connect(self._finish)
            lane.start()
        return lane

    def _finish(self, number: int, result: Any, error: BaseException | None) -> None:
        done, failed, key = self._pending.pop(number, (None, None, None))
        stale = key is not None and self._latest.get(key) != number
        if key is not None and not stale:
            del self._latest[key]
        if not (stale or result is _SKIPPED):
            try:
                if error is not None:
                    message = describe_error(error)
                    if _alive(failed):
                        (failed or self.failed.emit)(message)
                elif done is not None and _alive(done):
                    done(result)
            except RuntimeError as exc:
                # The screen that asked was closed while the work ran (a log-out rebuilds the desks):
                # there is nobody left to show the answer to.
                if "already deleted" not in str(exc):
                    raise
                log.debug("answer for a closed screen dropped: %s", exc)
        if not self._pending:
            self.idle.emit()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def stop(self, wait_ms: int = 10_000) -> None:
        """Finish what was asked (a save in flight completes), then end the threads."""
        self._stopped = True
        for lane in self._lanes.values():
            lane.jobs.put(None)
        for lane in self._lanes.values():
            lane.wait(wait_ms)
        self._lanes.clear()


_SKIPPED = object()


def _alive(callback) -> bool:
    """False when the callback is a method of a Qt object that has since been deleted."""
    from shiboken6 import isValid  # noqa: PLC0415

    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or isValid(owner)
