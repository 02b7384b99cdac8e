"""The hub as clinic IT and a PC meet it: clinics and tokens, enrolment, authentication on every
call, one clinic never seeing another's data, and pushes that are safe to repeat."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import text

from core.services.clinic import setup_clinic
from core.services.patients import register_patient
from core.storage.database import Actor
from desktop.cli import main
from sync.agent.enrol import enrol
from sync.agent.hub_client import HubClient, HubRefused
from sync.agent.run import sync_once
from sync.agent.state import load_state, sync_status
from sync.hub.clinics import add_clinic, revoke_device
from sync.hub.schema import device
from tests.sync.devices import IT, device_state, devices, differences, open_device, running_hub


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return request.getfixturevalue("pg_url")


def _clinic_with_patient(db, name="Ramesh Kumar", mobile="9876543210"):
    _, admin = setup_clinic(db, {"name": "Shanti Clinic"}, {"full_name": "Meena Joshi", "role": "admin"})
    actor = Actor(admin.id, admin.full_name, "admin")
    return actor, register_patient(db, actor, {"full_name": name, "gender": "male", "age_years": 52, "mobile": mobile})


def test_add_clinic_prints_its_id_and_a_token(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    assert main(["hub", "add-clinic", "Shanti Clinic", "--db", url, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"clinic_id", "enrolment_token"}
    assert out["enrolment_token"].startswith("nadi-enrol-") and len(out["clinic_id"]) == 36


def test_a_hub_database_that_is_not_a_database_url_is_explained(capsys):
    assert main(["hub", "add-clinic", "X", "--db", "mysql://somewhere/db"]) == 2
    assert "PostgreSQL or SQLite" in capsys.readouterr().err


def test_a_wrong_or_expired_token_is_refused_in_words(tmp_path, hub_url):
    with running_hub(hub_url) as hub:
        db = open_device(tmp_path, "reception")
        try:
            with pytest.raises(HubRefused) as wrong:
                enrol(db, IT, hub.url, "nadi-enrol-not-a-real-token")
            assert wrong.value.status == 401 and "not known to the hub" in str(wrong.value)
            assert load_state(db) is None  # nothing half-written
            with hub.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE hub_enrolment_token SET expires_at = '2020-01-01T00:00:00.000000Z'")
            with pytest.raises(HubRefused) as expired:
                enrol(db, IT, hub.url, hub.token)
            assert "expired" in str(expired.value)
        finally:
            db.close()


def test_an_unreachable_hub_at_enrolment_says_so(tmp_path):
    db = open_device(tmp_path, "reception")
    try:
        with pytest.raises(Exception) as caught:
            enrol(db, IT, "http://127.0.0.1:9", "nadi-enrol-x")
        assert "cannot be reached" in str(caught.value)
    finally:
        db.close()


def test_a_clinic_sees_only_its_own_changes(tmp_path, hub_url):
    with running_hub(hub_url) as hub:
        other = add_clinic(hub.engine, "Other Clinic")
        with devices(tmp_path, ["shanti"], hub) as ours:
            theirs_db = open_device(tmp_path, "other")
            try:
                enrol(theirs_db, IT, hub.url, other.enrolment_token)
                _clinic_with_patient(ours["shanti"], "Ramesh Kumar")
                _clinic_with_patient(theirs_db, "Kavita Iyer", "9123456780")
                sync_once(ours["shanti"])
                sync_once(theirs_db)
                sync_once(ours["shanti"])
                names = {row["full_name"] for row in device_state(ours["shanti"])["patient"].values()}
                assert names == {"Ramesh Kumar"}
                state = load_state(theirs_db)
                with HubClient(hub.url, state.device_id, state.device_secret) as client:
                    pulled = client.call("GET", "/v1/pull", params={"after": 0})
                assert {c["entity"] for c in pulled["changes"]} >= {"patient"}
                assert all("Ramesh" not in c["data"] for c in pulled["changes"])
            finally:
                theirs_db.close()


def test_calls_without_or_with_wrong_credentials_are_refused(tmp_path):
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub, devices(tmp_path, ["reception"], hub) as pcs:
        assert httpx.get(f"{hub.url}/v1/pull").status_code == 401
        state = load_state(pcs["reception"])
        wrong = httpx.get(f"{hub.url}/v1/pull", headers={"authorization": f"Bearer {state.device_id}:not-the-secret"})
        assert wrong.status_code == 401 and "enrol it again" in wrong.json()["detail"]


def test_a_revoked_pc_is_refused_and_told_why(tmp_path):
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub, devices(tmp_path, ["reception"], hub) as pcs:
        db = pcs["reception"]
        _clinic_with_patient(db)
        assert sync_once(db).error is None
        revoke_device(hub.engine, load_state(db).device_id)
        register_patient(db, Actor(None, "test", "admin"), {"full_name": "Sita Devi", "gender": "female", "age_years": 40})
        report = sync_once(db)
        assert report.error and "no longer accepts this PC" in report.error and "revoked" in report.error
        status = sync_status(db)
        assert status.pending_changes > 0 and "revoked" in status.last_error  # kept, waiting, and explained
        with pytest.raises(HubRefused) as again:
            enrol(db, IT, hub.url, hub.token)
        assert again.value.status == 403


def test_the_same_push_twice_is_held_once_and_a_pc_cannot_push_as_another(tmp_path, hub_url):
    with running_hub(hub_url) as hub, devices(tmp_path, ["reception"], hub) as pcs:
        db = pcs["reception"]
        _clinic_with_patient(db)
        state = load_state(db)
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT seq, id, tx_id, entity, row_id, op, data, hlc FROM change ORDER BY seq").all()
        body = {"after": 0, "changes": [{"id": r.id, "node_id": db.node_id, "node_seq": r.seq, "tx_id": r.tx_id, "entity": r.entity, "row_id": r.row_id, "op": r.op, "data": r.data, "hlc": r.hlc} for r in rows]}
        with HubClient(hub.url, state.device_id, state.device_secret) as client:
            first = client.call("POST", "/v1/push", json_body=body)
            second = client.call("POST", "/v1/push", json_body=body)
            assert first["accepted"] == len(rows) and first["duplicates"] == 0
            assert second["accepted"] == 0 and second["duplicates"] == len(rows)
            assert first["head"] == second["head"] == len(rows)
            forged = dict(body, changes=[dict(body["changes"][0], id="01a1fc32-0000-7000-8000-000000000001", node_id="someone-else")])
            with pytest.raises(HubRefused) as refused:
                client.call("POST", "/v1/push", json_body=forged)
            assert refused.value.status == 403 and "pushes only its own changes" in str(refused.value)
            with pytest.raises(HubRefused) as invalid:
                client.call("POST", "/v1/push", json_body={"after": 0, "changes": [{"id": "short"}]})
            assert invalid.value.status == 422 and "changes.0" in str(invalid.value)


def test_a_hub_restored_from_an_older_copy_loses_nothing(tmp_path, hub_url):
    """The hub is put back from last night's copy: it lost reception's later changes, and it will
    number new changes from its old head. Reception's next push is told where the hub stands (409)
    and sends again; a PC whose cursor had passed the restored head notices that the hub's change at
    its cursor is another one, and reads the stream again, so it misses nothing pushed since."""
    with running_hub(hub_url) as hub, devices(tmp_path, ["reception", "doctor"], hub) as pcs:
        reception, doctor = pcs["reception"], pcs["doctor"]
        actor, _ = _clinic_with_patient(reception)
        sync_once(reception)
        register_patient(reception, actor, {"full_name": "Sita Devi", "gender": "female", "age_years": 40})
        sync_once(reception)
        sync_once(doctor)
        state = load_state(reception)
        with hub.engine.begin() as conn:  # the "restore": the hub forgets the second push
            last = conn.execute(text("SELECT min(server_seq) FROM hub_change WHERE data LIKE :name"), {"name": "%Sita Devi%"}).scalar()
            conn.execute(text("DELETE FROM hub_change WHERE server_seq >= :last"), {"last": last})
            conn.execute(text("UPDATE hub_clinic SET head_seq = :head"), {"head": last - 1})
            conn.execute(device.update().where(device.c.id == state.device_id).values(high_water=3))
        # After the restore the doctor's PC is first to sync: its new patient takes numbers that
        # reception's cursor has already passed.
        register_patient(doctor, actor, {"full_name": "Arjun Nair", "gender": "male", "age_years": 8})
        assert sync_once(doctor).error is None
        register_patient(reception, actor, {"full_name": "Gita Rao", "gender": "female", "age_years": 33})
        assert sync_once(reception).error is None
        assert sync_once(doctor).error is None
        names = {row["full_name"] for row in hub.state()["patient"].values()}
        assert names == {"Ramesh Kumar", "Sita Devi", "Gita Rao", "Arjun Nair"}
        for pc in ("doctor", "reception"):
            assert differences(device_state(pcs[pc]), hub.state(), pc, "hub") == []
