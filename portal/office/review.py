"""Office: one application's page — every answer, documents, the timeline, duplicate flags,
assignment — and its actions. Every action goes through services/applications.py, checks the
form's version, and is written to the audit log; a stale form changes nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.apply.forms import MessageForm
from portal.apply.routes import summary
from portal.extensions import db
from portal.models import Application
from portal.office.applications import _application, documents_context
from portal.office.review_forms import AssignForm, DecideForm, NoteForm, RequestChangesForm, StartReviewForm
from portal.office.routes import bp
from portal.security import staff_required
from portal.services import applications, audit, staff
from portal.services import documents as document_service
from portal.services import messages as message_service
from portal.services.applications import FORM_STEPS, LOCKED_AFTER_SUBMIT, STATUS_TEXT, STEP_TITLES, ApplicationError


def _forms(application: Application) -> dict:
    version = application.version
    changes = RequestChangesForm(version=version)
    changes.steps.choices = [(s, STEP_TITLES[s]) for s in FORM_STEPS if s not in LOCKED_AFTER_SUBMIT]
    changes.documents.choices = [(t.code, t.localized("name", "en")) for t, _r, _d in
                                 document_service.checklist(application)]
    assign = AssignForm(officer=str(application.assigned_officer_id or ""))
    assign.officer.choices = [("", _("Nobody"))] + [(str(u.id), u.email) for u in staff.active_staff()]
    return {"start_form": StartReviewForm(version=version), "changes_form": changes,
            "decide_form": DecideForm(version=version), "assign_form": assign, "note_form": NoteForm(),
            "message_form": MessageForm()}


def _timeline(application: Application, thread) -> list[dict]:
    items = [{"at": e.created_at, "kind": e.kind, "event": e} for e in application.events]
    items += [{"at": m.created_at, "kind": "message", "message": m} for m in thread]
    return sorted(items, key=lambda item: item["at"], reverse=True)


@bp.route("/applications/<reference>", endpoint="application")
@staff_required
def application_page(reference: str):
    application = _application(reference)
    thread = message_service.thread(application)
    message_service.mark_read(application, current_user)
    audit.record(current_user, "application.view", "application", application.id, {"reference": reference})
    db.session.commit()
    return render_template("office/application.html", application=application, status_text=STATUS_TEXT,
                           sections=summary(application), timeline=_timeline(application, thread), thread=thread,
                           actions=applications.allowed_actions(application),
                           duplicates=applications.possible_duplicates(application),
                           **_forms(application), **documents_context(application))


def _back(application: Application, anchor: str = "actions"):
    return redirect(url_for("office.application", reference=application.reference, _anchor=anchor))


def _apply(application: Application, action: str, call) -> None:
    """Run one service call; commit and audit it, or roll back and say why."""
    try:
        call()
    except ApplicationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return
    audit.record(current_user, f"application.{action}", "application", application.id,
                 {"reference": application.reference, "status": application.status})
    db.session.commit()
    flash(_("Done: the application is now “%(status)s”.", status=STATUS_TEXT[application.status]), "success")


def _first_error(form) -> str:
    return next((errors[0] for errors in form.errors.values()), _("Please check the form and try again."))


@bp.route("/applications/<reference>/start-review", methods=["POST"])
@staff_required
def start_review(reference: str):
    application = _application(reference)
    form = StartReviewForm()
    if form.validate_on_submit():
        _apply(application, "start_review",
               lambda: applications.start_review(application, current_user, form.expected_version()))
    return _back(application)


@bp.route("/applications/<reference>/request-changes", methods=["POST"])
@staff_required
def request_changes(reference: str):
    application = _application(reference)
    form = RequestChangesForm()
    form.steps.choices = [(s, s) for s in FORM_STEPS]
    codes = {t.code for t, _r, _d in document_service.checklist(application)}
    form.documents.choices = [(c, c) for c in codes]
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back(application)
    _apply(application, "request_changes", lambda: applications.request_changes(
        application, current_user, form.expected_version(), steps=form.steps.data or [],
        document_codes=[c for c in form.documents.data or [] if c in codes], message=form.message.data))
    return _back(application)


@bp.route("/applications/<reference>/decide", methods=["POST"])
@staff_required
def decide(reference: str):
    application = _application(reference)
    form = DecideForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back(application)
    _apply(application, "decide", lambda: applications.decide(
        application, current_user, form.expected_version(), form.outcome.data, form.reason.data))
    return _back(application)


@bp.route("/applications/<reference>/assign", methods=["POST"])
@staff_required
def assign(reference: str):
    application = _application(reference)
    form = AssignForm()
    if form.validate_on_submit():
        officers = {str(u.id): u for u in staff.active_staff()}
        if form.officer.data and form.officer.data not in officers:
            flash(_("Choose an officer from the list."), "error")
            return _back(application, "assignment")
        try:
            applications.assign(application, current_user, officers.get(form.officer.data))
        except ApplicationError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            audit.record(current_user, "application.assign", "application", application.id,
                         {"reference": reference, "officer": form.officer.data or None})
            db.session.commit()
            flash(_("The assignment has been saved."), "success")
    return _back(application, "assignment")


@bp.route("/applications/<reference>/notes", methods=["POST"])
@staff_required
def add_note(reference: str):
    application = _application(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back(application, "notes")
    applications.add_note(application, current_user, form.body.data)
    audit.record(current_user, "application.note", "application", application.id, {"reference": reference})
    db.session.commit()
    flash(_("The note has been added."), "success")
    return _back(application, "timeline")


@bp.route("/applications/<reference>/messages", methods=["POST"])
@staff_required
def send_message(reference: str):
    application = _application(reference)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back(application, "messages")
    try:
        message_service.post_message(application, current_user, form.body.data)
    except message_service.MessageError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        audit.record(current_user, "application.message", "application", application.id, {"reference": reference})
        db.session.commit()
        flash(_("Your message has been sent to the applicant."), "success")
    return _back(application, "messages")
