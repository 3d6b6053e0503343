"""Reading the audit log (/office/audit, admins only).

Why it is shaped this way: the log only grows (every staff action and view lands in it), so a
page must cost the same at a thousand rows and at ten million. Pages are keyset pages on the
primary key (newest first; ``before``/``after`` an id) instead of OFFSET and COUNT(*), and the
actor's e-mail comes from an outer join in the same statement: one SQL query per page, whatever
the filters or the page number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditLog, User

PER_PAGE = 50


@dataclass
class AuditFilters:
    actor: str = ""        # part of the actor's e-mail address
    action: str = ""       # the beginning of the action, e.g. "user." or "document.view"
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive

    def as_args(self) -> dict[str, str]:
        """The filters as URL query arguments (empty ones left out)."""
        values = {"actor": self.actor, "action": self.action, "target_type": self.target_type,
                  "target_id": self.target_id,
                  "date_from": self.date_from.isoformat() if self.date_from else "",
                  "date_to": self.date_to.isoformat() if self.date_to else ""}
        return {name: value for name, value in values.items() if value}


@dataclass
class AuditEntry:
    entry: AuditLog
    actor_email: str | None


@dataclass
class AuditPage:
    entries: list[AuditEntry] = field(default_factory=list)
    newer_than: int | None = None  # link to the newer page: ?after=<id>
    older_than: int | None = None  # link to the older page: ?before=<id>


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _filtered(filters: AuditFilters):
    query = select(AuditLog, User.email).outerjoin(User, User.id == AuditLog.actor_id)
    actor = filters.actor.strip().lower()
    if actor:
        query = query.where(User.email.contains(actor, autoescape=True))
    if filters.action.strip():
        query = query.where(AuditLog.action.startswith(filters.action.strip(), autoescape=True))
    if filters.target_type.strip():
        query = query.where(AuditLog.target_type == filters.target_type.strip())
    if filters.target_id.strip():
        query = query.where(AuditLog.target_id == filters.target_id.strip())
    if filters.date_from:
        query = query.where(AuditLog.created_at >= _midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditLog.created_at < _midnight(filters.date_to + timedelta(days=1)))
    return query


def page(filters: AuditFilters, *, before: int | None = None, after: int | None = None,
         per_page: int = PER_PAGE) -> AuditPage:
    """Newest first. ``before``: the page of entries older than that id; ``after``: newer."""
    query = _filtered(filters)
    if after is not None:
        rows = db.session.execute(query.where(AuditLog.id > after).order_by(AuditLog.id.asc())
                                  .limit(per_page + 1)).all()
        more_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        more_older = True  # we came from there
    else:
        if before is not None:
            query = query.where(AuditLog.id < before)
        rows = db.session.execute(query.order_by(AuditLog.id.desc()).limit(per_page + 1)).all()
        more_older = len(rows) > per_page
        rows = rows[:per_page]
        more_newer = before is not None
    entries = [AuditEntry(entry, email) for entry, email in rows]
    return AuditPage(entries=entries,
                     newer_than=entries[0].entry.id if entries and more_newer else None,
                     older_than=entries[-1].entry.id if entries and more_older else None)
