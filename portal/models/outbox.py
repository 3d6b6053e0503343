"""The e-mail outbox: every message is a row written with the change it announces.

The worker (portal/worker/delivery.py) takes due rows by setting ``claimed_by``/``claimed_until``
in one atomic UPDATE; the lease lapses if the worker dies, and the row goes out again. The
``message_id`` is fixed when the row is written, so every attempt carries the same Message-ID.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import one_of, utcnow
from portal.extensions import db


class OutboundEmail(db.Model):
    __tablename__ = "outbound_emails"
    __table_args__ = (
        one_of("state", ("pending", "sent", "failed")),
        Index("ix_outbound_emails_state_next_attempt_at", "state", "next_attempt_at"),  # due rows
    )

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # Files sent with the message: [{"filename", "content_type", "content" (text)}], e.g. an .ics.
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # Extra header lines, e.g. {"List-Unsubscribe": "<https://...>"}.
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)  # "<...@sender-domain>"
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the worker that took it last
    claimed_until: Mapped[datetime | None]  # its lease: nobody else sends the row before then
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    def __repr__(self) -> str:
        return f"<OutboundEmail {self.id} {self.template} {self.state}>"
