"""Applications as the applicant edits them: finding one, starting one, saving a wizard step,
and the duplicate-passport flag. Submission and withdrawal live in services/submission.py, the
office's transitions in services/transitions.py, the timeline in services/timeline.py.

Every save checks the current state; a stale copy (another tab) is refused by the version
counter and reported as ``StaleApplication``, changing nothing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.models import Application, Document, Intake, Status, User
from portal.services.errors import ServiceError
from portal.services.intakes import intake_is_open
from portal.services.timeline import record_event

# The wizard, in order. "documents" and "review" are pages of their own.
STEPS = ("programme", "personal", "passport", "contact", "education", "documents", "review")
FORM_STEPS = STEPS[:5]
STEP_TITLES = {
    "programme": _l("Programme"),
    "personal": _l("Personal details"),
    "passport": _l("Passport"),
    "contact": _l("Contact"),
    "education": _l("Education"),
    "documents": _l("Documents"),
    "review": _l("Review and submit"),
}
LOCKED_AFTER_SUBMIT = frozenset({"programme"})  # track and language never reopen


class ApplicationError(ServiceError):
    pass


class IntakeClosed(ApplicationError):
    pass


class NotEditable(ApplicationError):
    pass


class IncompleteApplication(ApplicationError):
    pass


class IllegalTransition(ApplicationError):
    pass


class StaleApplication(ApplicationError):
    pass


SAVED_ELSEWHERE = _l("Your application was changed in another window at the same moment, so this page was not "
                     "saved. Please check your answers and save again.")


# --- finding the application ---------------------------------------------------------------

def current_application(user: User) -> Application | None:
    """The applicant's most recent application (drafts included), or None."""
    return db.session.scalar(select(Application).where(Application.applicant_id == user.id)
                             .order_by(Application.created_at.desc(), Application.id.desc()).limit(1))


def application_for(user: User, application_id: int) -> Application | None:
    """Ownership check: another applicant's application is simply not found."""
    return db.session.scalar(select(Application).where(Application.id == application_id,
                                                       Application.applicant_id == user.id))


def start_application(user: User, intake: Intake) -> Application:
    if not intake_is_open(intake):
        raise IntakeClosed(_l("Applications for %(intake)s are closed.", intake=intake.name))
    existing = db.session.scalar(select(Application).where(Application.applicant_id == user.id,
                                                           Application.intake_id == intake.id))
    if existing is not None:
        return existing
    application = Application(applicant_id=user.id, intake=intake, completed_steps=[], reopened_steps=[])
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another tab started it at the same moment
        raise StaleApplication(SAVED_ELSEWHERE) from exc
    record_event(application, user, "status", None, Status.DRAFT.value, visible=True)
    return application


# --- editing -------------------------------------------------------------------------------

def editable_steps(application: Application) -> set[str]:
    """Which wizard steps the applicant may change now."""
    if application.status == Status.DRAFT:
        return set(STEPS)
    if application.status == Status.ACTION_REQUIRED:
        return set(application.reopened_steps or []) - LOCKED_AFTER_SUBMIT
    return set()


def can_edit(application: Application, step: str) -> bool:
    return step in editable_steps(application)


def ensure_editable(application: Application, step: str) -> None:
    if application.status == Status.DRAFT and not intake_is_open(application.intake):
        raise IntakeClosed(_l("The application period for %(intake)s closed on %(date)s; "
                              "the application can no longer be changed.",
                              intake=application.intake.name, date=application.intake.closes_at.date()))
    if not can_edit(application, step):
        raise NotEditable(_l("This part of your application is locked because it has been submitted. "
                             "It can be changed only when the admissions office asks for a change."))


def save_step(application: Application, step: str, values: dict, complete: bool) -> None:
    """Store a step's answers; ``complete`` says whether the full validation passed."""
    ensure_editable(application, step)
    for name, value in values.items():
        setattr(application, name, value)
    steps = [s for s in (application.completed_steps or []) if s != step]
    if complete:
        steps.append(step)
    application.completed_steps = sorted(steps, key=STEPS.index)
    try:
        db.session.flush()  # the versioned UPDATE: a save racing another one fails here
        if step == "passport":
            flag_duplicate_passport(application)
    except (StaleDataError, OperationalError) as exc:
        raise StaleApplication(SAVED_ELSEWHERE) from exc


# --- duplicates ----------------------------------------------------------------------------

def flag_duplicate_passport(application: Application) -> bool:
    """A passport number already on another account's submitted application flags this one for
    officers: the applicant may continue, nothing is merged or refused."""
    if not application.passport_number:
        return False
    other = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.passport_number == application.passport_number,
        Application.passport_country == application.passport_country,
        Application.applicant_id != application.applicant_id,
        Application.status != Status.DRAFT))
    if other and not application.flagged_duplicate:
        application.flagged_duplicate = True
        record_event(application, None, "flag", body="passport number already used on another application")
    return bool(other)


def possible_duplicates(application: Application) -> dict[str, list[Application]]:
    """Other submitted applications with the same passport, or holding an identical document."""
    same_passport = []
    if application.passport_number:
        same_passport = list(db.session.scalars(select(Application).where(
            Application.passport_number == application.passport_number,
            Application.passport_country == application.passport_country,
            Application.id != application.id, Application.reference.is_not(None))))
    hashes = [d.sha256 for d in application.documents if d.flagged_duplicate]
    # A subquery, not DISTINCT over the joined rows: PostgreSQL cannot compare the JSON columns.
    holding = select(Document.application_id).where(Document.sha256.in_(hashes))
    same_files = list(db.session.scalars(select(Application).where(
        Application.id.in_(holding), Application.id != application.id).order_by(Application.id))) if hashes else []
    return {"same_passport": same_passport, "same_files": same_files}
