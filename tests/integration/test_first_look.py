"""The log-in screen's first look into the database, taken before the ORM loads (start-up speed)."""

from __future__ import annotations

from core.storage.first_look import first_look


def test_it_reads_the_clinic_and_who_can_log_in(db, team, settings):
    from core.services.staff_access import login_choices, set_credential

    set_credential(db, team.admin, team.doctor.staff_id, "4826")
    look = first_look(settings)
    assert look.clinic_name == "Shanti Clinic"
    assert look.choices == login_choices(db)  # the same list the full database gives
    assert [c.kind for c in look.choices if c.staff_id == team.doctor.staff_id] == ["pin"]


def test_it_steps_aside_whenever_the_full_open_must_come_first(db, settings, tmp_path):
    from sqlalchemy import text

    assert first_look(settings) is None  # a database with no clinic yet: the first-run wizard needs the full open
    from core.settings import load_settings

    assert first_look(load_settings(tmp_path / "empty")) is None  # no database at all
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    assert first_look(settings) is None  # one that must be migrated first
