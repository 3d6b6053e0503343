"""The wizard's forms put to work on a stored application: build a step's form with what it
needs to judge the answers, re-validate what was saved (review and submit), read every answer
back with the step's own labels (the review page and the office's application page), and the
progress indicator.

Why here and not in a blueprint: the applicant's pages and the office's pages both read an
application through the same forms, so the labels and rules can never disagree.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Programme, Status
from portal.models.status import OPEN_FOR_APPLICANT
from portal.services import applications, documents
from portal.services.applications import FORM_STEPS, STEP_TITLES, STEPS
from portal.services.intakes import open_intakes
from portal.wizard.education import EducationForm
from portal.wizard.forms import ContactDetailsForm, PassportForm, PersonalForm, ProgrammeStepForm

STEP_FORMS = {"programme": ProgrammeStepForm, "personal": PersonalForm, "passport": PassportForm,
              "contact": ContactDetailsForm, "education": EducationForm}


def active_programmes() -> list[Programme]:
    query = select(Programme).where(Programme.active.is_(True)).order_by(Programme.position, Programme.id)
    return list(db.session.scalars(query))


def make_form(step: str, application: Application | None, **kwargs):
    """The step's form with what it needs to judge the answers (intake, date of birth ...)."""
    form_class = STEP_FORMS[step]
    intake = application.intake if application else None
    if step == "programme":
        intakes = [application.intake] if application else open_intakes()
        kwargs.update(intakes=intakes, programmes=active_programmes())
        if application is not None:
            kwargs.setdefault("data", {"intake_id": str(application.intake_id)})
    if step == "passport" and application is not None:
        kwargs["date_of_birth"] = application.date_of_birth
    return form_class(intake=intake, **kwargs)


def stored_step_errors(application: Application, step: str) -> list:
    """Re-validate a step's saved answers with its own form (used at review and submit)."""
    form = make_form(step, application, formdata=None, obj=application, meta={"csrf": False})
    form.validate()
    return [error for f in form.answer_fields() for error in f.errors]


def summary(application: Application) -> list[dict]:
    """Every answer read back, grouped by step, with the step's own labels and choices."""
    sections = []
    for step in FORM_STEPS:
        form = make_form(step, application, formdata=None, obj=application, meta={"csrf": False})
        rows = []
        for f in form.answer_fields():
            value = f.data
            if hasattr(f, "choices") and f.choices:
                value = dict(f.choices).get(f.data, f.data) if f.data else ""
            elif hasattr(value, "normalize"):
                value = f._value()
            rows.append((f.label.text, value))
        sections.append({"step": step, "title": STEP_TITLES[step], "rows": rows,
                         "editable": applications.can_edit(application, step)})
    return sections


def progress(application: Application | None) -> list[dict]:
    """The progress indicator: each step's title, link and state (complete, locked, incomplete)."""
    missing_documents = documents.missing_required(application) if application else [None]
    items = []
    for step in STEPS:
        complete, locked = _step_state(application, step, missing_documents)
        state = "complete" if complete else ("locked" if locked else "incomplete")
        url = url_for("apply.step", name=step) if step in FORM_STEPS else url_for(f"apply.{step}")
        items.append({"step": step, "title": STEP_TITLES[step], "url": url, "state": state})
    return items


def _step_state(application: Application | None, step: str, missing_documents) -> tuple[bool, bool]:
    if application is None:
        return False, False
    if step in FORM_STEPS:
        complete = step in (application.completed_steps or [])
    elif step == "documents":
        complete = not missing_documents
    else:
        complete = application.status not in OPEN_FOR_APPLICANT
    locked = application.status != Status.DRAFT and not applications.can_edit(application, step)
    return complete, locked
