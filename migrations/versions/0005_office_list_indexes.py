"""Indexes for the office's application list at scale: keyset order per sort column,
prefix search on reference and names, and staff accounts among many applicants.

On PostgreSQL the prefix indexes use varchar_pattern_ops, so ``LIKE 'ABC%'`` can use them
whatever the database's collation; other databases get plain indexes (the option is ignored).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 16:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_submitted_id', ['submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_applications_surname_id', ['surname', 'id'], unique=False)
        batch_op.create_index('ix_applications_surname_prefix', ['surname'], unique=False,
                              postgresql_ops={'surname': 'varchar_pattern_ops'})
        batch_op.create_index('ix_applications_given_names_prefix', ['given_names'], unique=False,
                              postgresql_ops={'given_names': 'varchar_pattern_ops'})
        batch_op.create_index('ix_applications_reference_prefix', ['reference'], unique=False,
                              postgresql_ops={'reference': 'varchar_pattern_ops'})
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_role', ['role'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_role')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_reference_prefix')
        batch_op.drop_index('ix_applications_given_names_prefix')
        batch_op.drop_index('ix_applications_surname_prefix')
        batch_op.drop_index('ix_applications_surname_id')
        batch_op.drop_index('ix_applications_submitted_id')
