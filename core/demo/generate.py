"""`nadi demo`: a demo clinic with its staff, and patients with believable visit histories.

Everything is written through the ordinary services (registration, the visit-history import), so
demo data has the same audit events and change records as real data. For a given seed, patient
number i and their visits are always the same; a second run continues the numbering.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from core.demo import catalogue as cat
from core.demo.people import ANCHOR, demo_patient, person_rng
from core.services.clinic import add_staff, setup_clinic
from core.services.history import import_past_visits
from core.services.patients import register_patients
from core.storage.database import Actor, Database
from core.storage.models import Clinic, Patient, Staff

BATCH = 500
DEMO_SOURCE = "demo"


def add_demo_data(db: Database, patients: int, seed: int = 1) -> dict:
    admin, doctors = _clinic(db)
    with db.read() as session:
        start = session.scalar(select(func.count()).select_from(Patient))
    visits_added = 0
    for first in range(start, start + patients, BATCH):
        indexes = range(first, min(start + patients, first + BATCH))
        people = [_with_history_facts(seed, i, demo_patient(seed, i)) for i in indexes]
        registered = register_patients(db, admin, people)
        visits = []
        for i, person, row in zip(indexes, people, registered, strict=True):
            visits += _visits(seed, i, person, row, doctors)
        if visits:
            import_past_visits(db, admin, visits, source=DEMO_SOURCE)
            visits_added += len(visits)
    signed = _todays_consults(db, start, min(patients, len(TODAYS_CONSULTS)))
    _todays_queue(db, admin, start + len(signed), min(max(patients - len(signed), 0), len(WAITING_TODAY)), doctors)
    return {"data_dir": str(db.settings.data_dir), "seed": seed, "patients_added": patients, "encounters_added": visits_added + len(signed),
            "signed_prescriptions": signed}


# Today's consults: written from shorthand through the prescribing engine and signed, so the print
# and the QR verification can be tried on demo data (nadi rx print ID).
TODAYS_CONSULTS = (
    ("Fever with cough x 3 days", "Acute upper respiratory tract infection", "J06.9",
     ("Tab Dolo 650 1-1-1 x 3 days after food", "Tab Cetirizine 10 mg HS x 5 days", "Syp Ascoril LS 5 ml TDS x 5 days")),
    ("Headache, BP high on home monitor", "Essential hypertension", "I10",
     ("Tab Telma 40 OD x 30 days", "Tab Ecosprin 75 0-1-0 after food x 30 days")),
    ("Follow-up of diabetes; sugars high", "Type 2 diabetes mellitus", "E11.9",
     ("Tab Glycomet 500 1-0-1 PC x 30 days", "Tab Amaryl 1 OD before breakfast x 30 days")),
    ("Burning epigastric pain after meals", "Gastritis", "K29.7",
     ("Tab Pan 40 OD AC x 14 days", "Tab Dolo 650 SOS x 3 days")),
    ("Facial pain and nasal block x 5 days", "Acute sinusitis", "J01.9",
     ("Augmentin 625 Duo 1-0-1 after food x 5 days", "Tab Montair LC 0-0-1 x 5 days")),
)


TODAYS_VITALS = (
    {"systolic": 118, "diastolic": 76, "pulse": 98, "temperature_c": 38.3, "spo2": 97},
    {"systolic": 156, "diastolic": 96, "pulse": 82, "weight_kg": 78, "height_cm": 168},
    {"systolic": 132, "diastolic": 84, "pulse": 80, "weight_kg": 84, "height_cm": 170},
    {"systolic": 122, "diastolic": 80, "pulse": 76},
    {"systolic": 120, "diastolic": 78, "pulse": 88, "temperature_c": 37.6},
)


def _todays_consults(db: Database, first_patient: int, count: int) -> list[str]:
    from core.services import prescriptions, visits  # noqa: PLC0415 - only the demo needs these here

    with db.read() as session:
        people = list(session.scalars(select(Patient).order_by(Patient.created_at).offset(first_patient).limit(count)))
        doctors = list(session.execute(select(Staff.id, Staff.full_name).where(Staff.role == "doctor").order_by(Staff.created_at)))
    signed = []
    for n, (patient, (complaint, diagnosis, code, lines)) in enumerate(zip(people, TODAYS_CONSULTS)):
        doctor_id, doctor_name = doctors[n % len(doctors)]
        doctor = Actor(doctor_id, doctor_name, "doctor")
        encounter = visits.start_encounter(db, doctor, patient.id, doctor_id, note={"chief_complaint": complaint})
        visits.record_vitals(db, doctor, encounter.id, TODAYS_VITALS[n])
        visits.add_diagnosis(db, doctor, encounter.id, {"text": diagnosis, "code": code, "code_system": "ICD-10", "is_primary": True})
        rx = prescriptions.prescribe(db, doctor, encounter.id, list(lines))
        for status in prescriptions.prescription_alerts(db, rx.id):
            if status.blocking:  # demo patients carry random allergies and conditions
                prescriptions.override_alert(db, doctor, rx.id, status.alert.key, "Demo data: reviewed with the patient")
        prescriptions.sign_prescription(db, doctor, rx.id)
        signed.append(rx.id)
    return signed


# Who is still waiting today when the demo clinic opens: checked in, or booked for later.
WAITING_TODAY = ("walk_in", "walk_in", "walk_in", "booked", "booked", "walk_in")


def _todays_queue(db: Database, admin: Actor, first_patient: int, count: int, doctors: list[str]) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from core.services.visits import add_to_queue  # noqa: PLC0415
    from core.storage.types import utcnow  # noqa: PLC0415

    with db.read() as session:
        people = list(session.scalars(select(Patient.id).order_by(Patient.created_at).offset(first_patient).limit(count)))
    for n, (patient_id, kind) in enumerate(zip(people, WAITING_TODAY)):
        later = utcnow() + timedelta(minutes=20 * (n + 1)) if kind == "booked" else None
        add_to_queue(db, admin, {"patient_id": patient_id, "doctor_id": doctors[n % len(doctors)], "kind": kind, "scheduled_for": later,
                                 "reason": ("Fever", "Cough and cold", "BP review", "Diabetes follow-up", "Knee pain", "Skin rash")[n]})


def _clinic(db: Database) -> tuple[Actor, list[str]]:
    """The demo clinic and staff, made on first use; the admin to act as and the doctors' ids."""
    with db.read() as session:
        clinic = session.scalar(select(Clinic).order_by(Clinic.id).limit(1))
    if clinic is None:
        c = cat.CLINIC
        admin_member = next(m for m in cat.DEMO_STAFF if m.role == "admin")
        _, admin = setup_clinic(
            db,
            {"name": c.name, "address_line": f"{c.address_line}, {c.locality}", "city": c.city, "district": c.district, "state": c.state,
             "pincode": c.pincode, "phone": c.phone, "hfr_id": c.hfr_facility_id, "upi_id": c.upi_id},
            {"full_name": admin_member.full_name, "role": "admin"},
        )
        actor = Actor(admin.id, admin.full_name, "admin")
        for m in cat.DEMO_STAFF:
            if m.role != "admin":
                add_staff(db, actor, {"full_name": m.full_name, "role": m.role, "qualification": ", ".join(m.qualifications) or None,
                                      "registration_council": m.registration_council, "registration_number": m.registration_number, "hpr_id": m.hpr_id})
        _demo_pins_and_prices(db, actor)
    with db.read() as session:
        admin = session.scalar(select(Staff).where(Staff.role == "admin").order_by(Staff.created_at).limit(1))
        doctors = list(session.scalars(select(Staff.id).where(Staff.role == "doctor").order_by(Staff.created_at)))
    return Actor(admin.id, admin.full_name, "admin"), doctors


