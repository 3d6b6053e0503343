"""Applications, their timeline and documents; the reference counter on intakes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 15:32:09.265629

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=True),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('completed_steps', sa.JSON(), nullable=False),
    sa.Column('reopened_steps', sa.JSON(), nullable=False),
    sa.Column('flagged_duplicate', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declarations_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_officer_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('instruction_language', sa.String(length=2), nullable=True),
    sa.Column('surname', sa.String(length=100), nullable=True),
    sa.Column('given_names', sa.String(length=100), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('place_of_birth', sa.String(length=120), nullable=True),
    sa.Column('citizenship', sa.String(length=2), nullable=True),
    sa.Column('other_citizenship', sa.String(length=2), nullable=True),
    sa.Column('passport_number', sa.String(length=20), nullable=True),
    sa.Column('passport_country', sa.String(length=2), nullable=True),
    sa.Column('passport_issued_on', sa.Date(), nullable=True),
    sa.Column('passport_expires_on', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('emergency_name', sa.String(length=120), nullable=True),
    sa.Column('emergency_phone', sa.String(length=20), nullable=True),
    sa.Column('school_name', sa.String(length=200), nullable=True),
    sa.Column('school_country', sa.String(length=2), nullable=True),
    sa.Column('graduation_year', sa.Integer(), nullable=True),
    sa.Column('certificate_number', sa.String(length=50), nullable=True),
    sa.Column('grade_scale', sa.String(length=8), nullable=True),
    sa.Column('biology_grade', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('chemistry_grade', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('physics_grade', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('language_certificate', sa.String(length=10), nullable=True),
    sa.Column('language_certificate_score', sa.String(length=20), nullable=True),
    sa.Column('previous_studies', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'under_review', 'action_required', 'interview', 'accepted', 'rejected', 'waitlisted', 'withdrawn')", name=op.f('ck_applications_status')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_applications_applicant_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['assigned_officer_id'], ['users.id'], name=op.f('fk_applications_assigned_officer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_applications_intake_id_intakes'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_applications_programme_id_programmes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('applicant_id', 'intake_id', name='uq_applications_applicant_intake'),
    sa.UniqueConstraint('reference', name=op.f('uq_applications_reference'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_assigned_officer_id'), ['assigned_officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_citizenship'), ['citizenship'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_flagged_duplicate'), ['flagged_duplicate'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index('ix_applications_passport', ['passport_number', 'passport_country'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('ix_applications_status_submitted', ['status', 'submitted_at'], unique=False)

    op.create_table('application_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('visible_to_applicant', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_application_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_events_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_events'))
    )
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_events_application_id'), ['application_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('document_type_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_state', sa.String(length=16), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.Column('flagged_duplicate', sa.Boolean(), nullable=False),
    sa.CheckConstraint("review_state IN ('pending', 'accepted', 'rejected')", name=op.f('ck_documents_review_state')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_documents_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_type_id'], ['document_types.id'], name=op.f('fk_documents_document_type_id_document_types'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_documents_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_documents_storage_key'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_application_type', ['application_id', 'document_type_id', 'superseded'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_reference', sa.Integer(), nullable=False, server_default='0'))



def downgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_column('last_reference')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_sha256'))
        batch_op.drop_index('ix_documents_application_type')

    op.drop_table('documents')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_application_id'))

    op.drop_table('application_events')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_status_submitted')
        batch_op.drop_index(batch_op.f('ix_applications_programme_id'))
        batch_op.drop_index('ix_applications_passport')
        batch_op.drop_index(batch_op.f('ix_applications_intake_id'))
        batch_op.drop_index(batch_op.f('ix_applications_flagged_duplicate'))
        batch_op.drop_index(batch_op.f('ix_applications_citizenship'))
        batch_op.drop_index(batch_op.f('ix_applications_assigned_officer_id'))
        batch_op.drop_index(batch_op.f('ix_applications_applicant_id'))

    op.drop_table('applications')
