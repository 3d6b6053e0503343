"""The mail worker: a fixed Message-ID per e-mail, extra headers, the next attempt's time, and the
claim (worker and lease) that keeps two workers from sending the same row.

Rows written before this revision get a Message-ID made from their id and are due at once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbound_emails SET message_id = '<outbox-' || id || '@admissions-portal.invalid>', "
               "next_attempt_at = created_at")
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbound_emails_message_id'), ['message_id'])
        batch_op.drop_index('ix_outbound_emails_state_id')
        batch_op.create_index('ix_outbound_emails_state_next_attempt_at', ['state', 'next_attempt_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_emails_state_next_attempt_at')
        batch_op.create_index('ix_outbound_emails_state_id', ['state', 'id'], unique=False)
        batch_op.drop_constraint(batch_op.f('uq_outbound_emails_message_id'), type_='unique')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('message_id')
        batch_op.drop_column('headers')
