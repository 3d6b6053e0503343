"""Applications: the wizard's saving rules, submission and the status machine (DESIGN.md §4).

A status is written only here, next to its ApplicationEvent and the applicant's e-mail.
Every transition checks the current state; a stale copy (another tab, another officer) is
refused by the version counter and reported as ``StaleApplication``, changing nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationEvent, Document, Intake, User
from portal.services import notifications

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
STATUS_TEXT = {
    "draft": _l("Draft: not submitted yet"),
    "submitted": _l("Submitted: waiting for the admissions office"),
    "under_review": _l("Under review by the admissions office"),
    "action_required": _l("Action required: the admissions office asked you to change something"),
    "interview": _l("Invited to an interview"),
    "accepted": _l("Accepted"),
    "rejected": _l("Not accepted"),
    "waitlisted": _l("On the waiting list"),
    "withdrawn": _l("Withdrawn"),
}
DECIDED = frozenset({"accepted", "rejected", "waitlisted"})
WITHDRAWABLE = frozenset({"draft", "submitted", "under_review", "action_required", "interview"})
LOCKED_AFTER_SUBMIT = frozenset({"programme"})  # track and language never reopen


class ApplicationError(Exception):
    def __init__(self, message, problems: list | None = None):
        super().__init__(str(message))
        self.message = message
        self.problems = problems or []


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

def open_intakes(now=None) -> list[Intake]:
    now = now or utcnow()
    return list(db.session.scalars(select(Intake).where(
        Intake.active.is_(True), Intake.opens_at <= now, Intake.closes_at > now).order_by(Intake.opens_at)))


def next_intake(now=None) -> Intake | None:
    now = now or utcnow()
    return db.session.scalar(select(Intake).where(Intake.active.is_(True), Intake.opens_at > now)
                             .order_by(Intake.opens_at).limit(1))


def intake_is_open(intake: Intake, now=None) -> bool:
    now = now or utcnow()
    return intake.active and intake.opens_at <= now < intake.closes_at


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
    _event(application, user, "status", None, "draft", visible=True)
    return application


# --- editing -------------------------------------------------------------------------------

def editable_steps(application: Application) -> set[str]:
    """Which wizard steps the applicant may change now."""
    if application.status == "draft":
        return set(STEPS)
    if application.status == "action_required":
        return set(application.reopened_steps or []) - LOCKED_AFTER_SUBMIT
    return set()


def can_edit(application: Application, step: str) -> bool:
    return step in editable_steps(application)


def ensure_editable(application: Application, step: str) -> None:
    if application.status == "draft" and not intake_is_open(application.intake):
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


def flag_duplicate_passport(application: Application) -> bool:
    """A passport number already on another account's submitted application flags this one for
    officers: the applicant may continue, nothing is merged or refused."""
    if not application.passport_number:
        return False
    other = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.passport_number == application.passport_number,
        Application.passport_country == application.passport_country,
        Application.applicant_id != application.applicant_id,
        Application.status != "draft"))
    if other and not application.flagged_duplicate:
        application.flagged_duplicate = True
        _event(application, None, "flag", body="passport number already used on another application")
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
    same_files = list(db.session.scalars(select(Application).join(Document).where(
        Document.sha256.in_(hashes), Application.id != application.id).distinct())) if hashes else []
    return {"same_passport": same_passport, "same_files": same_files}


# --- submission ----------------------------------------------------------------------------

@dataclass
class Missing:
    step: str
    text: object  # a lazy string, shown to the applicant


def missing_items(application: Application, check_step) -> list[Missing]:
    """Everything that stands between this application and submission.

    ``check_step(application, step)`` re-validates a step's stored answers with the step's form
    (the wizard's rules live in one place) and returns its error messages."""
    from portal.services import documents

    missing = []
    for step in FORM_STEPS:
        problems = check_step(application, step)
        if problems:
            missing.append(Missing(step, _l("%(step)s: %(problem)s", step=STEP_TITLES[step],
                                            problem=problems[0])))
    locale = str(get_locale())
    for document_type in documents.missing_required(application):
        missing.append(Missing("documents", _l("Documents: %(name)s is missing",
                                              name=document_type.localized("name", locale))))
    if application.status == "action_required":
        missing += _requested_changes_outstanding(application, locale)
    if not application.applicant.is_verified:
        missing.append(Missing("account", _l("Your e-mail address is not verified yet.")))
    return missing


def change_request(application: Application) -> ApplicationEvent | None:
    """The office's latest request for changes (its message is the event's body)."""
    return next((e for e in reversed(application.events) if e.to_status == "action_required"), None)


def _requested_changes_outstanding(application: Application, locale: str) -> list[Missing]:
    """A resubmission needs every reopened step saved again and every reopened document uploaded again."""
    from portal.services import documents

    request = change_request(application)
    asked_at = request.created_at if request else None
    missing = []
    for item in application.reopened_steps or []:
        if item in FORM_STEPS and item not in (application.completed_steps or []):
            missing.append(Missing(item, _l("%(step)s: change this part as the admissions office asked, then "
                                            "save it.", step=STEP_TITLES[item])))
        elif item.startswith("documents:"):
            document_type = documents.type_by_code(item.split(":", 1)[1])
            current = documents.current_document(application, document_type) if document_type else None
            if document_type and (current is None or (asked_at and current.uploaded_at < asked_at)):
                missing.append(Missing("documents", _l("Documents: upload %(name)s again, as the admissions "
                                                      "office asked.", name=document_type.localized("name", locale))))
    return missing


def submit(application: Application, actor: User, expected_version: int, missing: list[Missing]) -> None:
    """draft -> submitted (or action_required -> submitted for a resubmission)."""
    if application.status not in ("draft", "action_required"):
        raise IllegalTransition(_l("This application has already been submitted."))
    if application.version != expected_version:
        raise StaleApplication(_l("Your application changed in another window. "
                                  "Please review it again before you submit."))
    if application.status == "draft" and not intake_is_open(application.intake):
        raise IntakeClosed(_l("Applications for %(intake)s are closed.", intake=application.intake.name))
    if missing:
        raise IncompleteApplication(_l("Your application is not complete yet."), missing)
    try:
        _record_submission(application, actor)
    except (StaleDataError, OperationalError) as exc:
        # Another request (a double click, a second tab) submitted first; the caller rolls back.
        raise StaleApplication(_l("This application has already been submitted.")) from exc


def _record_submission(application: Application, actor: User) -> None:
    resubmission = application.status == "action_required"
    if not resubmission:
        application.reference = _next_reference(application.intake)
    _set_status(application, actor, "submitted")
    application.submitted_at = utcnow()
    application.reopened_steps = []
    db.session.flush()  # the versioned UPDATE: a concurrent submit fails here
    flag_duplicate_passport(application)
    template = "application_resubmitted" if resubmission else "application_submitted"
    notifications.queue_for_user(application.applicant, template, application=application,
                                 link=notifications.external_url("apply.home"))


def _next_reference(intake: Intake) -> str:
    """FC27-000123: a counter per intake, incremented atomically in the submit transaction."""
    number = db.session.execute(
        update(Intake).where(Intake.id == intake.id).values(last_reference=Intake.last_reference + 1)
        .returning(Intake.last_reference)).scalar_one()
    return f"{intake.code}-{number:06d}"


def withdraw(application: Application, actor: User, expected_version: int) -> None:
    if application.status not in WITHDRAWABLE:
        raise IllegalTransition(_l("This application can no longer be withdrawn."))
    if application.version != expected_version:
        raise StaleApplication(_l("Your application changed in another window. Please try again."))
    _set_status(application, actor, "withdrawn")
    if application.reference:
        notifications.queue_for_user(application.applicant, "application_withdrawn", application=application)
    db.session.flush()


# --- the office's transitions --------------------------------------------------------------

# action: (states it may start from, resulting state). "invite" is the interview issue's seam.
TRANSITIONS = {
    "start_review": (frozenset({"submitted"}), "under_review"),
    "request_changes": (frozenset({"submitted", "under_review"}), "action_required"),
    "accept": (frozenset({"under_review", "interview", "waitlisted"}), "accepted"),
    "reject": (frozenset({"submitted", "under_review", "interview", "waitlisted"}), "rejected"),
    "waitlist": (frozenset({"under_review", "interview"}), "waitlisted"),
}
STALE = _l("This application changed since you opened it. Nothing was saved: reload the page to see the "
           "changes, then try again.")


def allowed_actions(application: Application) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if application.status in sources]


