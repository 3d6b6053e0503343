"""Reminders the worker sends on a schedule (portal/worker/tasks.py): a draft not yet submitted
``REMINDER_DRAFT_DAYS`` before its intake closes, and a change request still unanswered
``REMINDER_CHANGES_DAYS`` after the office made it. ("Your interview is tomorrow" is
services/interviews.py ``queue_day_before_reminders``; it is not optional.)

Each reminder goes out once per occasion: the intake's closing date for a draft (moving the date
is a new occasion), the change request's event for changes. The claim is a ``ReminderSent`` row
inserted in a savepoint of the transaction that queues the e-mail, under a UNIQUE key: a second
run finds the row and sends nothing, and a second worker running at the same moment cannot insert
it too (PostgreSQL makes its INSERT wait for the first transaction, then refuses it; SQLite has
one writer at a time, and the task retries the run that lost the lock). Only the statuses named
get a reminder (never a withdrawn or decided application), only active, verified accounts.

Both reminders are optional: an applicant turns them off on /account or with the link in every
reminder (``List-Unsubscribe`` with RFC 8058's one-click POST, portal/public/unsubscribe.py),
which names the user in a signed token of its own purpose (services/tokens.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from portal.database import is_row_id, utcnow
from portal.extensions import db
from portal.models import Application, ApplicationEvent, Intake, ReminderSent, Status, User
from portal.services import audit, interview_times, interviews, notifications, tokens
from portal.worker import tasks

DRAFT = "draft"
CHANGES = "changes"
# A reminder may be read long after it was sent; its link only ever turns reminders off.
UNSUBSCRIBE_MAX_AGE = 2 * 366 * 24 * 3600


# --- the reminders -------------------------------------------------------------------------

def queue_draft_reminders(now: datetime | None = None) -> int:
    """Queue "your draft is not submitted" for drafts whose intake closes within
    REMINDER_DRAFT_DAYS (and has not closed). Returns the number queued; the caller commits."""
    now = now or utcnow()
    horizon = now + timedelta(days=current_app.config["REMINDER_DRAFT_DAYS"])
    drafts = db.session.scalars(
        select(Application).join(Intake, Application.intake_id == Intake.id)
        .join(User, Application.applicant_id == User.id)
        .where(Application.status == Status.DRAFT, Intake.closes_at > now, Intake.closes_at <= horizon,
               *_wants_reminders())
        .order_by(Application.id))
    return _count(_draft_reminder(application) for application in list(drafts))


def queue_changes_reminders(now: datetime | None = None) -> int:
    """Queue "the admissions office is waiting for your changes" for applications whose latest
    change request (services/timeline.change_request) is older than REMINDER_CHANGES_DAYS and
    still unanswered. Returns the number queued; the caller commits."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["REMINDER_CHANGES_DAYS"])
    latest = (select(func.max(ApplicationEvent.id))
              .where(ApplicationEvent.application_id == Application.id,
                     ApplicationEvent.to_status == Status.ACTION_REQUIRED)
              .correlate(Application).scalar_subquery())
    waiting = db.session.execute(
        select(Application, ApplicationEvent)
        .join(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .join(User, Application.applicant_id == User.id)
        .where(Application.status == Status.ACTION_REQUIRED, ApplicationEvent.id == latest,
               ApplicationEvent.created_at <= cutoff, *_wants_reminders())
        .order_by(Application.id))
    return _count(_changes_reminder(application, request) for application, request in list(waiting))


def _wants_reminders() -> list[ColumnElement[bool]]:
    """The applicant can and will read an optional reminder: active, verified, not opted out."""
    return [User.active.is_(True), User.email_verified_at.is_not(None), User.reminders_opt_out.is_(False)]


def _count(sent: Iterable[bool]) -> int:
    return sum(1 for queued in sent if queued)


def _draft_reminder(application: Application) -> bool:
    intake = application.intake
    if not claim(DRAFT, application.id, intake.closes_at.date().isoformat()):
        return False
    applicant = application.applicant
    with force_locale(applicant.locale or "en"):  # the deadline in the e-mail's language
        closes = interview_times.both_times(intake.closes_at, interview_times.zone_for(applicant))
    _queue(application, "reminder_draft", closes_text=closes, intake=intake)
    return True


def _changes_reminder(application: Application, request: ApplicationEvent) -> bool:
    if not claim(CHANGES, application.id, str(request.id)):
        return False
    _queue(application, "reminder_changes", message=request.body or "", requested_at=request.created_at)
    return True


def claim(kind: str, application_id: int, occasion: str) -> bool:
    """Record that this reminder goes out now; False when it already went (or is going) out.

    In a savepoint, so a refused INSERT undoes only itself; the caller's transaction carries the
    row and the e-mail together."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(kind=kind, application_id=application_id, occasion=occasion))
    except IntegrityError:
        return False
    return True


def _queue(application: Application, template: str, **context) -> None:
    applicant = application.applicant
    link = unsubscribe_link(applicant)
    notifications.queue_for_user(applicant, template, headers=unsubscribe_headers(link), application=application,
                                 link=notifications.external_url("apply.home"), unsubscribe_link=link, **context)


# --- opting out ----------------------------------------------------------------------------

def unsubscribe_link(user: User) -> str:
    return notifications.external_url("public.unsubscribe",
                                      token=tokens.make_token("unsubscribe", {"user": user.id}))


def unsubscribe_headers(link: str) -> dict[str, str]:
    """RFC 8058: a mail client may offer "Unsubscribe" and POST ``List-Unsubscribe=One-Click``."""
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def user_for_unsubscribe(token: str) -> User | None:
    """The user a genuine unsubscribe token names; None for a tampered, truncated or foreign
    token, or an account that no longer exists."""
    try:
        data = tokens.read_token("unsubscribe", token, max_age=UNSUBSCRIBE_MAX_AGE)
    except tokens.TokenInvalid:
        return None
    user_id = data.get("user")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not is_row_id(user_id):
        return None
    return db.session.get(User, user_id)


def set_reminders(user: User, wanted: bool, *, via: str) -> bool:
    """Turn the optional reminders on or off (``via``: "account" or "unsubscribe", for the audit
    log). Returns whether anything changed; the caller commits."""
    if user.reminders_opt_out == (not wanted):
        return False
    user.reminders_opt_out = not wanted
    audit.record(user, "account.reminders", "user", user.id, {"reminders": wanted, "via": via})
    return True


# --- the worker's schedule (portal/worker/tasks.py runs each hourly, commits, retries a lost lock) ---

tasks.every_hour("reminders.drafts", minute=5)(queue_draft_reminders)
tasks.every_hour("reminders.changes", minute=10)(queue_changes_reminders)
tasks.every_hour("reminders.interviews", minute=0)(interviews.queue_day_before_reminders)
