"""Office: the interview stage on one application's page — invite, record attendance and the
result — and its letters: download, re-issue, revoke. Each action is audited and committed
alone; a refusal rolls back and says why."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import uploads
from portal.database import is_row_id
from portal.extensions import db
from portal.forms import ButtonForm, first_error, show_error
from portal.models import Application, Letter
from portal.models.interview import SUBJECTS
from portal.office.blueprint import bp
from portal.office.interview_forms import InviteForm, ResultForm, RevokeLetterForm
from portal.office.lookups import application_or_404
from portal.security import staff_required
from portal.services import audit, interviews, letters, transitions
from portal.services.errors import ServiceError


def _back(application: Application, anchor: str = "interview"):
    return redirect(url_for("office.application", reference=application.reference, _anchor=anchor))


def _commit(application: Application, action: str, call, done: str) -> None:
    try:
        call()
    except ServiceError as error:
        db.session.rollback()
        show_error(error)
        return
    audit.record(current_user, action, "application", application.id,
                 {"reference": application.reference, "status": application.status})
    db.session.commit()
    flash(done, "success")


@bp.route("/applications/<reference>/invite", methods=["POST"])
@staff_required
def invite(reference: str):
    application = application_or_404(reference)
    form = InviteForm()
    if form.validate_on_submit():
        _commit(application, "application.invite",
                lambda: transitions.invite(application, current_user, form.expected_version()),
                _("The applicant was invited to the interview and told how to pay the fee."))
    return _back(application, "actions")


@bp.route("/applications/<reference>/interview-result", methods=["POST"])
@staff_required
def interview_result(reference: str):
    application = application_or_404(reference)
    form = ResultForm()
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _back(application)
    scores = {subject: getattr(form, f"{subject}_score").data for subject in SUBJECTS}
    _commit(application, "interview.result", lambda: interviews.record_result(
        application, current_user, attendance=form.attendance.data, scores=scores, notes=form.notes.data,
        offer_new_slot=form.offer_new_slot.data), _("The interview's result was recorded."))
    return _back(application)


def _letter_or_404(letter_id: int) -> Letter:
    letter = db.session.get(Letter, letter_id) if is_row_id(letter_id) else None
    if letter is None:
        abort(404)
    return letter


@bp.route("/letters/<int:letter_id>")
@staff_required
def letter(letter_id: int):
    letter = _letter_or_404(letter_id)
    audit.record(current_user, "letter.view", "letter", letter.id, {"reference": letter.application.reference})
    db.session.commit()
    return uploads.file_response(io.BytesIO(letters.pdf(letter)), content_type="application/pdf",
                                 name=letters.file_name(letter), image=False)


@bp.route("/letters/<int:letter_id>/reissue", methods=["POST"])
@staff_required
def reissue_letter(letter_id: int):
    letter = _letter_or_404(letter_id)
    if ButtonForm().validate_on_submit():
        _commit(letter.application, "letter.reissue", lambda: letters.reissue(letter, current_user),
                _("A new letter was issued; the old one now shows as superseded."))
    return _back(letter.application, "letters")


@bp.route("/letters/<int:letter_id>/revoke", methods=["POST"])
@staff_required
def revoke_letter(letter_id: int):
    letter = _letter_or_404(letter_id)
    form = RevokeLetterForm(prefix=f"revoke-{letter.id}")
    if not form.validate_on_submit():
        flash(first_error(form), "error")
    else:
        _commit(letter.application, "letter.revoke", lambda: letters.revoke(letter, current_user, form.reason.data),
                _("The letter was revoked; its verification page now says so."))
    return _back(letter.application, "letters")
