"""Messages from the public: "Contact Us" and "Letter to the Rector", with the office's replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import TimestampMixin, one_of, utcnow
from portal.extensions import db

INQUIRY_KINDS = ("contact", "rector")
INQUIRY_STATUSES = ("new", "in_progress", "answered")


class Inquiry(TimestampMixin, db.Model):
    __tablename__ = "inquiries"
    __table_args__ = (
        one_of("kind", INQUIRY_KINDS),
        one_of("status", INQUIRY_STATUSES),
        Index("ix_inquiries_kind_status_created", "kind", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)  # set after the id
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new")
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A letter to the Rector may carry one PDF (stored through portal/uploads/).
    attachment_key: Mapped[str | None] = mapped_column(String(80))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_size: Mapped[int | None]
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))

    replies: Mapped[list[InquiryReply]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan", order_by="InquiryReply.created_at")
    handled_by = relationship("User", lazy="joined")


class InquiryReply(db.Model):
    __tablename__ = "inquiry_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="replies")
    author = relationship("User", lazy="joined")
