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

ATTENDANCE = ("attended", "no_show")
SUBJECTS = ("biology", "chemistry", "physics", "language")


class InterviewFee(TimestampMixin, db.Model):
    """The interview fee of one invited application, once paid.

    Today the applicant uploads a receipt as an interview-stage document and an officer's
    acceptance of it records the payment (``paid_via="receipt"``); an online payment provider would
    call services/interviews.mark_fee_paid with its own name instead.
    """

    __tablename__ = "interview_fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    paid_via: Mapped[str] = mapped_column(String(32))
    paid_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application = relationship("Application", back_populates="interview_fee")


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
    reminder_sent_at: Mapped[datetime | None]  # the day-before reminder, claimed once

    slot: Mapped[InterviewSlot] = relationship(lazy="joined")
    application = relationship("Application", back_populates="interview_bookings")
