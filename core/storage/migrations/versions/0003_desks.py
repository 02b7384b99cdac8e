"""The desks: staff log-in credentials, the price list, visit templates and favourites, and the
local autosave of visits being typed (visit_draft, not synced).

Datetimes are spelled String(32) as in 0001.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 02:42:14.578059
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('price_item',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('amount_paise', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_item'))
    )
    op.create_table('staff_credential',
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('scheme', sa.String(length=40), nullable=False),
    sa.Column('salt', sa.LargeBinary(), nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_credential_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_credential')),
    sa.UniqueConstraint('staff_id', name=op.f('uq_staff_credential_staff_id'))
    )
    op.create_table('visit_template',
    sa.Column('owner_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('voided_at', sa.String(length=32), nullable=True),
    sa.Column('voided_by', sa.String(length=36), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['staff.id'], name=op.f('fk_visit_template_owner_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_template'))
    )
    with op.batch_alter_table('visit_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_template_owner_id'), ['owner_id'], unique=False)

    op.create_table('visit_draft',
    sa.Column('encounter_id', sa.String(length=36), nullable=False),
    sa.Column('staff_id', sa.String(length=36), nullable=True),
    sa.Column('saved_at', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], name=op.f('fk_visit_draft_encounter_id_encounter')),
    sa.PrimaryKeyConstraint('encounter_id', name=op.f('pk_visit_draft'))
    )


def downgrade() -> None:
    op.drop_table('visit_draft')
    with op.batch_alter_table('visit_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_template_owner_id'))

    op.drop_table('visit_template')
    op.drop_table('staff_credential')
    op.drop_table('price_item')
