"""Which optional reminder went out for which occasion (services/reminders.py).

One row per (application, kind, occasion): the occasion of a draft reminder is the intake's
closing date, that of a changes reminder the change request's event. The row is inserted in the
transaction that queues the e-mail, and the UNIQUE key refuses a second one, so a reminder is
sent once even when two workers run the same task at the same moment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import one_of, utcnow
from portal.extensions import db

REMINDER_KINDS = ("draft", "changes")


class ReminderSent(db.Model):
    __tablename__ = "reminders_sent"
    __table_args__ = (
        # application_id first: the key also serves the foreign key's ON DELETE CASCADE.
        UniqueConstraint("application_id", "kind", "occasion", name="uq_reminders_sent_occasion"),
        one_of("kind", REMINDER_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    occasion: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ReminderSent {self.kind} {self.application_id} {self.occasion}>"
