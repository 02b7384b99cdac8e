"""Sync at the desks, through the real window on a real encrypted database and, where a hub is
involved, a real hub over loopback: the status bar, joining a hub from the Sync screen, losing it,
closing while a round is stuck, the merge queue and the dead-letter list."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from core.services.merges import detect_candidates, open_candidates
from core.services.patients import register_patient
from core.services.visits import add_to_queue, start_encounter
from core.storage.database import Actor
from core.storage.models import Encounter, RelayMessage
from sync.agent.enrol import enrol
from sync.agent.relay_inbox import PROCESS_KIND, relay_handlers
from sync.agent.run import sync_once
from sync.agent.state import load_state, sync_status
from sync.hub.app import create_app
from sync.hub.clinics import add_clinic
from sync.hub.engine import open_hub
from sync.jobs import enqueue, job_counts, run_due
from tests.sync.devices import open_device, running_hub
from tests.sync.hub_server import serve_app
from tests.ui.desk_driver import give_pins, open_desks

IT = Actor(None, "clinic IT (test)", "admin")
ROUND_MS = 20000  # a generous deadline for one sync round over loopback on a slow CI machine


@pytest.fixture
def desks(qtbot, db, team):
    give_pins(db, team)
    d = open_desks(qtbot, db)
    yield d
    d.window.close()
    if d.desk.sync is not None:
        assert d.desk.sync.wait_stopped(30), "the sync agent did not stop after the window closed"


def start_agent(desks, qtbot):
    """This PC's agent, as desktop.app starts it with the window. Rounds come when asked for (a write,
    "Sync now", joining a hub): the interval is long, so no round happens that the test did not cause."""
    from desktop.sync.agent import DeskSync

    agent = DeskSync(desks.desk, interval_s=600, write_gap_s=0.2)
    desks.window.attach_sync(agent)
    agent.start()
    qtbot.waitUntil(lambda: agent.running and agent.status is not None and not agent.syncing, timeout=ROUND_MS)
    return agent


def bar(desks) -> str:
    return desks.window.sync_status.state.text()


def open_sync_screen(desks, qtbot):
    qtbot.keyClick(desks.window, Qt.Key.Key_F10)
    view = desks.view("sync")
    assert desks.window.tabs.currentWidget() is view
    return view


# --- the status bar and joining a hub ----------------------------------------------------------------


def test_a_pc_on_its_own_says_so_and_only_the_admin_may_join_it_to_a_hub(desks, qtbot):
    start_agent(desks, qtbot)
    desks.log_in("Sunita Pawar")
    qtbot.waitUntil(lambda: bar(desks) == "Not syncing · this PC only")
    assert "join it to the clinic's hub" in desks.window.sync_status.state.toolTip()
    assert list(desks.window.views) == ["reception", "billing", "sync"]
    screen = open_sync_screen(desks, qtbot)
    qtbot.waitUntil(lambda: screen.connection.showing == "alone")
    assert "This PC is not syncing" in screen.connection.alone.text()
    assert screen.findChild(QLineEdit, "join_hub_url") is None  # reception asks the admin

    desks.log_in("Dr Anand Kulkarni")
    assert "sync" not in desks.window.views  # the doctor's desk stays clinical; the bar still tells
    assert bar(desks) == "Not syncing · this PC only"

    desks.log_in("Meena Joshi")
    screen = open_sync_screen(desks, qtbot)
    qtbot.waitUntil(lambda: screen.connection.showing == "alone")
    screen.focus_first()
    assert screen.connection.join_hub_url.hasFocus()
    qtbot.mouseClick(screen.connection.join_button, Qt.MouseButton.LeftButton)
    assert screen.connection.join_error.text() == "Type the hub's address (clinic IT has it)."


def test_joining_a_hub_from_the_screen_then_losing_it(desks, qtbot, db, team, tmp_path):
    agent = start_agent(desks, qtbot)
    desks.log_in("Meena Joshi")
    screen = open_sync_screen(desks, qtbot)
    connection = screen.connection
    qtbot.waitUntil(lambda: connection.showing == "alone")
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub:
        # A token copied wrong: the hub's own words under the form, and the PC has joined nothing.
        qtbot.keyClicks(connection.join_hub_url, hub.url)
        qtbot.keyClicks(connection.join_token, "not-the-token")
        qtbot.keyClick(connection.join_token, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: connection.join_error.text().startswith("The hub said no:"), timeout=ROUND_MS)
        assert "enrolment token is not known" in connection.join_error.text()
        assert not sync_status(db).enrolled and bar(desks) == "Not syncing · this PC only"

        connection.join_token.clear()
        qtbot.keyClicks(connection.join_token, hub.token)
        connection.join_name.setText("Reception PC")
        qtbot.mouseClick(connection.join_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bar(desks).startswith("Online · synced "), timeout=ROUND_MS)
        assert re.fullmatch(r"Online · synced \d\d:\d\d", bar(desks))
        assert desks.window.sync_status.state.property("tone") == "ok"
        assert "joined Shanti Clinic" in desks.window.message.text()
        qtbot.waitUntil(lambda: connection.showing == "joined" and connection.hub.text() == hub.url, timeout=ROUND_MS)
        assert connection.device.text() == f"Reception PC  ·  id {load_state(db).device_id}"
        assert connection.clinic.text().startswith("Shanti Clinic  ·  id ")
        assert team.admin.staff_id in hub.state()["staff"]  # what this PC held went up to the hub

    # The hub is gone (cable pulled, server off). A registration at the desk still saves, at once,
    # and the bar says the hub cannot be reached and how much is waiting for it.
    patient = []
    desks.desk.write(lambda db_, actor: register_patient(db_, actor, {"full_name": "Kavita Deshmukh", "gender": "female", "age_years": 34}),
                     patient.append)
    qtbot.waitUntil(lambda: bar(desks).startswith("Offline since "), timeout=ROUND_MS)
    assert patient, "the registration waited for the network"
    assert re.fullmatch(r"Offline since \d\d:\d\d · \d+ changes? waiting", bar(desks))
    waiting = int(bar(desks).split(" · ")[1].split()[0])
    assert waiting == sync_status(db).pending_changes > 0
    assert desks.window.sync_status.state.property("tone") == "warning"
    assert "cannot be reached" in desks.window.sync_status.state.toolTip()
    assert agent.report is not None and not agent.report.online


def test_a_patient_queued_at_reception_reaches_the_doctors_desk_by_itself(qtbot, db, team, tmp_path, monkeypatch):
    monkeypatch.setenv("NADI_SYNC_INTERVAL", "1")  # the clinic's PCs sync every 15 s; the test need not wait that long
    from desktop.sync.agent import DeskSync

    give_pins(db, team)
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub:
        enrol(db, IT, hub.url, hub.token, "Doctor PC")  # `db` is the doctor's PC
        assert sync_once(db).error is None
        reception = open_device(tmp_path, "reception")
        try:
            enrol(reception, IT, hub.url, hub.token, "Reception PC")
            assert sync_once(reception).error is None  # reception now knows the clinic's doctors

            desks = open_desks(qtbot, db)
            agent = DeskSync(desks.desk)
            assert agent.interval_s == 1
            desks.window.attach_sync(agent)
            agent.start()
            desks.log_in("Dr Anand Kulkarni")
            desks.window._watch.setInterval(600_000)  # only the agent's news may refresh the queue here
            consult = desks.view("consult")
            assert consult.queue.entries == []

            patient = register_patient(reception, team.receptionist, {"full_name": "Gurpreet Kaur", "gender": "female", "age_years": 29})
            add_to_queue(reception, team.receptionist, {"patient_id": patient.id, "doctor_id": team.doctor.staff_id})
            assert sync_once(reception).pushed > 0
            qtbot.waitUntil(lambda: [e.name for e in consult.queue.entries] == ["Gurpreet Kaur"], timeout=ROUND_MS)
            assert bar(desks).startswith("Online · synced ")

            # Closed between two rounds: a round in flight at close is the test below.
            report = agent.report
            qtbot.waitUntil(lambda: agent.report is not report, timeout=ROUND_MS)
            desks.window.close()
            assert agent.wait_stopped(30)
        finally:
            reception.close()


class QuietHub:
    """A hub that took the connection and went quiet: every request is held until `release()`."""

    def __init__(self, app) -> None:
        self.app = app
        self.open = threading.Event()
        self.held = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and not self.open.is_set():
            self.held += 1
            while not self.open.is_set():
                await asyncio.sleep(0.01)
        await self.app(scope, receive, send)

    def release(self) -> None:
        self.open.set()


def test_closing_the_window_does_not_wait_for_a_hub_that_went_quiet(qtbot, db, team, tmp_path):
    give_pins(db, team)
    engine = open_hub(f"sqlite:///{tmp_path / 'hub.db'}")
    made = add_clinic(engine, "Shanti Clinic")
    quiet = QuietHub(create_app(engine))
    quiet.release()
    try:
        with serve_app(quiet) as url:
            try:
                enrol(db, IT, url, made.enrolment_token, "Reception PC")
                quiet.open.clear()
                desks = open_desks(qtbot, db)
                from desktop.sync.agent import DeskSync

                agent = DeskSync(desks.desk, interval_s=600)
                desks.window.attach_sync(agent)
                agent.start()  # its first round goes to the hub at once, and hangs there
                qtbot.waitUntil(lambda: quiet.held > 0, timeout=ROUND_MS)
                assert bar(desks) == "Syncing…"

                started = time.monotonic()
                desks.window.close()
                assert time.monotonic() - started < 2.0
                assert not agent.wait_stopped(0.2), "the round should still be waiting on the hub"
            finally:
                quiet.release()  # before the server stops: it waits for the requests it holds
            assert agent.wait_stopped(30)
    finally:
        engine.dispose()


# --- the merge queue ----------------------------------------------------------------------------------


def _pair(db, team, first: str, second: str, mobile: str, visit_for_second: bool = False):
    a = register_patient(db, team.receptionist, {"full_name": first, "gender": "male", "age_years": 52, "mobile": mobile})
    b = register_patient(db, team.receptionist, {"full_name": second, "gender": "male", "age_years": 52, "mobile": mobile})
    if visit_for_second:
        start_encounter(db, team.doctor, b.id, team.doctor.staff_id)
    with db.write(team.receptionist) as session:  # as a sync pull does after applying a batch
        assert len(detect_candidates(session, [a.id, b.id])) == 1
    return a, b


def test_reception_merges_a_patient_registered_twice(desks, qtbot, db, team):
    kept, duplicate = _pair(db, team, "Ramesh Kumar", "Ramesh Kumaar", "9876543210", visit_for_second=True)
    start_agent(desks, qtbot)
    desks.log_in("Sunita Pawar")
    link = desks.window.sync_status.merges_button
    qtbot.waitUntil(lambda: link.isVisible())
    assert link.text() == "1 possible duplicate"
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    screen = desks.view("sync")
    assert desks.window.tabs.currentWidget() is screen and screen.parts.currentWidget() is screen.merges
    merges = screen.merges
    qtbot.waitUntil(lambda: merges.table.rowCount() == 1)
    assert [merges.table.item(0, c).text() for c in range(2)] == ["Ramesh Kumar", "Ramesh Kumaar"]
    assert "same mobile 9876543210 and a close name" in merges.reason.text()  # the rest of the wording is core's
    compare = {name: (left.text(), right.text()) for name, (left, right) in merges.compare_cells.items()}
    assert compare["Mobile"] == ("9876543210", "9876543210") and compare["Visits"] == ("0", "1")
    assert screen.parts.tabText(0) == "Possible duplicates  (1)"

    # The keyboard alone: Alt+L asks, Enter confirms.
    merges.table.setFocus()
    qtbot.keyClick(merges.table, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(merges.confirm_box.isVisible)  # a mnemonic presses its button visibly, for a moment
    assert merges.confirm_button.hasFocus()
    text = merges.confirm_text.text()
    assert "Keep Ramesh Kumar</b> (the left record" in text and "1 visit and everything else recorded for them moves to Ramesh Kumar" in text
    qtbot.keyClick(merges.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: merges.empty.isVisible(), timeout=15000)
    assert merges.outcome.text().startswith("Merged into Ramesh Kumar; ")
    qtbot.waitUntil(lambda: not link.isVisible())
    assert screen.parts.tabText(0) == "Possible duplicates"

    # Reception's search finds one Ramesh, and the visit is his.
    qtbot.keyClick(desks.window, Qt.Key.Key_F2)
    reception = desks.view("reception")
    qtbot.keyClicks(reception.search.box, "Ramesh")
    qtbot.waitUntil(lambda: reception.search.count.text().startswith("1 found"), timeout=15000)
    assert [h.id for h in reception.search.hits] == [kept.id]
    with db.read() as session:
        assert {e.patient_id for e in session.query(Encounter)} == {kept.id}
    assert open_candidates(db) == []


def test_two_different_people_need_a_reason_and_leave_the_queue(desks, qtbot, db, team):
    _pair(db, team, "Suresh Patil", "Suresh Patel", "9822001122")
    start_agent(desks, qtbot)
    desks.log_in("Sunita Pawar")
    screen = open_sync_screen(desks, qtbot)
    merges = screen.merges
    qtbot.waitUntil(lambda: merges.table.rowCount() == 1)
    qtbot.mouseClick(merges.not_same, Qt.MouseButton.LeftButton)
    assert merges.reason_box.isVisible() and merges.dismiss_reason.hasFocus()
    qtbot.keyClick(merges.dismiss_reason, Qt.Key.Key_Return)  # no reason given
    qtbot.waitUntil(lambda: merges.reason_error.isVisible(), timeout=15000)
    assert "say why these are two different people" in merges.reason_error.text()
    assert merges.table.rowCount() == 1 and len(open_candidates(db)) == 1

    qtbot.keyClicks(merges.dismiss_reason, "Father and son sharing a phone")
    qtbot.keyClick(merges.dismiss_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: merges.empty.isVisible(), timeout=15000)
    assert "kept as two people" in merges.outcome.text()
    assert open_candidates(db) == []


# --- the dead-letter list -----------------------------------------------------------------------------


def _dead_letters(db) -> None:
    """Two jobs that cannot succeed: an ABDM callback this version cannot process yet, and a job of a
    kind this version has no handler for."""
    now = datetime.now(UTC)
    with db.write(IT) as session:
        message = RelayMessage(id="0190c0de-0000-7000-8000-000000000001", relay_seq=1, source="abdm", request_id="req-1",
                               path="/v0.5/links/link/on-add-contexts", headers=json.dumps({}), body=b"{}", verified="test",
                               received_at=now)
        session.add(message)
        session.flush()
        enqueue(session, PROCESS_KIND, f"relay:{message.id}", {"message_id": message.id})
        enqueue(session, "nhcx.claim_submit", "claim:1", {"claim": "1"})
    handlers = relay_handlers(db)
    assert len(run_due(db, handlers).dead) == 2


def test_the_admin_retries_and_dismisses_dead_letters(desks, qtbot, db, team):
    _dead_letters(db)
    start_agent(desks, qtbot)
    desks.log_in("Meena Joshi")
    link = desks.window.sync_status.dead_button
    qtbot.waitUntil(lambda: link.isVisible())
    assert link.text() == "2 dead letters"
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    screen = desks.view("sync")
    dead = screen.dead_letters
    assert screen.parts.currentWidget() is dead
    qtbot.waitUntil(lambda: dead.table.rowCount() == 2)
    rows = [[dead.table.item(r, c).text() for c in range(3)] for r in range(2)]
    assert rows[0][0].startswith("ABDM message to /v0.5/links/link/on-add-contexts, received ")
    assert rows[0][1:] == ["1", "ABDM callbacks are not handled by this version of Nadi yet; the message is kept"]
    assert rows[1] == ["A “nhcx.claim_submit” job", "1", "This version of Nadi has no handler for jobs of kind 'nhcx.claim_submit'; the job is kept"]

    dead.table.selectRow(0)
    qtbot.mouseClick(dead.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dead.table.rowCount() == 1, timeout=15000)
    assert dead.outcome.text().startswith("Sent back to the queue: “ABDM message")
    assert job_counts(db)["queued"] == 1
    qtbot.waitUntil(lambda: link.text() == "1 dead letter")

    qtbot.mouseClick(dead.dismiss_ask, Qt.MouseButton.LeftButton)
    assert dead.reason.hasFocus()
    qtbot.mouseClick(dead.dismiss_button, Qt.MouseButton.LeftButton)  # no reason given
    qtbot.waitUntil(lambda: dead.reason_error.isVisible(), timeout=15000)
    assert "say why this job is being dismissed" in dead.reason_error.text()
    assert dead.table.rowCount() == 1 and job_counts(db)["dead"] == 1
    qtbot.keyClicks(dead.reason, "NHCX not used by this clinic")
    qtbot.keyClick(dead.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dead.empty.isVisible(), timeout=15000)
    assert job_counts(db)["dismissed"] == 1
    qtbot.waitUntil(lambda: not link.isVisible())


def test_reception_sees_dead_letters_but_leaves_them_to_the_admin(desks, qtbot, db, team):
    _dead_letters(db)
    start_agent(desks, qtbot)
    desks.log_in("Sunita Pawar")
    screen = open_sync_screen(desks, qtbot)
    qtbot.keyClick(screen, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    dead = screen.dead_letters
    assert screen.parts.currentWidget() is dead
    qtbot.waitUntil(lambda: dead.table.rowCount() == 2)
    assert not dead.retry_button.isVisible() and not dead.dismiss_ask.isVisible()
