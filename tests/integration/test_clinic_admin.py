"""The admin changes the clinic's details and who may log in, on a real encrypted database."""

import json

import pytest
from sqlalchemy import select

from core.errors import InvalidInput
from core.services.clinic import add_staff, check_clinic_details, current_clinic, set_staff_active, staff_roster, update_clinic
from core.services.staff_access import LoginRefused, log_in, login_choices, set_credential
from core.storage.models import AuditEvent


def _events(db, action):
    with db.read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_only_the_fields_given_change_and_the_change_is_audited(db, team):
    update_clinic(db, team.admin, {"phone": "020 2553 1234", "hfr_id": "IN2710000123", "city": ""})
    clinic = current_clinic(db)
    assert (clinic.name, clinic.pincode, clinic.upi_id) == ("Shanti Clinic", "411001", "shanticlinic@okhdfc")
    assert (clinic.phone, clinic.hfr_id, clinic.city) == ("2025531234", "IN2710000123", None)
    [event] = _events(db, "clinic.update")
    assert event.actor_label == "Meena Joshi"
    assert json.loads(event.detail)["changed"] == {"phone": "2025531234", "hfr_id": "IN2710000123", "city": None}


def test_a_bad_upi_id_is_refused_in_plain_words_and_nothing_changes(db, team):
    with pytest.raises(InvalidInput) as refused:
        update_clinic(db, team.admin, {"upi_id": "shanti clinic", "city": "Mumbai"})
    assert "is not a UPI id" in refused.value.problems["clinic.upi_id"]
    assert current_clinic(db).city == "Pune"
    assert _events(db, "clinic.update") == []


def test_the_clinic_keeps_a_name(db, team):
    with pytest.raises(InvalidInput, match="the clinic needs a name"):
        update_clinic(db, team.admin, {"name": "  "})
    assert current_clinic(db).name == "Shanti Clinic"


def test_only_the_admin_changes_the_clinic_or_the_staff_list(db, team):
    with pytest.raises(InvalidInput, match="only the admin"):
        update_clinic(db, team.receptionist, {"name": "Other Clinic"})
    with pytest.raises(InvalidInput, match="only the admin"):
        set_staff_active(db, team.doctor, team.receptionist.staff_id, False)


def test_a_deactivated_person_cannot_log_in_until_reactivated(db, team):
    set_credential(db, team.admin, team.receptionist.staff_id, "4826")
    set_staff_active(db, team.admin, team.receptionist.staff_id, False)
    assert "Sunita Pawar" not in [c.name for c in login_choices(db)]
    with pytest.raises(LoginRefused, match="not on the clinic's staff list"):
        log_in(db, team.receptionist.staff_id, "4826")
    roster = {e.name: e for e in staff_roster(db)}
    assert roster["Sunita Pawar"].active is False and roster["Sunita Pawar"].secret_kind == "pin"
    set_staff_active(db, team.admin, team.receptionist.staff_id, True)
    assert log_in(db, team.receptionist.staff_id, "4826").label == "Sunita Pawar"
    assert len(_events(db, "staff.deactivate")) == 1 and len(_events(db, "staff.reactivate")) == 1


def test_the_last_active_admin_stays(db, team):
    with pytest.raises(InvalidInput, match="only active admin"):
        set_staff_active(db, team.admin, team.admin.staff_id, False)
    second = add_staff(db, team.admin, {"full_name": "Ravi Deshpande", "role": "admin"})
    set_staff_active(db, team.admin, second.id, False)
    with pytest.raises(InvalidInput, match="only active admin"):
        set_staff_active(db, team.admin, team.admin.staff_id, False)
    set_staff_active(db, team.admin, second.id, True)
    set_staff_active(db, team.admin, team.admin.staff_id, False)
    assert [e.name for e in staff_roster(db) if e.role == "admin" and e.active] == ["Ravi Deshpande"]


def test_the_roster_shows_role_registration_and_whether_a_pin_is_set(db, team):
    set_credential(db, team.admin, team.doctor.staff_id, "a long password", "password")
    roster = {e.name: e for e in staff_roster(db)}
    assert roster["Dr Anand Kulkarni"].registration == "Maharashtra Medical Council MMC-2011-04567"
    assert roster["Dr Anand Kulkarni"].secret_kind == "password"
    assert roster["Sunita Pawar"].secret_kind is None


def test_new_clinic_details_are_checked_before_anything_is_written():
    assert check_clinic_details({"name": "Shanti Clinic", "upi_id": "shanticlinic@okhdfc", "hfr_id": "IN2710000123"}) == {}
    problems = check_clinic_details({"name": "", "pincode": "0123", "hfr_id": "12345"})
    assert set(problems) == {"name", "pincode", "hfr_id"}
    assert "IN followed by 10 digits" in problems["hfr_id"]
