"""The applicant's home (/apply/): status in words, timeline, what is still missing, the
office's request, messages; withdrawal; and read-only copies of earlier applications."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.apply.blueprint import bp
from portal.apply.forms import WithdrawForm
from portal.apply.lookups import own_application_or_404
from portal.extensions import db
from portal.forms import ButtonForm, show_error
from portal.models.status import OPEN_FOR_APPLICANT, WITHDRAWABLE
from portal.security import applicant_required
from portal.services import applications, letters, messages, submission, timeline
from portal.services.applications import ApplicationError
from portal.services.intakes import next_intake, open_intakes
from portal.wizard.answers import stored_step_errors, summary


@bp.route("/")
@applicant_required
def home():
    application = applications.current_application(current_user)
    missing = []
    if application is not None and application.status in OPEN_FOR_APPLICANT:
        missing = submission.missing_items(application, stored_step_errors)
    return render_template("apply/home.html", application=application, missing=missing,
                           open_intakes=open_intakes(), next_intake=next_intake(),
                           events=timeline.visible_events(application) if application else [],
                           withdrawable=application is not None and application.status in WITHDRAWABLE,
                           unread=messages.unread_for_applicant(application),
                           letters=letters.current_letters(application) if application else [],
                           letter_kinds=letters.KIND_TEXT,
                           resend_form=ButtonForm())


@bp.route("/withdraw", methods=["GET", "POST"])
@applicant_required
def withdraw():
    application = applications.current_application(current_user)
    if application is None or application.status not in WITHDRAWABLE:
        abort(404)
    form = WithdrawForm(version=application.version)
    if form.validate_on_submit():
        try:
            submission.withdraw(application, current_user, form.expected_version())
        except ApplicationError as error:
            db.session.rollback()
            show_error(error, category="warning")
        else:
            db.session.commit()
            flash(_("Your application has been withdrawn."), "info")
        return redirect(url_for("apply.home"))
    return render_template("apply/withdraw.html", application=application, form=form)


@bp.route("/history/<int:application_id>")
@applicant_required
def history(application_id: int):
    application = own_application_or_404(application_id)
    return render_template("apply/history.html", application=application, sections=summary(application))
