"""What the public pages say about admission, read from the data the office manages: intakes and
their dates, the document types applicants upload, and the fees as configured. Nothing here is
hard-coded, so another university (or next year's intake) changes data, not templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import format_currency
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import DocumentType, Intake
from portal.services import content_cache
from portal.services.intakes import next_intake, open_intakes

CONDITION_NOTES = {
    "under_18": _l("Only if you are under 18 when the course starts."),
    "interview": _l("Asked for at the interview stage."),
}


@dataclass(frozen=True)
class IntakeDates:
    """Plain data (safe to cache across requests, unlike an ORM object)."""

    code: str
    name: str
    opens_at: datetime
    closes_at: datetime
    course_starts_on: date
    is_open: bool


@dataclass(frozen=True)
class DocumentItem:
    name: str
    help: str
    note: str
    formats: str  # "PDF, JPEG, PNG"
    max_size_mb: int


def _dates(intake: Intake, now: datetime) -> IntakeDates:
    return IntakeDates(code=intake.code, name=intake.name, opens_at=intake.opens_at,
                       closes_at=intake.closes_at, course_starts_on=intake.course_starts_on,
                       is_open=intake.opens_at <= now < intake.closes_at)


def intakes(now: datetime | None = None) -> list[IntakeDates]:
    """Intakes open now, then the next one to open (what an applicant can act on)."""
    now = now or utcnow()
    found = list(open_intakes(now))
    upcoming = next_intake(now)
    if upcoming is not None:
        found.append(upcoming)
    return [_dates(intake, now) for intake in found]


def current_intake(now: datetime | None = None) -> IntakeDates | None:
    found = intakes(now)
    return found[0] if found else None


def next_intake_change(now: datetime) -> datetime | None:
    """The next moment an active intake opens or closes (when cached pages must change)."""
    return content_cache.next_change(now, Intake.active.is_(True), Intake.opens_at, Intake.closes_at)


def document_lists(locale: str) -> dict[str, list[DocumentItem]]:
    """Active document types by requirement (required, conditional, optional), in their order."""
    groups: dict[str, list[DocumentItem]] = {"required": [], "conditional": [], "optional": []}
    types = db.session.scalars(select(DocumentType).where(DocumentType.active.is_(True))
                               .order_by(DocumentType.position, DocumentType.id))
    for doc in types:
        note = CONDITION_NOTES.get(doc.condition or "", "")
        groups.setdefault(doc.requirement, []).append(
            DocumentItem(name=doc.localized("name", locale), help=doc.localized("help", locale),
                         note=str(note), max_size_mb=doc.max_size_mb,
                         formats=_formats(doc.allowed_kinds)))
    return groups


def _formats(allowed_kinds: str) -> str:
    return ", ".join(kind.strip().upper() for kind in allowed_kinds.split(",") if kind.strip())


def fees(now: datetime | None = None) -> dict[str, str]:
    """The official fees: the interview fee the open (or next) intake charges, else the configured text."""
    cfg = current_app.config
    now = now or utcnow()
    intake = next(iter(open_intakes(now)), None) or next_intake(now)
    interview = cfg["INTERVIEW_FEE"]
    if intake is not None and intake.interview_fee_amount:
        interview = format_currency(intake.interview_fee_amount, intake.interview_fee_currency or "AZN")
    return {"interview": interview, "tuition": cfg["TUITION_FEE"]}
