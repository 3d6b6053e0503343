"""Sending an application to the office: what is still missing, submission (and resubmission
after a change request) with its reference number, and withdrawal.

Every transition checks the current state and the version the applicant's page was built
from; a stale copy (a double click, another tab) is refused as ``StaleApplication``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, Intake, Status, User
from portal.models.status import OPEN_FOR_APPLICANT, WITHDRAWABLE
from portal.services import documents, notifications
from portal.services.applications import (
    FORM_STEPS,
    STEP_TITLES,
    IllegalTransition,
    IncompleteApplication,
    IntakeClosed,
    StaleApplication,
    flag_duplicate_passport,
)
from portal.services.intakes import intake_is_open
from portal.services.timeline import change_request, set_status


@dataclass
class Missing:
    step: str
    text: object  # a lazy string, shown to the applicant


def missing_items(application: Application, check_step) -> list[Missing]:
    """Everything that stands between this application and submission.

    ``check_step(application, step)`` re-validates a step's stored answers with the step's form
    (the wizard's rules live in one place, portal/wizard/) and returns its error messages."""
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
    if application.status == Status.ACTION_REQUIRED:
        missing += _requested_changes_outstanding(application, locale)
    if not application.applicant.is_verified:
        missing.append(Missing("account", _l("Your e-mail address is not verified yet.")))
    return missing


def _requested_changes_outstanding(application: Application, locale: str) -> list[Missing]:
    """A resubmission needs every reopened step saved again and every reopened document uploaded again."""
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
    if application.status not in OPEN_FOR_APPLICANT:
        raise IllegalTransition(_l("This application has already been submitted."))
    if application.version != expected_version:
        raise StaleApplication(_l("Your application changed in another window. "
                                  "Please review it again before you submit."))
    if application.status == Status.DRAFT and not intake_is_open(application.intake):
        raise IntakeClosed(_l("Applications for %(intake)s are closed.", intake=application.intake.name))
    if missing:
        raise IncompleteApplication(_l("Your application is not complete yet."), problems=missing)
    try:
        _record_submission(application, actor)
    except (StaleDataError, OperationalError) as exc:
        # Another request (a double click, a second tab) submitted first; the caller rolls back.
        raise StaleApplication(_l("This application has already been submitted.")) from exc


def _record_submission(application: Application, actor: User) -> None:
    resubmission = application.status == Status.ACTION_REQUIRED
    if not resubmission:
        application.reference = _next_reference(application.intake)
    set_status(application, actor, Status.SUBMITTED)
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
    set_status(application, actor, Status.WITHDRAWN)
    if application.reference:
        notifications.queue_for_user(application.applicant, "application_withdrawn", application=application,
                                     link=notifications.external_url("apply.home"))
    db.session.flush()
