"""Prescribing: doctors' signing keys, alert overrides, the clinic's own medicine list, and the
structured fields of a prescription item (what was typed and what it was read as).

Datetimes are spelled String(32) as in 0001. The two new booleans on prescription_item get a server
default so rows written before this migration read as "not as-needed, not stat".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 01:56:51.963576
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clinic_medicine',
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('composition', sa.String(length=300), nullable=False),
    sa.Column('strength', sa.String(length=200), nullable=True),
    sa.Column('form', sa.String(length=30), nullable=False),
    sa.Column('manufacturer', sa.String(length=200), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_medicine'))
    )
    with op.batch_alter_table('clinic_medicine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinic_medicine_brand'), ['brand'], unique=False)

    op.create_table('signing_key',
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('retired_at', sa.String(length=32), nullable=True),
    sa.Column('revoked_at', sa.String(length=32), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_signing_key_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key'))
    )
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_key_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_signing_key_staff_id'), ['staff_id'], unique=False)

    op.create_table('signing_secret',
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('private_key', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['signing_key.id'], name=op.f('fk_signing_secret_key_id_signing_key')),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_signing_secret'))
    )
    op.create_table('alert_override',
    sa.Column('prescription_id', sa.String(length=36), nullable=False),
    sa.Column('alert_key', sa.String(length=300), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('overridden_by', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_alert_override_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_override'))
    )
    with op.batch_alter_table('alert_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_override_prescription_id'), ['prescription_id'], unique=False)

    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_document', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('signing_key_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_prescription_signing_key_id'), ['signing_key_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_prescription_signing_key_id_signing_key'), 'signing_key', ['signing_key_id'], ['id'])

    with op.batch_alter_table('prescription_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('generic', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('brand', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('dose_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('dose_unit', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('per_day', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('pattern', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('prn', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('stat', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('prescription_item', schema=None) as batch_op:
        batch_op.drop_column('stat')
        batch_op.drop_column('prn')
        batch_op.drop_column('pattern')
        batch_op.drop_column('per_day')
        batch_op.drop_column('dose_unit')
        batch_op.drop_column('dose_value')
        batch_op.drop_column('brand')
        batch_op.drop_column('generic')
        batch_op.drop_column('source_text')

    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_prescription_signing_key_id_signing_key'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_prescription_signing_key_id'))
        batch_op.drop_column('signing_key_id')
        batch_op.drop_column('signed_document')

    with op.batch_alter_table('alert_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_override_prescription_id'))

    op.drop_table('alert_override')
    op.drop_table('signing_secret')
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_key_staff_id'))
        batch_op.drop_index(batch_op.f('ix_signing_key_fingerprint'))

    op.drop_table('signing_key')
    with op.batch_alter_table('clinic_medicine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinic_medicine_brand'))

    op.drop_table('clinic_medicine')
