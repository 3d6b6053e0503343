"""Office: interview slots at /office/interviews — one day at a time in the institution's zone,
with each slot's bookings and attendance; publish one slot or a series; remove an unbooked slot."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.database import is_row_id, utcnow
from portal.extensions import db
from portal.forms import ButtonForm, first_error, show_error
from portal.models import INSTRUCTION_LANGUAGES, InterviewSlot
from portal.office.blueprint import bp
from portal.office.interview_forms import PublishSlotsForm
from portal.security import staff_required
from portal.services import interview_slots, interview_times, staff
from portal.services.interviews import InterviewError


def _day() -> date:
    try:
        return date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return utcnow().astimezone(interview_times.institution_zone()).date()


def _publish_form(day: date) -> PublishSlotsForm:
    form = PublishSlotsForm(day=day)
    form.interviewer.choices = [("", _("Not yet chosen"))] + [(str(u.id), u.email) for u in staff.active_staff()]
    return form


def _interviewer(form: PublishSlotsForm):
    raw = form.interviewer.data or ""
    return staff.get(int(raw)) if raw.isdigit() and is_row_id(int(raw)) else None


def _render(day: date, form: PublishSlotsForm | None = None, status: int = 200):
    return render_template(
        "office/interviews.html", day=day, previous=day - timedelta(days=1), next=day + timedelta(days=1),
        slots=interview_slots.day_view(day), zone=interview_times.institution_zone(),
        form=form or _publish_form(day), remove_form=ButtonForm(),
        instruction_languages=INSTRUCTION_LANGUAGES), status


@bp.route("/interviews")
@staff_required
def interviews():
    return _render(_day())


@bp.route("/interviews/publish", methods=["POST"])
@staff_required
def publish_slots():
    form = _publish_form(_day())
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _render(form.day.data or _day(), form, 400)
    day = form.day.data
    try:
        starts = ([form.start.data] if form.until.data is None else
                  interview_slots.series_starts(day, form.start.data, form.until.data, form.every_minutes.data))
        spec = interview_slots.SlotSpec(form.duration_minutes.data, form.meeting_url.data.strip(),
                                        form.capacity.data, form.language.data, _interviewer(form))
        slots = interview_slots.publish(current_user, day, starts, spec)
    except InterviewError as error:
        db.session.rollback()
        show_error(error, form)
        return _render(day, form, 400)
    db.session.commit()
    flash(_("%(count)d interview slots published.", count=len(slots)), "success")
    return redirect(url_for("office.interviews", day=day.isoformat()))


@bp.route("/interviews/slots/<int:slot_id>/remove", methods=["POST"])
@staff_required
def remove_slot(slot_id: int):
    slot = db.session.get(InterviewSlot, slot_id) if is_row_id(slot_id) else None
    if slot is None:
        abort(404)
    day = slot.starts_at.astimezone(interview_times.institution_zone()).date()
    if ButtonForm().validate_on_submit():
        try:
            interview_slots.remove(current_user, slot)
        except InterviewError as error:
            db.session.rollback()
            show_error(error)
        else:
            db.session.commit()
            flash(_("The slot was removed."), "success")
    return redirect(url_for("office.interviews", day=day.isoformat()))
