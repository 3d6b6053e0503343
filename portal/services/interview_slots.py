"""The office's side of interview slots: publish one, publish a series, remove an unbooked one,
and the day view with each slot's bookings.

Officers type wall-clock times in the institution's zone (``INSTITUTION_TIMEZONE``); they are
stored in UTC (services/interview_times.py converts both ways).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.database import utcnow
from portal.extensions import db
from portal.models import INSTRUCTION_LANGUAGES, Application, InterviewBooking, InterviewSlot, User
from portal.services import audit, interview_times
from portal.services.interviews import InterviewError

MAX_CAPACITY = 50
MAX_SERIES = 60


@dataclass(frozen=True)
class SlotSpec:
    """What an officer fills in once for one slot or a whole series."""

    duration_minutes: int
    meeting_url: str
    capacity: int
    language: str
    interviewer: User | None


def _check(spec: SlotSpec) -> None:
    url = urlsplit(spec.meeting_url or "")
    if url.scheme != "https" or not url.netloc:
        raise InterviewError(_l("Give the meeting link as a full https:// address."), field="meeting_url")
    if not 1 <= spec.capacity <= MAX_CAPACITY:
        raise InterviewError(_l("Capacity must be from 1 to %(max)d.", max=MAX_CAPACITY), field="capacity")
    if not 5 <= spec.duration_minutes <= 240:
        raise InterviewError(_l("Duration must be from 5 to 240 minutes."), field="duration_minutes")
    if spec.language not in INSTRUCTION_LANGUAGES:
        raise InterviewError(_l("Choose a language."), field="language")
    if spec.interviewer is not None and not spec.interviewer.is_staff:
        raise InterviewError(_l("The interviewer must be a member of the admissions office."), field="interviewer")


def publish(officer: User, day: date, starts: list[time], spec: SlotSpec) -> list[InterviewSlot]:
    """One slot per start time on ``day`` (the institution's wall clock); all or nothing."""
    _check(spec)
    zone = interview_times.institution_zone()
    try:
        instants = [interview_times.to_utc(day, at, zone) for at in starts]
    except interview_times.NonexistentTime as exc:
        raise InterviewError(str(exc), field="start") from exc
    if not instants:
        raise InterviewError(_l("No interview fits between these times."), field="until")
    if len(instants) > MAX_SERIES:
        raise InterviewError(_l("Publish at most %(max)d slots at once.", max=MAX_SERIES), field="until")
    if min(instants) <= utcnow():
        raise InterviewError(_l("Choose a time in the future."), field="day")
    slots = [InterviewSlot(starts_at=at, duration_minutes=spec.duration_minutes, meeting_url=spec.meeting_url,
                           capacity=spec.capacity, language=spec.language,
                           interviewer_id=spec.interviewer.id if spec.interviewer else None,
                           created_by_id=officer.id) for at in instants]
    db.session.add_all(slots)
    db.session.flush()
    audit.record(officer, "interview.slots_published", "interview_slot", slots[0].id,
                 {"count": len(slots), "day": day.isoformat()})
    return slots


def series_starts(day: date, start: time, until: time, every_minutes: int) -> list[time]:
    """Wall-clock start times from ``start``, each slot of ``every_minutes`` ending by ``until``."""
    if not 5 <= every_minutes <= 240:
        raise InterviewError(_l("Repeat every 5 to 240 minutes."), field="every_minutes")
    if until <= start:
        raise InterviewError(_l("The series must end after it starts."), field="until")
    zone = interview_times.institution_zone()
    return [instant.astimezone(zone).time()
            for instant in interview_times.series(day, start, until, every_minutes, zone)]


def remove(officer: User, slot: InterviewSlot) -> None:
    if slot.booked or db.session.scalar(select(InterviewBooking.id).where(InterviewBooking.slot_id == slot.id)
                                        .limit(1)):
        raise InterviewError(_l("This slot has bookings and cannot be removed."))
    audit.record(officer, "interview.slot_removed", "interview_slot", slot.id,
                 {"starts_at": slot.starts_at.isoformat()})
    db.session.delete(slot)
    db.session.flush()


@dataclass
class DaySlot:
    slot: InterviewSlot
    bookings: list[InterviewBooking]


def day_view(day: date) -> list[DaySlot]:
    """The slots of one day in the institution's zone, with their bookings (also moved-away ones)."""
    start, end = interview_times.local_day_bounds(day, interview_times.institution_zone())
    slots = list(db.session.scalars(
        select(InterviewSlot).where(InterviewSlot.starts_at >= start, InterviewSlot.starts_at < end)
        .order_by(InterviewSlot.starts_at, InterviewSlot.id)))
    bookings = db.session.scalars(
        select(InterviewBooking).where(InterviewBooking.slot_id.in_([s.id for s in slots]))
        .options(selectinload(InterviewBooking.application).load_only(
            Application.id, Application.reference, Application.surname, Application.given_names,
            Application.status))
        .order_by(InterviewBooking.id)) if slots else []
    by_slot: dict[int, list[InterviewBooking]] = {s.id: [] for s in slots}
    for booking in bookings:
        by_slot[booking.slot_id].append(booking)
    return [DaySlot(slot, by_slot[slot.id]) for slot in slots]
