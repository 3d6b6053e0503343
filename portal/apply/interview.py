"""The applicant's interview stage (/apply/interview): the fee and its receipt, choosing a slot,
moving it, the booked time in their zone and the institution's; and the letters (/apply/letters)."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import uploads
from portal.apply.blueprint import bp
from portal.apply.forms import BookSlotForm
from portal.apply.lookups import application_or_redirect
from portal.database import is_row_id
from portal.extensions import db
from portal.forms import show_error
from portal.models import Application, Status
from portal.security import applicant_required
from portal.services import documents, interview_times, interviews, letters
from portal.services.interviews import InterviewError


def _slot_form(application: Application, zone) -> BookSlotForm:
    form = BookSlotForm()
    form.slot.choices = [(slot.id, interview_times.when(slot.starts_at, zone))
                         for slot in interviews.open_slots(application)]
    return form


def _render(application: Application, form: BookSlotForm | None = None, status: int = 200):
    zone = interview_times.zone_for(current_user)
    booking = interviews.live_booking(application)
    can_choose = interviews.may_book(application) or interviews.may_move(booking)
    receipts = [(t, d) for t, _required, d in documents.checklist(application) if t.condition == "interview"]
    return render_template(
        "apply/interview.html", application=application, booking=booking, zone=zone,
        booked_text=interview_times.both_times(booking.slot.starts_at, zone) if booking else None,
        fee_due=interviews.fee_due(application), fee_settled=interviews.fee_settled(application),
        receipts=receipts, can_choose=can_choose, can_move=interviews.may_move(booking),
        form=form or (_slot_form(application, zone) if can_choose else None),
        cutoff_hours=int(interviews.cutoff().total_seconds() // 3600)), status


@bp.route("/interview")
@applicant_required
def interview():
    application, redirect_home = application_or_redirect()
    if redirect_home:
        return redirect_home
    if application.status != Status.INTERVIEW and not application.interview_bookings:
        flash(_("You have not been invited to an interview yet."), "info")
        return redirect(url_for("apply.home"))
    return _render(application)


@bp.route("/interview/book", methods=["POST"])
@applicant_required
def book_interview():
    application, redirect_home = application_or_redirect()
    if redirect_home:
        return redirect_home
    form = _slot_form(application, interview_times.zone_for(current_user))
    if not form.validate_on_submit():
        flash(_("Choose an interview time."), "error")
        return _render(application, form, 400)
    moving = interviews.live_booking(application) is not None
    slot_id = form.slot.data

    def take():
        # After a retry's rollback the application is read afresh: book or move as it now stands.
        call = interviews.move if interviews.live_booking(application) else interviews.book
        return call(application, slot_id, current_user)

    try:
        interviews.commit_with_retry(take)
    except InterviewError as error:
        db.session.rollback()
        show_error(error, form)
        form.slot.choices = _slot_form(application, interview_times.zone_for(current_user)).slot.choices
        return _render(application, form, 409)
    flash(_("Your interview has been moved. We have sent you an e-mail with the new time.") if moving else
          _("Your interview is booked. We have sent you an e-mail with the time and a calendar file."), "success")
    return redirect(url_for("apply.interview"))


@bp.route("/letters/<int:letter_id>")
@applicant_required
def letter(letter_id: int):
    application, redirect_home = application_or_redirect()
    if redirect_home:
        return redirect_home
    found = next((item for item in application.letters if is_row_id(letter_id) and item.id == letter_id
                  and item.state == "valid"), None)
    if found is None:
        abort(404)
    return uploads.file_response(io.BytesIO(letters.pdf(found)), content_type="application/pdf",
                                 name=letters.file_name(found), image=False, download=True)
