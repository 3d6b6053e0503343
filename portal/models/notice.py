"""Notices on the public site: announcements, news and articles, each in up to three languages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import TimestampMixin, one_of
from portal.extensions import db
from portal.i18n import INTERFACE_LANGUAGES

NOTICE_KINDS = ("announcement", "news", "article")


class Notice(TimestampMixin, db.Model):
    __tablename__ = "notices"
    __table_args__ = (
        one_of("kind", NOTICE_KINDS),
        Index("ix_notices_published_window", "published", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    published: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    publish_at: Mapped[datetime | None]
    expire_at: Mapped[datetime | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    translations: Mapped[list[NoticeTranslation]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", lazy="selectin",
        order_by="NoticeTranslation.locale")
    author = relationship("User", lazy="joined")

    def translation(self, locale: str) -> NoticeTranslation | None:
        return next((t for t in self.translations if t.locale == locale), None)


class NoticeTranslation(db.Model):
    __tablename__ = "notice_translations"
    __table_args__ = (
        UniqueConstraint("notice_id", "locale", name="uq_notice_translations_notice_locale"),
        one_of("locale", INTERFACE_LANGUAGES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when rendered

    notice: Mapped[Notice] = relationship(back_populates="translations")
