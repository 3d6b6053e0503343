"""The interview stage for the applicant and the interviewer: the fee, booking a slot, moving it,
attendance and results, and the day-before reminder.

The order the office follows: ``invite`` (services/transitions.py) → the applicant pays the fee
and uploads the receipt as an interview-stage document → an officer accepts the receipt
(services/documents.review_document calls ``receipt_reviewed``) → slots open → the applicant
books one, may move it until ``INTERVIEW_BOOKING_CUTOFF_HOURS`` before it starts → the
interviewer records attendance and scores → the decision (services/transitions.decide).

Places in a slot are taken by one conditional UPDATE (``booked < capacity``): the database
serialises concurrent writers on the row (PostgreSQL's row lock re-checks the condition, SQLite
has one writer at a time), so exactly ``capacity`` of many simultaneous bookings succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.database import is_row_id, utcnow
from portal.extensions import db
from portal.models import Application, InterviewBooking, InterviewFee, InterviewSlot, Status, User
from portal.models.interview import SUBJECTS
from portal.services import audit, interview_times, notifications
from portal.services.errors import ServiceError
from portal.services.timeline import record_event
from portal.worker import tasks


class InterviewError(ServiceError):
    """A refused booking, move or result."""


SLOT_GONE = _l("That interview time is no longer available. Please choose another one.")
BUSY = _l("Many people are booking just now. Please try again.")
ATTENDANCE_TEXT = {"attended": _l("Interview held: the applicant attended."),
                   "no_show": _l("Interview missed: the applicant did not attend.")}
MAX_SCORE = Decimal(100)
T = TypeVar("T")


def commit_with_retry(call: Callable[[], T]) -> T:
    """Run ``call`` and commit, retrying from the start when a write lock is lost to a concurrent
    booking (worker.tasks.commit_with_retry); still losing after its attempts is ``BUSY``."""
    try:
        return tasks.commit_with_retry(call)
    except OperationalError:
        raise InterviewError(BUSY) from None


# --- the fee -------------------------------------------------------------------------------

def fee_due(application: Application) -> bool:
    """Whether this intake charges an interview fee at all."""
    amount = application.intake.interview_fee_amount
    return amount is not None and amount > 0


def fee_settled(application: Application) -> bool:
    return not fee_due(application) or application.interview_fee is not None


def mark_fee_paid(application: Application, via: str, actor: User | None) -> InterviewFee:
    """The one place a payment is recorded: by an accepted receipt today, by an online payment
    provider's callback later (``via`` names it). Idempotent."""
    if application.interview_fee is None:
        application.interview_fee = InterviewFee(paid_via=via, recorded_by_id=actor.id if actor else None)
        audit.record(actor, "interview.fee_paid", "application", application.id,
                     {"reference": application.reference, "via": via})
    return application.interview_fee


def receipt_reviewed(application: Application, officer: User, accepted: bool) -> None:
    """Called when an officer accepts or rejects an interview-stage document (the receipt)."""
    if application.status != Status.INTERVIEW or not accepted:
        return
    if application.interview_fee is None:
        mark_fee_paid(application, "receipt", officer)
        _notify(application, "interview_fee_verified", link=_interview_link())


# --- booking -------------------------------------------------------------------------------

def cutoff() -> timedelta:
    return timedelta(hours=current_app.config["INTERVIEW_BOOKING_CUTOFF_HOURS"])


def live_booking(application: Application) -> InterviewBooking | None:
    return next((b for b in application.interview_bookings if b.cancelled_at is None), None)


def may_book(application: Application) -> bool:
    """Invited, fee settled, no live booking, and no interview missed without a second chance."""
    if application.status != Status.INTERVIEW or not fee_settled(application) or live_booking(application):
        return False
    return all(b.attendance is None or (b.attendance == "no_show" and b.rebook_offered)
               for b in application.interview_bookings)


