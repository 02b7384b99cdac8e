"""The clinic record: every table of the first release, and the patient search index.

Datetimes are ISO 8601 UTC text (core.storage.types.UtcDateTime); migrations spell them as
String(32) so they never depend on application code that may change later.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 01:13:47.204622
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('audit_event',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('node_id', sa.String(length=36), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=True),
    sa.Column('entity_id', sa.String(length=36), nullable=True),
    sa.Column('patient_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('id', name=op.f('uq_audit_event_id'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_patient_id'), ['patient_id'], unique=False)

    op.create_table('change',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tx_id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('hlc', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change')),
    sa.UniqueConstraint('id', name=op.f('uq_change_id'))
    )
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.create_index('ix_change_entity_row', ['entity', 'row_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_tx_id'), ['tx_id'], unique=False)

    op.create_table('clinic',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address_line', sa.Text(), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=100), nullable=True),
    sa.Column('pincode', sa.String(length=6), nullable=True),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('hfr_id', sa.String(length=32), nullable=True),
    sa.Column('upi_id', sa.String(length=100), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic'))
    )
    op.create_table('local_node',
    sa.Column('node_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('node_id', name=op.f('pk_local_node'))
    )
    op.create_table('patient',
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('birth_date_estimated', sa.Boolean(), nullable=False),
    sa.Column('mobile', sa.String(length=10), nullable=True),
    sa.Column('address_line', sa.Text(), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=100), nullable=True),
    sa.Column('pincode', sa.String(length=6), nullable=True),
    sa.Column('preferred_language', sa.String(length=40), nullable=True),
    sa.Column('abha_number', sa.String(length=17), nullable=True),
    sa.Column('abha_address', sa.String(length=80), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient'))
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_abha_address'), ['abha_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_abha_number'), ['abha_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_mobile'), ['mobile'], unique=False)

    op.create_table('search_term',
    sa.Column('variant', sa.String(length=60), nullable=False),
    sa.Column('term', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('variant', 'term', name=op.f('pk_search_term')),
    sqlite_with_rowid=False
    )
    op.create_table('allergy',
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('substance', sa.String(length=200), nullable=False),
    sa.Column('reaction', sa.Text(), nullable=True),
    sa.Column('severity', sa.String(length=16), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_allergy_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allergy'))
    )
    with op.batch_alter_table('allergy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allergy_patient_id'), ['patient_id'], unique=False)

    op.create_table('chronic_condition',
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=True),
    sa.Column('code_system', sa.String(length=40), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_chronic_condition_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chronic_condition'))
    )
    with op.batch_alter_table('chronic_condition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chronic_condition_patient_id'), ['patient_id'], unique=False)

    op.create_table('patient_identifier',
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('system', sa.String(length=80), nullable=False),
    sa.Column('value', sa.String(length=80), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_identifier_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_identifier'))
    )
    with op.batch_alter_table('patient_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_identifier_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_identifier_value'), ['value'], unique=False)

    op.create_table('staff',
    sa.Column('clinic_id', sa.String(length=36), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('qualification', sa.String(length=100), nullable=True),
    sa.Column('registration_council', sa.String(length=200), nullable=True),
    sa.Column('registration_number', sa.String(length=50), nullable=True),
    sa.Column('hpr_id', sa.String(length=32), nullable=True),
    sa.Column('mobile', sa.String(length=16), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_staff_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('appointment',
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('doctor_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('scheduled_for', sa.String(length=32), nullable=True),
    sa.Column('clinic_date', sa.Date(), nullable=False),
    sa.Column('token_number', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('checked_in_at', sa.String(length=32), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['doctor_id'], ['staff.id'], name=op.f('fk_appointment_doctor_id_staff')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_appointment_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_clinic_date'), ['clinic_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_doctor_id'), ['doctor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_patient_id'), ['patient_id'], unique=False)

    op.create_table('encounter',
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('doctor_id', sa.String(length=36), nullable=True),
    sa.Column('appointment_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.String(length=32), nullable=False),
    sa.Column('ended_at', sa.String(length=32), nullable=True),
    sa.Column('chief_complaint', sa.Text(), nullable=True),
    sa.Column('history', sa.Text(), nullable=True),
    sa.Column('examination', sa.Text(), nullable=True),
    sa.Column('assessment', sa.Text(), nullable=True),
    sa.Column('plan', sa.Text(), nullable=True),
    sa.Column('advice', sa.Text(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('amends_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('signed_at', sa.String(length=32), nullable=True),
    sa.Column('signed_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['amends_id'], ['encounter.id'], name=op.f('fk_encounter_amends_id_encounter')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_encounter_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['doctor_id'], ['staff.id'], name=op.f('fk_encounter_doctor_id_staff')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_encounter_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_encounter'))
    )
    with op.batch_alter_table('encounter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_encounter_amends_id'), ['amends_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_encounter_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_encounter_doctor_id'), ['doctor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_encounter_patient_id'), ['patient_id'], unique=False)

    op.create_table('bill',
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('encounter_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('subtotal_paise', sa.Integer(), nullable=False),
    sa.Column('discount_paise', sa.Integer(), nullable=False),
    sa.Column('total_paise', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], name=op.f('fk_bill_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_bill_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill'))
    )
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_encounter_id'), ['encounter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_patient_id'), ['patient_id'], unique=False)

    op.create_table('diagnosis',
    sa.Column('encounter_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=True),
    sa.Column('code_system', sa.String(length=40), nullable=True),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], name=op.f('fk_diagnosis_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_diagnosis_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnosis'))
    )
    with op.batch_alter_table('diagnosis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnosis_encounter_id'), ['encounter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diagnosis_patient_id'), ['patient_id'], unique=False)

    op.create_table('lab_order',
    sa.Column('encounter_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('ordered_by', sa.String(length=36), nullable=True),
    sa.Column('test_name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], name=op.f('fk_lab_order_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_lab_order_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_order'))
    )
    with op.batch_alter_table('lab_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_order_encounter_id'), ['encounter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_order_patient_id'), ['patient_id'], unique=False)

    op.create_table('prescription',
    sa.Column('encounter_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('prescriber_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('amends_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('signed_at', sa.String(length=32), nullable=True),
    sa.Column('signed_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['amends_id'], ['prescription.id'], name=op.f('fk_prescription_amends_id_prescription')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], name=op.f('fk_prescription_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_prescription_patient_id_patient')),
    sa.ForeignKeyConstraint(['prescriber_id'], ['staff.id'], name=op.f('fk_prescription_prescriber_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription'))
    )
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prescription_amends_id'), ['amends_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prescription_encounter_id'), ['encounter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prescription_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prescription_prescriber_id'), ['prescriber_id'], unique=False)

    op.create_table('vitals',
    sa.Column('encounter_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=True),
    sa.Column('systolic', sa.Integer(), nullable=True),
    sa.Column('diastolic', sa.Integer(), nullable=True),
    sa.Column('pulse', sa.Integer(), nullable=True),
    sa.Column('temperature_c', sa.Float(), nullable=True),
    sa.Column('spo2', sa.Integer(), nullable=True),
    sa.Column('respiratory_rate', sa.Integer(), nullable=True),
    sa.Column('weight_kg', sa.Float(), nullable=True),
    sa.Column('height_cm', sa.Float(), nullable=True),
    sa.Column('bmi', sa.Float(), nullable=True),
    sa.Column('blood_glucose_mg_dl', sa.Float(), nullable=True),
    sa.Column('glucose_context', sa.String(length=16), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], name=op.f('fk_vitals_encounter_id_encounter')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_vitals_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vitals'))
    )
    with op.batch_alter_table('vitals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vitals_encounter_id'), ['encounter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vitals_patient_id'), ['patient_id'], unique=False)

    op.create_table('bill_item',
    sa.Column('bill_id', sa.String(length=36), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_paise', sa.Integer(), nullable=False),
    sa.Column('amount_paise', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], name=op.f('fk_bill_item_bill_id_bill')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_item'))
    )
    with op.batch_alter_table('bill_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_item_bill_id'), ['bill_id'], unique=False)

    op.create_table('lab_result',
    sa.Column('lab_order_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=True),
    sa.Column('resulted_at', sa.String(length=32), nullable=False),
    sa.Column('value_text', sa.String(length=200), nullable=False),
    sa.Column('value_number', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=30), nullable=True),
    sa.Column('reference_low', sa.Float(), nullable=True),
    sa.Column('reference_high', sa.Float(), nullable=True),
    sa.Column('flag', sa.String(length=8), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['lab_order_id'], ['lab_order.id'], name=op.f('fk_lab_result_lab_order_id_lab_order')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_lab_result_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_result'))
    )
    with op.batch_alter_table('lab_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_result_lab_order_id'), ['lab_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_result_patient_id'), ['patient_id'], unique=False)

    op.create_table('payment',
    sa.Column('bill_id', sa.String(length=36), nullable=False),
    sa.Column('amount_paise', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('received_by', sa.String(length=36), nullable=True),
    sa.Column('received_at', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], name=op.f('fk_payment_bill_id_bill')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_bill_id'), ['bill_id'], unique=False)

    op.create_table('prescription_item',
    sa.Column('prescription_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('drug_name', sa.String(length=200), nullable=False),
    sa.Column('strength', sa.String(length=60), nullable=True),
    sa.Column('form', sa.String(length=30), nullable=True),
    sa.Column('dose', sa.String(length=60), nullable=True),
    sa.Column('frequency', sa.String(length=60), nullable=True),
    sa.Column('timing', sa.String(length=60), nullable=True),
    sa.Column('route', sa.String(length=30), nullable=True),
    sa.Column('duration_days', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_prescription_item_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription_item'))
    )
    with op.batch_alter_table('prescription_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prescription_item_prescription_id'), ['prescription_id'], unique=False)

    

    # Patient search (core.search): contentless FTS5, rowid = patient rowid. Prefix indexes make
    # search-as-you-type on 2-4 characters an index lookup rather than a scan of the term list.
    op.execute(
        "CREATE VIRTUAL TABLE patient_search USING fts5("
        "name, phonetic, numbers, ids, "
        "content='', contentless_delete=1, "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE patient_search")
    
    with op.batch_alter_table('prescription_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescription_item_prescription_id'))

    op.drop_table('prescription_item')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_bill_id'))

    op.drop_table('payment')
    with op.batch_alter_table('lab_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_result_patient_id'))
        batch_op.drop_index(batch_op.f('ix_lab_result_lab_order_id'))

    op.drop_table('lab_result')
    with op.batch_alter_table('bill_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bill_item_bill_id'))

    op.drop_table('bill_item')
    with op.batch_alter_table('vitals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vitals_patient_id'))
        batch_op.drop_index(batch_op.f('ix_vitals_encounter_id'))

    op.drop_table('vitals')
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescription_prescriber_id'))
        batch_op.drop_index(batch_op.f('ix_prescription_patient_id'))
        batch_op.drop_index(batch_op.f('ix_prescription_encounter_id'))
        batch_op.drop_index(batch_op.f('ix_prescription_amends_id'))

    op.drop_table('prescription')
    with op.batch_alter_table('lab_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_order_patient_id'))
        batch_op.drop_index(batch_op.f('ix_lab_order_encounter_id'))

    op.drop_table('lab_order')
    with op.batch_alter_table('diagnosis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnosis_patient_id'))
        batch_op.drop_index(batch_op.f('ix_diagnosis_encounter_id'))

    op.drop_table('diagnosis')
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bill_patient_id'))
        batch_op.drop_index(batch_op.f('ix_bill_encounter_id'))

    op.drop_table('bill')
    with op.batch_alter_table('encounter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_encounter_patient_id'))
        batch_op.drop_index(batch_op.f('ix_encounter_doctor_id'))
        batch_op.drop_index(batch_op.f('ix_encounter_appointment_id'))
        batch_op.drop_index(batch_op.f('ix_encounter_amends_id'))

    op.drop_table('encounter')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_patient_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_doctor_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_clinic_date'))

    op.drop_table('appointment')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_clinic_id'))

    op.drop_table('staff')
    with op.batch_alter_table('patient_identifier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_identifier_value'))
        batch_op.drop_index(batch_op.f('ix_patient_identifier_patient_id'))

    op.drop_table('patient_identifier')
    with op.batch_alter_table('chronic_condition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chronic_condition_patient_id'))

    op.drop_table('chronic_condition')
    with op.batch_alter_table('allergy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allergy_patient_id'))

    op.drop_table('allergy')
    op.drop_table('search_term')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_mobile'))
        batch_op.drop_index(batch_op.f('ix_patient_abha_number'))
        batch_op.drop_index(batch_op.f('ix_patient_abha_address'))

    op.drop_table('patient')
    op.drop_table('local_node')
    op.drop_table('clinic')
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_tx_id'))
        batch_op.drop_index('ix_change_entity_row')

    op.drop_table('change')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_patient_id'))

    op.drop_table('audit_event')
    
