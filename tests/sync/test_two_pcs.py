"""Two PCs of one clinic and a hub over loopback: what one records, the other gets."""

from __future__ import annotations

from core.services.clinic import setup_clinic
from core.services.patients import register_patient, update_patient
from core.search.query import search_patients
from sync.agent.run import sync_once
from tests.sync.devices import device_state, devices, differences, running_hub


def test_a_patient_registered_at_reception_reaches_the_doctors_pc(tmp_path):
    with running_hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub, devices(tmp_path, ["reception", "doctor"], hub) as pcs:
        reception, doctor = pcs["reception"], pcs["doctor"]
        clinic, admin = setup_clinic(reception, {"name": "Shanti Clinic"}, {"full_name": "Meena Joshi", "role": "admin"})
        from core.storage.database import Actor

        actor = Actor(admin.id, admin.full_name, "admin")
        patient = register_patient(reception, actor, {"full_name": "Ramesh Kumar", "gender": "male", "age_years": 52, "mobile": "9876543210"})

        first = sync_once(reception)
        assert first.online and first.error is None and first.pushed > 0
        second = sync_once(doctor)
        assert second.error is None and second.applied.rows_inserted >= 3

        with doctor.read() as session:
            hits = search_patients(session.connection(), "ramesh")
        assert [h.id for h in hits][:1] == [patient.id]
        assert differences(device_state(doctor), device_state(reception), "doctor", "reception") == []
        assert differences(device_state(doctor), hub.state(), "doctor", "hub") == []

        # The doctor's PC corrects the mobile; reception gets it on its next round.
        update_patient(doctor, actor, patient.id, {"mobile": "9876500000"})
        sync_once(doctor)
        sync_once(reception)
        assert differences(device_state(doctor), device_state(reception), "doctor", "reception") == []
        assert differences(device_state(doctor), hub.state(), "doctor", "hub") == []