# Every demo person logs in with this PIN (README, "Trying the desks"). A real clinic's admin sets
# each person's own PIN under Admin → Staff.
DEMO_PIN = "2468"


def _demo_pins_and_prices(db: Database, admin: Actor) -> None:
    from core.services.price_list import add_starter_price_list  # noqa: PLC0415
    from core.services.staff_access import set_credential  # noqa: PLC0415

    with db.read() as session:
        staff_ids = list(session.scalars(select(Staff.id)))
    for staff_id in staff_ids:
        set_credential(db, admin, staff_id, DEMO_PIN)
    add_starter_price_list(db, admin)


def _age(person: dict) -> int:
    if "age_years" in person:
        return person["age_years"]
    born = datetime.fromisoformat(person["date_of_birth"]).date()
    return max(0, (ANCHOR - born).days // 365)


def _with_history_facts(seed: int, index: int, person: dict) -> dict:
    """Allergies and chronic conditions, as a clinic would have recorded them at registration."""
    rng = person_rng(seed, index, "facts")
    age, sex = _age(person), ("F" if person["gender"] == "female" else "M")
    if rng.random() < 0.08:
        allergy = rng.choice(cat.ALLERGIES)
        person["allergies"] = [{"substance": allergy.name, "reaction": allergy.typical_reaction}]
    eligible = [c for c in cat.CHRONIC_CONDITIONS if age >= c.min_age and c.sex in ("any", sex)]
    if eligible and age >= 35 and rng.random() < min(0.6, age / 120):
        chosen = rng.sample(eligible, k=min(len(eligible), rng.choice((1, 1, 2))))
        person["conditions"] = [{"name": c.name, "code": c.icd10_code, "code_system": c.code_system} for c in chosen]
    return person


def _visits(seed: int, index: int, person: dict, patient: Patient, doctors: list[str]) -> list[dict]:
    rng = person_rng(seed, index, "visits")
    age, sex = _age(person), ("F" if person["gender"] == "female" else "M")
    profiles = [p for p in cat.COMPLAINT_PROFILES if p.age_min <= age <= p.age_max and p.sex in ("any", sex)]
    if not profiles:
        return []
    chronic = [p for p in profiles if p.chronic]
    count = rng.choices((0, 1, 2, 3, 4), weights=(15, 35, 25, 15, 10))[0] + (1 if person.get("conditions") and chronic else 0)
    today = datetime.now(UTC).date()
    days_ago = sorted((rng.randint(1, 720) for _ in range(count)), reverse=True)
    visits = []
    for ago in days_ago:
        profile = rng.choice(chronic) if chronic and person.get("conditions") and rng.random() < 0.5 else rng.choice(profiles)
        when = datetime.combine(today - timedelta(days=ago), time(rng.choice((3, 4, 5, 6, 11, 12, 13, 14)), rng.randint(0, 59)), UTC)
        visits.append(_visit(rng, profile, patient.id, rng.choice(doctors), when, age, sex))
    return visits


def _visit(rng, profile: cat.ComplaintProfile, patient_id: str, doctor_id: str, when: datetime, age: int, sex: str) -> dict:
    r = profile.vitals
    vitals: dict = {
        "temperature_c": round(rng.uniform(*r.temperature_c), 1),
        "pulse": rng.randint(*r.pulse_bpm),
        "respiratory_rate": rng.randint(*r.resp_rate),
        "spo2": rng.randint(*r.spo2_pct),
    }
    if r.systolic_mmhg and r.diastolic_mmhg:
        vitals["systolic"], vitals["diastolic"] = rng.randint(*r.systolic_mmhg), rng.randint(*r.diastolic_mmhg)
        if vitals["systolic"] <= vitals["diastolic"]:
            vitals["systolic"] = vitals["diastolic"] + 30
    if age >= 16:
        height = rng.uniform(150, 168) if sex == "F" else rng.uniform(160, 180)
        vitals["height_cm"], vitals["weight_kg"] = round(height), round(height / 100 * height / 100 * rng.uniform(19, 31), 1)
    elif age >= 1:
        vitals["weight_kg"] = round(2 * age + 8 + rng.uniform(-1.5, 2.5), 1)
    lab_orders = []
    for test_name in profile.lab_orders:
        test = cat.lab_test_by_name(test_name)
        directions = {f.analyte: f.direction for f in profile.lab_findings}
        results = []
        for a in test.analytes:
            low = a.female_normal_low if sex == "F" and a.female_normal_low is not None else a.normal_low
            high = a.female_normal_high if sex == "F" and a.female_normal_high is not None else a.normal_high
            span = {"low": (a.abnormal_low, low), "high": (high, a.abnormal_high)}.get(directions.get(a.name), (low, high))
            value = round(rng.uniform(*span), a.decimals)
            results.append({"value": f"{value:.{a.decimals}f}", "unit": a.unit, "reference_low": low, "reference_high": high})
        lab_orders.append({"test_name": test.name, "results": results})
    fee = rng.choice(("300", "400", "500"))
    return {
        "patient_id": patient_id,
        "doctor_id": doctor_id,
        "started_at": when,
        "note": {"chief_complaint": profile.chief_complaint, "history": profile.history, "examination": profile.examination,
                 "assessment": profile.diagnosis, "advice": profile.advice, "follow_up_on": (when + timedelta(days=profile.review_after_days)).date()},
        "vitals": vitals,
        "diagnoses": [{"text": profile.diagnosis, "code": profile.icd10_code, "code_system": profile.code_system, "is_primary": True}],
        "prescription": [
            {"drug_name": i.generic_name, "strength": i.strength, "form": i.form, "dose": i.dose, "frequency": i.frequency,
             "timing": i.timing, "duration_days": i.duration_days, "instructions": i.instructions or None}
            for i in profile.prescription
        ],
        "lab_orders": lab_orders,
        "bill": {"items": [{"description": "Consultation", "unit_price": fee}] + [{"description": f"Lab: {o['test_name']}", "unit_price": "350"} for o in lab_orders],
                 "paid_by": rng.choice(("cash", "upi", "upi", "card"))},
    }
