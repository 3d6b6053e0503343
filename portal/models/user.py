"""Accounts: applicants, admissions officers and admins."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import TimestampMixin, one_of
from portal.extensions import db
from portal.i18n import INTERFACE_LANGUAGES


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    OFFICER = "officer"
    ADMIN = "admin"

    @classmethod
    def values(cls) -> list[str]:
        return [r.value for r in cls]


STAFF_ROLES = frozenset({Role.OFFICER.value, Role.ADMIN.value})


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", Role.values()),
        one_of("locale", INTERFACE_LANGUAGES),
        # The office's officer dropdowns pick the few staff among many applicants (migration 0005).
        Index("ix_users_role", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised and lower-cased (services/accounts.normalise_email), so a plain
    # unique index gives case-insensitive uniqueness on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.APPLICANT.value)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    email_verified_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login stores this token, not the id, in the cookie: rotating it logs out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    password_changed_at: Mapped[datetime | None]
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # IANA zone the person reads times in (interviews); None: the institution's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Optional reminder e-mails off (/account, or the unsubscribe link; services/reminders.py).
    reminders_opt_out: Mapped[bool] = mapped_column(default=False)

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
