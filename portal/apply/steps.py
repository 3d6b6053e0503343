"""The wizard's pages: one form step at a time (/apply/step/<name>, save and continue or save
a draft), then review and submit (/apply/review). The forms and their rules are portal/wizard/;
saving and submitting are services/applications.py and services/submission.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.apply.blueprint import bp
from portal.apply.forms import SubmitForm
from portal.extensions import db
from portal.forms import show_error
from portal.models import Application
from portal.models.status import OPEN_FOR_APPLICANT
from portal.security import applicant_required
from portal.services import applications, document_checks, submission
from portal.services.applications import FORM_STEPS, STEP_TITLES, STEPS, ApplicationError
from portal.services.intakes import open_intakes
from portal.wizard.answers import active_programmes, make_form, stored_step_errors, summary


@bp.route("/step/<name>", methods=["GET", "POST"])
@applicant_required
def step(name: str):
    if name in ("documents", "review"):
        return redirect(url_for(f"apply.{name}"))
    if name not in FORM_STEPS:
        abort(404)
    application = applications.current_application(current_user)
    if application is None and name != "programme":
        flash(_("Start with the programme: choose the intake, the track and the language."), "info")
        return redirect(url_for("apply.step", name="programme"))
    if application is None and not open_intakes():
        flash(_("Applications are closed at the moment."), "warning")
        return redirect(url_for("apply.home"))
    editable = application is None or applications.can_edit(application, name)
    form = make_form(name, application, obj=application if request.method == "GET" else None)
    if request.method == "POST":
        if not editable:
            flash(_("This part of your application is locked because it has been submitted."), "error")
            return redirect(url_for("apply.step", name=name))
        saved = _save_step(form, application, name)
        if saved is not None:
            return saved
    return render_template("apply/step.html", form=form, application=application, current_step=name,
                           step_title=STEP_TITLES[name], editable=editable,
                           programmes=active_programmes() if name == "programme" else [])


def _save_step(form, application: Application | None, name: str):
    """Validate and store; returns a redirect when saved, None to show the errors."""
    complete = form.validate_on_submit()
    draft = bool(form.save_draft.data)
    if not complete and draft:
        blocked = bool(form.draft_errors()) or bool(form.csrf_token.errors)
        form.drop_errors_of_empty_fields()  # a draft may leave questions unanswered
        if blocked:
            return None
    elif not complete:
        return None
    try:
        if application is None:
            application = applications.start_application(current_user, form.intakes[form.intake_id.data])
        applications.save_step(application, name, form.values(), complete=complete)
    except ApplicationError as error:
        db.session.rollback()
        show_error(error)
        return None
    db.session.commit()
    if draft:
        flash(_("Your answers are saved as a draft. You can come back to them at any time."), "success")
        return redirect(url_for("apply.step", name=name))
    flash(_("Saved."), "success")
    following = STEPS[STEPS.index(name) + 1]
    return redirect(url_for("apply.step", name=following))


@bp.route("/review", methods=["GET", "POST"])
@applicant_required
def review():
    application = applications.current_application(current_user)
    if application is None:
        return redirect(url_for("apply.step", name="programme"))
    open_for_submit = application.status in OPEN_FOR_APPLICANT
    missing = submission.missing_items(application, stored_step_errors) if open_for_submit else []
    form = SubmitForm(version=application.version)
    if request.method == "POST" and form.validate_on_submit():
        try:
            submission.submit(application, current_user, form.expected_version(), missing)
        except applications.IncompleteApplication as error:
            db.session.rollback()
            show_error(error)
        except ApplicationError as error:
            db.session.rollback()
            show_error(error, category="warning")
            return redirect(url_for("apply.home"))
        else:
            db.session.commit()
            flash(_("Your application has been submitted. Your reference number is %(reference)s.",
                    reference=application.reference), "success")
            return redirect(url_for("apply.home"))
    return render_template("apply/review.html", application=application, form=form, missing=missing,
                           sections=summary(application), open_for_submit=open_for_submit,
                           current_step="review", passport_warnings=document_checks.applicant_warnings(
                               document_checks.passport_check(application)))
