"""Fixtures: a real encrypted clinic database in a temporary data directory, with its key kept in a
temporary key store, and the clinic's people to act as."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NADI_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.delenv("NADI_DB_KEY", raising=False)
    monkeypatch.delenv("NADI_DATA_DIR", raising=False)
    return tmp_path / "clinic"


@pytest.fixture
def settings(data_dir):
    from core.settings import load_settings

    return load_settings(data_dir)


@pytest.fixture
def db(settings):
    from core.storage.database import open_database

    database, _ = open_database(settings, create=True)
    yield database
    database.close()


@dataclass
class Team:
    clinic_id: str
    admin: object
    doctor: object
    receptionist: object


@pytest.fixture
def team(db) -> Team:
    from core.services.clinic import add_staff, setup_clinic
    from core.storage.database import Actor

    clinic, admin = setup_clinic(db, {"name": "Shanti Clinic", "city": "Pune", "pincode": "411001", "upi_id": "shanticlinic@okhdfc"}, {"full_name": "Meena Joshi", "role": "admin"})
    admin_actor = Actor(admin.id, admin.full_name, "admin")
    doctor = add_staff(db, admin_actor, {"full_name": "Dr Anand Kulkarni", "role": "doctor", "qualification": "MBBS, MD", "registration_council": "Maharashtra Medical Council", "registration_number": "MMC-2011-04567"})
    recep = add_staff(db, admin_actor, {"full_name": "Sunita Pawar", "role": "receptionist"})
    return Team(clinic.id, admin_actor, Actor(doctor.id, doctor.full_name, "doctor"), Actor(recep.id, recep.full_name, "receptionist"))