def _transition(application: Application, officer: User, action: str, expected_version: int,
                reason: str | None = None) -> str:
    if not officer.is_staff:
        raise IllegalTransition(_l("Only the admissions office can do this."))
    sources, target = TRANSITIONS[action]
    if application.version != expected_version:
        raise StaleApplication(STALE)
    if application.status not in sources:
        raise IllegalTransition(_l("This cannot be done while the application is “%(status)s”.",
                                   status=STATUS_TEXT[application.status]))
    old = application.status
    _set_status(application, officer, target, reason)
    return old


def _flush_or_stale() -> None:
    try:
        db.session.flush()
    except (StaleDataError, OperationalError) as exc:
        raise StaleApplication(STALE) from exc


def start_review(application: Application, officer: User, expected_version: int) -> None:
    _transition(application, officer, "start_review", expected_version)
    if application.assigned_officer_id is None:
        application.assigned_officer_id = officer.id
    _flush_or_stale()
    _notify(application, "application_under_review")


def request_changes(application: Application, officer: User, expected_version: int, *, steps: list[str],
                    document_codes: list[str], message: str) -> None:
    """Reopen exactly the named steps and documents; the applicant changes only those, then resubmits."""
    steps = [s for s in steps if s in FORM_STEPS and s not in LOCKED_AFTER_SUBMIT]
    if not steps and not document_codes:
        raise ApplicationError(_l("Choose at least one part of the application or one document to reopen."))
    if not (message or "").strip():
        raise ApplicationError(_l("Write a message that tells the applicant what to change."))
    _transition(application, officer, "request_changes", expected_version, reason=message.strip())
    application.reopened_steps = steps + [f"documents:{code}" for code in document_codes]
    application.completed_steps = [s for s in application.completed_steps or [] if s not in steps]
    _flush_or_stale()
    _notify(application, "application_action_required", message=message.strip())


