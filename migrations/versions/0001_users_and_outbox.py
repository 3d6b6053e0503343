"""Users and the e-mail outbox.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 15:15:34.718785

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_login_count', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("locale IN ('en', 'ru', 'az')", name=op.f('ck_users_locale')),
    sa.CheckConstraint("role IN ('applicant', 'officer', 'admin')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    op.create_table('outbound_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'sent', 'failed')", name=op.f('ck_outbound_emails_state')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbound_emails_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_emails'))
    )
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_emails_state_id', ['state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_emails_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_emails_user_id'))
        batch_op.drop_index('ix_outbound_emails_state_id')

    op.drop_table('outbound_emails')
    op.drop_table('users')
