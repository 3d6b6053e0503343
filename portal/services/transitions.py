"""The office's transitions of an application: start the review, request changes, invite to the
interview, decide; assignment and internal notes beside them. The diagram is in
docs/architecture.md.

An intake that requires an interview (``Intake.interview_required``) cannot accept or waitlist
straight from ``under_review``: the applicant is invited first, and from ``interview`` only once
the interview's result is recorded (services/interviews.py). Rejecting with a reason is always
possible. Accepting issues the letters (services/letters.py).

Each transition checks the officer, the version the officer's page was built from (a stale
page changes nothing: ``StaleApplication``) and the current state (``IllegalTransition``), then
writes the status with its timeline event (services/timeline.py) and queues the applicant's
e-mail in the same transaction. The views add the audit entry and commit.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationEvent, Status, User
from portal.services import documents, interviews, letters, notifications
from portal.services.applications import (
    FORM_STEPS,
    LOCKED_AFTER_SUBMIT,
    STEP_TITLES,
    ApplicationError,
    IllegalTransition,
    StaleApplication,
)
from portal.services.timeline import record_event, set_status

# action: (states it may start from, resulting state); ``_refusal`` adds the interview rules.
TRANSITIONS = {
    "start_review": (frozenset({Status.SUBMITTED}), Status.UNDER_REVIEW),
    "request_changes": (frozenset({Status.SUBMITTED, Status.UNDER_REVIEW}), Status.ACTION_REQUIRED),
    "invite": (frozenset({Status.UNDER_REVIEW}), Status.INTERVIEW),
    "accept": (frozenset({Status.UNDER_REVIEW, Status.INTERVIEW, Status.WAITLISTED}), Status.ACCEPTED),
    "reject": (frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.INTERVIEW, Status.WAITLISTED}),
               Status.REJECTED),
    "waitlist": (frozenset({Status.UNDER_REVIEW, Status.INTERVIEW}), Status.WAITLISTED),
}
DECISIONS = ("accept", "reject", "waitlist")
STALE = _l("This application changed since you opened it. Nothing was saved: reload the page to see the "
           "changes, then try again.")


def allowed_actions(application: Application) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items()
            if application.status in sources and _refusal(application, action) is None]


def _refusal(application: Application, action: str):
    """Why the interview rules forbid ``action`` now (a lazy string), or None."""
    if action not in ("accept", "waitlist"):
        return None
    if application.status == Status.UNDER_REVIEW and application.intake.interview_required:
        return _l("This intake requires an interview: invite the applicant first.")
    if application.status == Status.INTERVIEW and not interviews.result_recorded(application):
        return _l("Record the interview's result first.")
    return None


def _transition(application: Application, officer: User, action: str, expected_version: int,
                reason: str | None = None) -> None:
    _require_staff(officer)
    sources, target = TRANSITIONS[action]
    if application.version != expected_version:
        raise StaleApplication(STALE)
    if application.status not in sources:
        raise IllegalTransition(_l("This cannot be done while the application is “%(status)s”.",
                                   status=Status(application.status).text))
    if (refusal := _refusal(application, action)) is not None:
        raise IllegalTransition(refusal)
    set_status(application, officer, target, reason)


def _require_staff(officer: User) -> None:
    if not officer.is_staff:
        raise IllegalTransition(_l("Only the admissions office can do this."))


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
    _notify(application, "application_action_required", message=message.strip(),
            parts=_reopened_parts(application, steps, document_codes))


def invite(application: Application, officer: User, expected_version: int) -> None:
    """To the interview stage; the e-mail carries the fee and how to pay it."""
    _transition(application, officer, "invite", expected_version)
    _flush_or_stale()
    _notify(application, "interview_invited", fee_due=interviews.fee_due(application),
            link=notifications.external_url("apply.interview"))


def _reopened_parts(application: Application, steps: list[str], document_codes: list[str]) -> list:
    """What the office reopened, named as the applicant sees it (in their language)."""
    locale = application.applicant.locale or "en"
    names = {t.code: t.localized("name", locale) for t, _required, _doc in documents.checklist(application)}
    return [STEP_TITLES[step] for step in steps] + [names.get(code, code) for code in document_codes]


def decide(application: Application, officer: User, expected_version: int, outcome: str,
           reason: str | None = None) -> None:
    if outcome not in DECISIONS:
        raise IllegalTransition(_l("Unknown decision."))
    reason = (reason or "").strip()
    if outcome == "reject" and not reason:
        raise ApplicationError(_l("Give the reason for the rejection; the applicant will read it."))
    _transition(application, officer, outcome, expected_version, reason=reason or None)
    application.decided_at = utcnow()
    _flush_or_stale()
    _notify(application, f"application_{TRANSITIONS[outcome][1]}", reason=reason)
    if outcome == "accept":
        letters.issue_on_acceptance(application, officer)


def assign(application: Application, officer: User, assignee: User | None) -> None:
    if not officer.is_staff or (assignee is not None and not assignee.is_staff):
        raise IllegalTransition(_l("Applications can be assigned only to admissions officers."))
    application.assigned_officer_id = assignee.id if assignee else None
    record_event(application, officer, "assignment", body=assignee.email if assignee else None)
    _flush_or_stale()


def add_note(application: Application, officer: User, body: str) -> ApplicationEvent:
    """An internal note: never shown to the applicant."""
    _require_staff(officer)
    if not (body or "").strip():
        raise ApplicationError(_l("Write the note first."))
    return record_event(application, officer, "note", body=body.strip()[:5000])


def _notify(application: Application, template: str, **context) -> None:
    context.setdefault("link", notifications.external_url("apply.home"))
    notifications.queue_for_user(application.applicant, template, application=application, **context)
