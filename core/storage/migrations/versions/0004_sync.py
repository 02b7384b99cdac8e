"""Sync: this PC's place in the clinic's sync, jobs for the outside world, callbacks relayed by the
hub, the duplicate-patient merge queue, and an index that keeps "newest clock stamp" cheap.

`patient.merged_into_id` is added with ALTER TABLE rather than a batch rebuild: the search index
is keyed by the patient table's rowid, which a rebuild would not promise to keep.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE patient ADD COLUMN merged_into_id VARCHAR(36) "
               "CONSTRAINT fk_patient_merged_into_id_patient REFERENCES patient (id)")
    op.create_index('ix_patient_merged_into_id', 'patient', ['merged_into_id'])
    op.create_index('ix_change_hlc', 'change', ['hlc'])

    op.create_table('merge_candidate',
    sa.Column('patient_a_id', sa.String(length=36), nullable=False),
    sa.Column('patient_b_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('survivor_id', sa.String(length=36), nullable=True),
    sa.Column('resolved_by', sa.String(length=36), nullable=True),
    sa.Column('resolved_at', sa.String(length=32), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['patient_a_id'], ['patient.id'], name=op.f('fk_merge_candidate_patient_a_id_patient')),
    sa.ForeignKeyConstraint(['patient_b_id'], ['patient.id'], name=op.f('fk_merge_candidate_patient_b_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merge_candidate'))
    )
    op.create_index('ix_merge_candidate_patient_a_id', 'merge_candidate', ['patient_a_id'])
    op.create_index('ix_merge_candidate_patient_b_id', 'merge_candidate', ['patient_b_id'])

    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_url', sa.String(length=300), nullable=False),
    sa.Column('clinic_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('device_secret', sa.String(length=100), nullable=False),
    sa.Column('pushed_seq', sa.Integer(), nullable=False),
    sa.Column('pull_cursor', sa.Integer(), nullable=False),
    sa.Column('pull_cursor_change_id', sa.String(length=36), nullable=True),
    sa.Column('relay_cursor', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', sa.String(length=32), nullable=False),
    sa.Column('last_success_at', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )

    op.create_table('job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.String(length=32), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('finished_at', sa.String(length=32), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_job_idempotency_key'))
    )
    op.create_index('ix_job_state', 'job', ['state'])

    op.create_table('relay_message',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('relay_seq', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.String(length=200), nullable=True),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('headers', sa.Text(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('verified', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relay_message')),
    sa.UniqueConstraint('relay_seq', name=op.f('uq_relay_message_relay_seq'))
    )


def downgrade() -> None:
    op.drop_table('relay_message')
    op.drop_index('ix_job_state', table_name='job')
    op.drop_table('job')
    op.drop_table('sync_state')
    op.drop_index('ix_merge_candidate_patient_b_id', table_name='merge_candidate')
    op.drop_index('ix_merge_candidate_patient_a_id', table_name='merge_candidate')
    op.drop_table('merge_candidate')
    op.drop_index('ix_change_hlc', table_name='change')
    op.drop_index('ix_patient_merged_into_id', table_name='patient')
    op.execute("ALTER TABLE patient DROP COLUMN merged_into_id")
