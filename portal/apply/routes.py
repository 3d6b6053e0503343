"""The applicant's area: home, the wizard's form steps, review and submit, withdraw.

Every page works on the signed-in applicant's own application; there is no id to guess except
on /apply/history/<id>, which finds only the applicant's own applications (others are 404).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.apply.forms import STEP_FORMS, SubmitForm, WithdrawForm
from portal.auth.forms import ButtonForm
from portal.extensions import db
from portal.models import Application, Programme, Role
from portal.security import roles_required
from portal.services import applications, documents, messages
from portal.services.applications import FORM_STEPS, STATUS_TEXT, STEP_TITLES, STEPS, ApplicationError

bp = Blueprint("apply", __name__, url_prefix="/apply")
applicant_required = roles_required(Role.APPLICANT.value)


# --- helpers shared by the pages -----------------------------------------------------------

def _programmes() -> list[Programme]:
    query = select(Programme).where(Programme.active.is_(True)).order_by(Programme.position, Programme.id)
    return list(db.session.scalars(query))


def make_form(step: str, application: Application | None, **kwargs):
    """The step's form with what it needs to judge the answers (intake, date of birth ...)."""
    form_class = STEP_FORMS[step]
    intake = application.intake if application else None
    if step == "programme":
        intakes = [application.intake] if application else applications.open_intakes()
        kwargs.update(intakes=intakes, programmes=_programmes())
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


bp.add_app_template_global(applications.change_request, "change_request")


@bp.app_template_global()
def wizard_progress(application: Application | None) -> list[dict]:
    missing_documents = documents.missing_required(application) if application else [None]
    items = []
    for step in STEPS:
        if application is None:
            complete, locked = False, False
        else:
            if step in FORM_STEPS:
                complete = step in (application.completed_steps or [])
            elif step == "documents":
                complete = not missing_documents
            else:
                complete = application.status not in ("draft", "action_required")
            locked = application.status != "draft" and not applications.can_edit(application, step)
        state = "complete" if complete else ("locked" if locked else "incomplete")
        url = url_for("apply.step", name=step) if step in FORM_STEPS else url_for(f"apply.{step}")
        items.append({"step": step, "title": STEP_TITLES[step], "url": url, "state": state})
    return items


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


def _version(form) -> int:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return -1


# --- pages ---------------------------------------------------------------------------------

@bp.route("/")
@applicant_required
def home():
    application = applications.current_application(current_user)
    missing = []
    if application is not None and application.status in ("draft", "action_required"):
        missing = applications.missing_items(application, stored_step_errors)
    return render_template("apply/home.html", application=application, missing=missing,
                           status_text=STATUS_TEXT, open_intakes=applications.open_intakes(),
                           next_intake=applications.next_intake(),
                           events=applications.visible_events(application) if application else [],
                           withdrawable=application is not None
                           and application.status in applications.WITHDRAWABLE,
                           unread=messages.unread_for_applicant(application),
                           resend_form=ButtonForm())


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
    if application is None and not applications.open_intakes():
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
                           programmes=_programmes() if name == "programme" else [])


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
        flash(error.message, "error")
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
    open_for_submit = application.status in ("draft", "action_required")
    missing = applications.missing_items(application, stored_step_errors) if open_for_submit else []
    form = SubmitForm(version=application.version)
    if request.method == "POST" and form.validate_on_submit():
        try:
            applications.submit(application, current_user, _version(form), missing)
        except applications.IncompleteApplication as error:
            db.session.rollback()
            flash(error.message, "error")
        except ApplicationError as error:
            db.session.rollback()
            flash(error.message, "warning")
            return redirect(url_for("apply.home"))
        else:
            db.session.commit()
            flash(_("Your application has been submitted. Your reference number is %(reference)s.",
                    reference=application.reference), "success")
            return redirect(url_for("apply.home"))
    return render_template("apply/review.html", application=application, form=form, missing=missing,
                           sections=summary(application), open_for_submit=open_for_submit,
                           current_step="review")


@bp.route("/withdraw", methods=["GET", "POST"])
@applicant_required
def withdraw():
    application = applications.current_application(current_user)
    if application is None or application.status not in applications.WITHDRAWABLE:
        abort(404)
    form = WithdrawForm(version=application.version)
    if form.validate_on_submit():
        try:
            applications.withdraw(application, current_user, _version(form))
        except ApplicationError as error:
            db.session.rollback()
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(_("Your application has been withdrawn."), "info")
        return redirect(url_for("apply.home"))
    return render_template("apply/withdraw.html", application=application, form=form)


@bp.route("/history/<int:application_id>")
@applicant_required
def history(application_id: int):
    application = applications.application_for(current_user, application_id)
    if application is None:
        abort(404)
    return render_template("apply/history.html", application=application, sections=summary(application),
                           status_text=STATUS_TEXT)


# The documents step lives in its own module and attaches to ``bp``.
from portal.apply import documents as _documents_pages  # noqa: E402,F401
from portal.apply import messages as _message_pages  # noqa: E402,F401
