"""Office: one application's page — every answer, documents, the timeline, duplicate flags,
assignment — and its actions. Every action goes through services/transitions.py, checks the
form's version, and is written to the audit log; a stale form changes nothing."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import uploads
from portal.extensions import db
from portal.forms import ButtonForm, MessageForm, first_error, show_error
from portal.models import Application, Document, Status
from portal.office.application_forms import (
    AssignForm,
    DecideForm,
    DocumentReviewForm,
    NoteForm,
    RequestChangesForm,
    StartReviewForm,
)
from portal.office.blueprint import bp
from portal.office.interview_forms import InviteForm, ResultForm, RevokeLetterForm
from portal.office.lookups import application_or_404, document_or_404
from portal.security import staff_required
from portal.services import (
    applications,
    audit,
    document_checks,
    interview_times,
    interviews,
    letters,
    mail_log,
    staff,
    transitions,
)
from portal.services import documents as document_service
from portal.services import messages as message_service
from portal.services.applications import FORM_STEPS, LOCKED_AFTER_SUBMIT, STEP_TITLES, ApplicationError
from portal.wizard.answers import summary


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
            "message_form": MessageForm(), "invite_form": InviteForm(version=version)}


def _interview(application: Application) -> dict:
    """What templates/office/_interview.html needs."""
    booking = interviews.live_booking(application)
    return {"booking": booking, "bookings": application.interview_bookings,
            "awaiting_result": interviews.awaiting_result(application),
            "fee_due": interviews.fee_due(application), "fee": application.interview_fee,
            "institution_zone": interview_times.institution_zone(),
            "booking_text": interview_times.when(booking.slot.starts_at, interview_times.institution_zone())
            if booking else None,
            "result_form": ResultForm(), "letters": application.letters, "letter_kinds": letters.KIND_TEXT,
            "letter_states": letters.STATE_TEXT, "reissue_form": ButtonForm(),
            "revoke_forms": {item.id: RevokeLetterForm(prefix=f"revoke-{item.id}") for item in application.letters}}


def _documents(application: Application) -> dict:
    """What templates/office/_documents.html needs."""
    return {"current_documents": document_service.current_documents(application),
            "earlier_documents": [d for d in application.documents if d.superseded],
            "review_form": DocumentReviewForm(), "reviewable": application.status in document_service.REVIEWABLE,
            "quality_notes": {d.id: document_checks.quality_messages(d) for d in application.documents},
            "passport_check": document_checks.passport_check(application),
            "mrz_fields": document_checks.FIELD_NAMES, "is_passport": document_checks.is_passport}


def _timeline(application: Application, thread, emails) -> list[dict]:
    items = [{"at": e.created_at, "kind": e.kind, "event": e} for e in application.events]
    items += [{"at": m.created_at, "kind": "message", "message": m} for m in thread]
    items += [{"at": m.created_at, "kind": "email", "email": m} for m in emails]
    return sorted(items, key=lambda item: item["at"], reverse=True)


@bp.route("/applications/<reference>", endpoint="application")
@staff_required
def application_page(reference: str):
    application = application_or_404(reference)
    thread = message_service.thread(application)
    message_service.mark_read(application, current_user)
    audit.record(current_user, "application.view", "application", application.id, {"reference": reference})
    db.session.commit()
    viewing = _viewing(application)
    response = make_response(render_template(
        "office/application.html", application=application, sections=summary(application),
        timeline=_timeline(application, thread, mail_log.sent_to_applicant(application)),
        thread=thread, mail_states=mail_log.STATE_TEXT, actions=transitions.allowed_actions(application),
        duplicates=applications.possible_duplicates(application), viewing=viewing,
        **_forms(application), **_documents(application), **_interview(application)))
    if viewing is not None:  # the split view frames the file
        response.headers["Content-Security-Policy"] = uploads.VIEWER_CSP
    return response


def _viewing(application: Application) -> Document | None:
    """The document shown beside the answers (``?document=<id>``), one of this application's."""
    raw = request.args.get("document", "")
    if not raw:
        return None
    document = document_or_404(int(raw)) if raw.isdigit() else None
    if document is None or document.application_id != application.id:
        abort(404)
    return document


