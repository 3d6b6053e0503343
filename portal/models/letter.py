"""Letters the portal issues on acceptance, and the per-citizenship rules that decide them.

A letter keeps a snapshot of what it certifies (``content``): the PDF is rendered from it on
download and the public verification page reads it, so a later edit of the application never
changes a letter already issued. ``code`` is random (portal/letters/codes.py), never sequential.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import TimestampMixin, one_of, utcnow
from portal.extensions import db

LETTER_KINDS = ("admission", "visa_invitation")
LETTER_STATES = ("valid", "superseded", "revoked")
LEGALISATION = ("none", "apostille", "consular")


class Letter(db.Model):
    __tablename__ = "letters"
    __table_args__ = (
        one_of("kind", LETTER_KINDS),
        one_of("state", LETTER_STATES),
        Index("ix_letters_application_kind", "application_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="valid")
    languages: Mapped[str] = mapped_column(String(8), default="en")  # "en" or "en,az"
    content: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    application = relationship("Application", back_populates="letters")


class CountryRule(TimestampMixin, db.Model):
    """Per citizenship (ISO 3166 alpha-2): whether the study visa needs our invitation letter, and
    how the school certificate must be legalised. A citizenship with no row gets the strict
    default (services/country_rules.py)."""

    __tablename__ = "country_rules"
    __table_args__ = (one_of("legalisation", LEGALISATION),)

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    visa_invitation: Mapped[bool] = mapped_column(default=True)
    legalisation: Mapped[str] = mapped_column(String(10), default="apostille")
    note: Mapped[str] = mapped_column(String(300), default="")