def may_move(booking: InterviewBooking | None, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (booking is not None and booking.attendance is None and booking.cancelled_at is None
            and booking.slot.starts_at - cutoff() > now)


def open_slots(application: Application, now: datetime | None = None) -> list[InterviewSlot]:
    """Slots the applicant may take: in their language of instruction, with a free place,
    starting after the cut-off."""
    earliest = (now or utcnow()) + cutoff()
    query = (select(InterviewSlot)
             .where(InterviewSlot.starts_at > earliest, InterviewSlot.booked < InterviewSlot.capacity,
                    InterviewSlot.language == (application.instruction_language or "en"))
             .order_by(InterviewSlot.starts_at, InterviewSlot.id).limit(200))
    return list(db.session.scalars(query))


def book(application: Application, slot_id: int, actor: User) -> InterviewBooking:
    if not may_book(application):
        raise InterviewError(_l("You cannot book an interview time now."))
    booking = _take_place(application, slot_id)
    _notify_booking(application, booking, "interview_booked")
    return booking


def move(application: Application, slot_id: int, actor: User) -> InterviewBooking:
    old = live_booking(application)
    if not may_move(old):
        raise InterviewError(_l("This interview can no longer be moved. Please write to the admissions "
                                "office."))
    if old.slot_id == slot_id:
        raise InterviewError(_l("You have already booked this time."), field="slot")
    _release(old)
    booking = _take_place(application, slot_id)
    _notify_booking(application, booking, "interview_moved", previous=old.slot)
    return booking


def _take_place(application: Application, slot_id: int) -> InterviewBooking:
    if not is_row_id(slot_id):
        raise InterviewError(SLOT_GONE, field="slot")
    earliest = utcnow() + cutoff()
    taken = db.session.execute(
        update(InterviewSlot)
        .where(InterviewSlot.id == slot_id, InterviewSlot.booked < InterviewSlot.capacity,
               InterviewSlot.starts_at > earliest,
               InterviewSlot.language == (application.instruction_language or "en"))
        .values(booked=InterviewSlot.booked + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise InterviewError(SLOT_GONE, field="slot")
    slot = db.session.get(InterviewSlot, slot_id, populate_existing=True)
    booking = InterviewBooking(application=application, slot=slot)
    db.session.add(booking)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a second tab booked at the same moment
        raise InterviewError(_l("You already have an interview booked.")) from exc
    applicant = application.applicant
    with force_locale(applicant.locale or "en"):  # the applicant reads their timeline
        body = _("Interview booked: %(time)s",
                 time=interview_times.when(slot.starts_at, interview_times.zone_for(applicant)))
    record_event(application, applicant, "interview", body=body, visible=True)
    return booking


def _release(booking: InterviewBooking) -> None:
    booking.cancelled_at = utcnow()
    db.session.execute(update(InterviewSlot).where(InterviewSlot.id == booking.slot_id, InterviewSlot.booked > 0)
                       .values(booked=InterviewSlot.booked - 1).execution_options(synchronize_session=False))
    db.session.flush()


# --- attendance and results ----------------------------------------------------------------

def awaiting_result(application: Application) -> bool:
    """Whether the office has an interview to record now (attendance not yet given)."""
    booking = live_booking(application)
    return application.status == Status.INTERVIEW and booking is not None and booking.attendance is None


def record_result(application: Application, officer: User, *, attendance: str,
                  scores: dict[str, Decimal | None], notes: str | None, offer_new_slot: bool = False) -> None:
    if not officer.is_staff:
        raise InterviewError(_l("Only the admissions office can do this."))
    if not awaiting_result(application):
        raise InterviewError(_l("There is no booked interview to record."))
    booking = live_booking(application)
    if booking.slot.starts_at > utcnow():
        raise InterviewError(_l("The interview has not started yet."))
    if attendance == "attended":
        _set_scores(booking, scores)
    elif attendance == "no_show":
        _no_show(application, booking, offer_new_slot)
    else:
        raise InterviewError(_l("Say whether the applicant attended."), field="attendance")
    booking.attendance = attendance
    booking.result_notes = (notes or "").strip()[:5000] or None
    booking.recorded_by_id = officer.id
    booking.recorded_at = utcnow()
    record_event(application, officer, "interview", body=str(ATTENDANCE_TEXT[attendance]))
    db.session.flush()


def _set_scores(booking: InterviewBooking, scores: dict[str, Decimal | None]) -> None:
    for subject in SUBJECTS:
        value = scores.get(subject)
        if value is None or not Decimal(0) <= value <= MAX_SCORE:
            raise InterviewError(_l("Give every score from 0 to 100."), field=f"{subject}_score")
        setattr(booking, f"{subject}_score", value)


def _no_show(application: Application, booking: InterviewBooking, offer_new_slot: bool) -> None:
    if not offer_new_slot:
        return
    if any(b.rebook_offered for b in application.interview_bookings):
        raise InterviewError(_l("A new time was already offered once after a missed interview."),
                             field="offer_new_slot")
    booking.rebook_offered = True
    _release(booking)
    _notify(application, "interview_missed", link=_interview_link())


def result_recorded(application: Application) -> bool:
    """Whether the interview took place and its scores are in (needed to accept or waitlist)."""
    booking = live_booking(application)
    return booking is not None and booking.attendance == "attended"


def scores(booking: InterviewBooking) -> dict[str, Decimal | None]:
    return {subject: getattr(booking, f"{subject}_score") for subject in SUBJECTS}


# --- reminders -----------------------------------------------------------------------------

def queue_day_before_reminders(now: datetime | None = None) -> int:
    """Queue "your interview is tomorrow" for live bookings starting in the next 24 hours.

    Each booking is claimed by a conditional UPDATE of ``reminder_sent_at``, so two workers running
    this at once send each reminder once. Returns the number queued; the caller commits.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(InterviewBooking).join(InterviewSlot)
        .where(InterviewBooking.cancelled_at.is_(None), InterviewBooking.reminder_sent_at.is_(None),
               InterviewSlot.starts_at > now, InterviewSlot.starts_at <= now + timedelta(hours=24)))
    queued = 0
    for booking in list(due):
        claimed = db.session.execute(
            update(InterviewBooking).where(InterviewBooking.id == booking.id,
                                           InterviewBooking.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now).execution_options(synchronize_session=False))
        application = booking.application
        if claimed.rowcount == 1 and application.status == Status.INTERVIEW and application.applicant.active:
            _notify_booking(application, booking, "interview_reminder")
            queued += 1
    return queued


# --- e-mail --------------------------------------------------------------------------------

def _interview_link() -> str:
    return notifications.external_url("apply.interview")


def _notify(application: Application, template: str, **context) -> None:
    notifications.queue_for_user(application.applicant, template, application=application, **context)


def _notify_booking(application: Application, booking: InterviewBooking, template: str,
                    previous: InterviewSlot | None = None) -> None:
    """Every interview e-mail states the time in the applicant's zone and the institution's."""
    applicant = application.applicant
    zone = interview_times.zone_for(applicant)
    slot = booking.slot
    with force_locale(applicant.locale or "en"):  # the words and the dates in the e-mail's language
        context = {"slot": slot, "time_text": interview_times.both_times(slot.starts_at, zone),
                   "previous_text": interview_times.both_times(previous.starts_at, zone) if previous else None}
    attachment = {"filename": "interview.ics", "content_type": "text/calendar",
                  "content": booking_calendar(application, booking)}
    notifications.queue_for_user(applicant, template, attachments=[attachment], application=application,
                                 link=_interview_link(), **context)


def booking_calendar(application: Application, booking: InterviewBooking) -> str:
    """The .ics of a booking: one UID per application, so a move updates the calendar's event."""
    cfg = current_app.config
    slot = booking.slot
    domain = cfg["INSTITUTION_EMAIL"].rpartition("@")[2] or "localhost"
    return interview_times.booking_ics(
        uid=f"interview-{application.id}@{domain}", sequence=len(application.interview_bookings),
        starts_at=slot.starts_at, minutes=slot.duration_minutes,
        summary=f"{cfg['INSTITUTION_SHORT_NAME']} interview {application.reference}",
        description=slot.meeting_url, url=slot.meeting_url, organizer_email=cfg["INSTITUTION_EMAIL"])
