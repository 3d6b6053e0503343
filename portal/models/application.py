"""An applicant's application to one intake, its timeline, and its uploaded documents.

The answers are typed columns (not a JSON blob) so officers can filter by citizenship,
programme and dates. ``version`` is SQLAlchemy's version counter: an UPDATE made from a stale
copy changes nothing and raises, which is how two tabs or two officers are kept from silently
overwriting each other. The status is written only by services/timeline.py (``set_status``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import TimestampMixin, one_of, utcnow
from portal.extensions import db
from portal.models.status import STATUSES, Status


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("applicant_id", "intake_id", name="uq_applications_applicant_intake"),
        one_of("status", STATUSES),
        Index("ix_applications_status_submitted", "status", "submitted_at"),
        Index("ix_applications_passport", "passport_number", "passport_country"),
        # The office's list (services/office_list.py, migration 0005): keyset order per sort
        # column, and prefix search (varchar_pattern_ops: LIKE 'ABC%' uses the index under any
        # collation on PostgreSQL; a plain index elsewhere).
        Index("ix_applications_submitted_id", "submitted_at", "id"),
        Index("ix_applications_surname_id", "surname", "id"),
        Index("ix_applications_surname_prefix", "surname", postgresql_ops={"surname": "varchar_pattern_ops"}),
        Index("ix_applications_given_names_prefix", "given_names",
              postgresql_ops={"given_names": "varchar_pattern_ops"}),
        Index("ix_applications_reference_prefix", "reference", postgresql_ops={"reference": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    version: Mapped[int] = mapped_column(default=1)
    completed_steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    reopened_steps: Mapped[list[str]] = mapped_column(JSON, default=list)  # by a change request
    flagged_duplicate: Mapped[bool] = mapped_column(default=False, index=True)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    declarations_accepted_at: Mapped[datetime | None]
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                           index=True)

    # 1. Programme
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="RESTRICT"),
                                                     index=True)
    instruction_language: Mapped[str | None] = mapped_column(String(2))
    # 2. Personal details
    surname: Mapped[str | None] = mapped_column(String(100))
    given_names: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(1))
    date_of_birth: Mapped[date | None]
    place_of_birth: Mapped[str | None] = mapped_column(String(120))
    citizenship: Mapped[str | None] = mapped_column(String(2), index=True)
    other_citizenship: Mapped[str | None] = mapped_column(String(2))
    # 3. Passport
    passport_number: Mapped[str | None] = mapped_column(String(20))
    passport_country: Mapped[str | None] = mapped_column(String(2))
    passport_issued_on: Mapped[date | None]
    passport_expires_on: Mapped[date | None]
    # 4. Contact
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    address: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    emergency_name: Mapped[str | None] = mapped_column(String(120))
    emergency_phone: Mapped[str | None] = mapped_column(String(20))
    # 5. Education
    school_name: Mapped[str | None] = mapped_column(String(200))
    school_country: Mapped[str | None] = mapped_column(String(2))
    graduation_year: Mapped[int | None]
    certificate_number: Mapped[str | None] = mapped_column(String(50))
    grade_scale: Mapped[str | None] = mapped_column(String(8))
    biology_grade: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    chemistry_grade: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    physics_grade: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    language_certificate: Mapped[str | None] = mapped_column(String(10))
    language_certificate_score: Mapped[str | None] = mapped_column(String(20))
    previous_studies: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}

    applicant = relationship("User", foreign_keys=[applicant_id], lazy="joined")
    intake = relationship("Intake", lazy="joined")
    programme = relationship("Programme", lazy="joined")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id")
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Document.id")
    interview_fee = relationship("InterviewFee", back_populates="application", uselist=False,
                                 cascade="all, delete-orphan")
    interview_bookings = relationship("InterviewBooking", back_populates="application",
                                      cascade="all, delete-orphan", order_by="InterviewBooking.id")
    letters = relationship("Letter", back_populates="application", cascade="all, delete-orphan",
                           order_by="Letter.id")

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.reference or 'draft'} {self.status}>"


class ApplicationEvent(db.Model):
    """The timeline: status changes, notes, messages, document reviews, flags."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))  # status, note, flag, document, message, assignment
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    visible_to_applicant: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="events")
    actor = relationship("User", lazy="joined")


class Document(db.Model):
    """An uploaded file. Bytes live in storage under ``storage_key``; never under the user's name."""

    __tablename__ = "documents"
    __table_args__ = (
        one_of("review_state", ("pending", "accepted", "rejected")),
        Index("ix_documents_application_type", "application_id", "document_type_id", "superseded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    document_type_id: Mapped[int] = mapped_column(ForeignKey("document_types.id", ondelete="RESTRICT"))
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_state: Mapped[str] = mapped_column(String(16), default="pending")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    superseded: Mapped[bool] = mapped_column(default=False)
    flagged_duplicate: Mapped[bool] = mapped_column(default=False)
    # What the upload checks found (portal/uploads/mrz.py, quality.py): {"quality": [...], "mrz": {...}}.
    checks: Mapped[dict | None] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="documents")
    document_type = relationship("DocumentType", lazy="joined")