def _back(application: Application, anchor: str = "actions"):
    return redirect(url_for("office.application", reference=application.reference, _anchor=anchor))


def _apply(application: Application, action: str, call) -> None:
    """Run one service call; commit and audit it, or roll back and say why."""
    try:
        call()
    except ApplicationError as error:
        db.session.rollback()
        show_error(error)
        return
    audit.record(current_user, f"application.{action}", "application", application.id,
                 {"reference": application.reference, "status": application.status})
    db.session.commit()
    flash(_("Done: the application is now “%(status)s”.", status=Status(application.status).text), "success")


@bp.route("/applications/<reference>/start-review", methods=["POST"])
@staff_required
def start_review(reference: str):
    application = application_or_404(reference)
    form = StartReviewForm()
    if form.validate_on_submit():
        _apply(application, "start_review",
               lambda: transitions.start_review(application, current_user, form.expected_version()))
    return _back(application)


@bp.route("/applications/<reference>/request-changes", methods=["POST"])
@staff_required
def request_changes(reference: str):
    application = application_or_404(reference)
    form = RequestChangesForm()
    form.steps.choices = [(s, s) for s in FORM_STEPS]
    codes = {t.code for t, _r, _d in document_service.checklist(application)}
    form.documents.choices = [(c, c) for c in codes]
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _back(application)
    _apply(application, "request_changes", lambda: transitions.request_changes(
        application, current_user, form.expected_version(), steps=form.steps.data or [],
        document_codes=[c for c in form.documents.data or [] if c in codes], message=form.message.data))
    return _back(application)


@bp.route("/applications/<reference>/decide", methods=["POST"])
@staff_required
def decide(reference: str):
    application = application_or_404(reference)
    form = DecideForm()
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _back(application)
    _apply(application, "decide", lambda: transitions.decide(
        application, current_user, form.expected_version(), form.outcome.data, form.reason.data))
    return _back(application)


@bp.route("/applications/<reference>/assign", methods=["POST"])
@staff_required
def assign(reference: str):
    application = application_or_404(reference)
    form = AssignForm()
    if form.validate_on_submit():
        officers = {str(u.id): u for u in staff.active_staff()}
        if form.officer.data and form.officer.data not in officers:
            flash(_("Choose an officer from the list."), "error")
            return _back(application, "assignment")
        try:
            transitions.assign(application, current_user, officers.get(form.officer.data))
        except ApplicationError as error:
            db.session.rollback()
            show_error(error)
        else:
            audit.record(current_user, "application.assign", "application", application.id,
                         {"reference": reference, "officer": form.officer.data or None})
            db.session.commit()
            flash(_("The assignment has been saved."), "success")
    return _back(application, "assignment")


@bp.route("/applications/<reference>/notes", methods=["POST"])
@staff_required
def add_note(reference: str):
    application = application_or_404(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _back(application, "notes")
    transitions.add_note(application, current_user, form.body.data)
    audit.record(current_user, "application.note", "application", application.id, {"reference": reference})
    db.session.commit()
    flash(_("The note has been added."), "success")
    return _back(application, "timeline")


@bp.route("/applications/<reference>/messages", methods=["POST"])
@staff_required
def send_message(reference: str):
    application = application_or_404(reference)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _back(application, "messages")
    try:
        message_service.post_message(application, current_user, form.body.data)
    except message_service.MessageError as error:
        db.session.rollback()
        show_error(error)
    else:
        audit.record(current_user, "application.message", "application", application.id, {"reference": reference})
        db.session.commit()
        flash(_("Your message has been sent to the applicant."), "success")
    return _back(application, "messages")
