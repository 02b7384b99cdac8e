"""The workers under the desks: only the newest answer for a keyed read reaches the screen, errors
arrive as plain words, and an answer for a screen closed meanwhile is dropped quietly."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QLabel

from core.errors import InvalidInput
from desktop.tasks import Tasks


def test_only_the_newest_keyed_answer_is_shown(qtbot):
    tasks, shown, gate = Tasks(), [], threading.Event()
    tasks.run(lambda: gate.wait(10) and "ra", shown.append, key="search")  # still running when the next ones arrive
    for text in ("ram", "rame", "ramesh"):
        tasks.run(lambda t=text: t, shown.append, key="search")
    gate.set()
    qtbot.waitUntil(lambda: not tasks.busy)
    assert shown == ["ramesh"]
    tasks.stop()


def test_a_failure_arrives_in_plain_words(qtbot):
    tasks, messages = Tasks(), []

    def refuse():
        raise InvalidInput({"patient.mobile": "'12345' is not an Indian mobile number"})

    tasks.run(refuse, None, messages.append, lane="write")
    qtbot.waitUntil(lambda: not tasks.busy)
    assert messages == ["Mobile: '12345' is not an Indian mobile number"]
    tasks.stop()


def test_an_answer_for_a_closed_screen_is_dropped(qtbot):
    tasks, gate, failures = Tasks(), threading.Event(), []
    tasks.failed.connect(failures.append)
    label = QLabel()
    tasks.run(lambda: gate.wait(10) and "late", label.setText)
    label.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(label))
    gate.set()
    qtbot.waitUntil(lambda: not tasks.busy)
    assert failures == []
    tasks.stop()