def decide(application: Application, officer: User, expected_version: int, outcome: str,
           reason: str | None = None) -> None:
    if outcome not in ("accept", "reject", "waitlist"):
        raise IllegalTransition(_l("Unknown decision."))
    if outcome == "reject" and not (reason or "").strip():
        raise ApplicationError(_l("Give the reason for the rejection; the applicant will read it."))
    _transition(application, officer, outcome, expected_version, reason=(reason or "").strip() or None)
    application.decided_at = utcnow()
    _flush_or_stale()
    _notify(application, f"application_{TRANSITIONS[outcome][1]}", reason=(reason or "").strip())


def assign(application: Application, officer: User, assignee: User | None) -> None:
    if not officer.is_staff or (assignee is not None and not assignee.is_staff):
        raise IllegalTransition(_l("Applications can be assigned only to admissions officers."))
    application.assigned_officer_id = assignee.id if assignee else None
    _event(application, officer, "assignment", body=assignee.email if assignee else None)
    _flush_or_stale()


def add_note(application: Application, officer: User, body: str) -> ApplicationEvent:
    """An internal note: never shown to the applicant."""
    if not officer.is_staff:
        raise IllegalTransition(_l("Only the admissions office can do this."))
    if not (body or "").strip():
        raise ApplicationError(_l("Write the note first."))
    return _event(application, officer, "note", body=body.strip()[:5000])


def _notify(application: Application, template: str, **context) -> None:
    notifications.queue_for_user(application.applicant, template, application=application,
                                 link=notifications.external_url("apply.home"), **context)


# --- the timeline --------------------------------------------------------------------------

def _set_status(application: Application, actor: User | None, new: str, reason: str | None = None) -> None:
    old = application.status
    application.status = new
    _event(application, actor, "status", old, new, body=reason, visible=True)


def _event(application: Application, actor: User | None, kind: str, from_status=None, to_status=None,
           body: str | None = None, visible: bool = False) -> ApplicationEvent:
    event = ApplicationEvent(application=application, actor_id=actor.id if actor else None, kind=kind,
                             from_status=from_status, to_status=to_status, body=body,
                             visible_to_applicant=visible)
    db.session.add(event)
    return event


def visible_events(application: Application) -> list[ApplicationEvent]:
    return [e for e in application.events if e.visible_to_applicant]


# --- rules used by the wizard's forms ------------------------------------------------------

def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def passport_valid_until_needed(intake: Intake) -> date:
    return add_months(intake.course_starts_on, current_app.config["PASSPORT_VALID_MONTHS_AFTER_START"])
