"""The interview stage: the fee an invited applicant pays, the slots officers publish, and the
bookings applicants make (with attendance and the interview's scores).

Times are stored in UTC (``UTCDateTime``) and shown in the viewer's zone (services/interview_times.py).
``InterviewSlot.booked`` is the number of live bookings, changed only by one conditional UPDATE
(``booked < capacity``) in services/interviews.py, so two applicants can never take the last place
at once on either database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import TimestampMixin, one_of, utcnow
from portal.extensions import db
from portal.models.reference import INSTRUCTION_LANGUAGES

FEE_STATES = ("awaiting_receipt", "receipt_uploaded", "verified", "rejected")
ATTENDANCE = ("attended", "no_show")
SUBJECTS = ("biology", "chemistry", "physics", "language")


class InterviewFee(TimestampMixin, db.Model):
    """One per invited application: the receipt the applicant uploaded and the office's check.

    ``paid_via`` says how the fee was settled: "receipt" (verified by an officer) today; an online
    payment provider would call services/interview_fees.mark_paid with its own name.
    """

    __tablename__ = "interview_fees"
    __table_args__ = (one_of("state", FEE_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="awaiting_receipt")
    receipt_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    receipt_name: Mapped[str | None] = mapped_column(String(255))
    receipt_content_type: Mapped[str | None] = mapped_column(String(40))
    receipt_size: Mapped[int | None]
    receipt_uploaded_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    paid_via: Mapped[str | None] = mapped_column(String(32))
    paid_at: Mapped[datetime | None]

    application = relationship("Application", back_populates="interview_fee")

    @property
    def verified(self) -> bool:
        return self.state == "verified"


class InterviewSlot(TimestampMixin, db.Model):
    __tablename__ = "interview_slots"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked"),
        CheckConstraint("duration_minutes > 0", name="duration"),
        one_of("language", INSTRUCTION_LANGUAGES),
        Index("ix_interview_slots_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=30)
    meeting_url: Mapped[str] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(default=1)
    booked: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(String(2))
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    interviewer = relationship("User", foreign_keys=[interviewer_id], lazy="joined")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class InterviewBooking(db.Model):
    """An applicant's place in a slot. Moving cancels the booking and makes a new one; at most
    one live (not cancelled) booking per application, kept by a partial unique index."""

    __tablename__ = "interview_bookings"
    __table_args__ = (
        one_of("attendance", ATTENDANCE),
        Index("uq_interview_bookings_live", "application_id", unique=True,
              sqlite_where=text("cancelled_at IS NULL"), postgresql_where=text("cancelled_at IS NULL")),
        Index("ix_interview_bookings_slot", "slot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("interview_slots.id", ondelete="RESTRICT"))
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    attendance: Mapped[str | None] = mapped_column(String(10))
    # A no-show may be offered one new slot by an officer.
    rebook_offered: Mapped[bool] = mapped_column(default=False)
    biology_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    chemistry_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    physics_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    language_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    result_notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None]

    slot: Mapped[InterviewSlot] = relationship(lazy="joined")
    application = relationship("Application", back_populates="interview_bookings")
