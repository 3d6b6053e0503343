"""Office: reference data (admins only) — intakes, programmes and document types. Nothing is
deleted here: what applications refer to is deactivated instead."""

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.forms import commit_or_show
from portal.models import INSTRUCTION_LANGUAGES, DocumentType, Intake, Programme
from portal.office.blueprint import bp
from portal.office.forms import DocumentTypeForm, IntakeForm, ProgrammeSettingsForm
from portal.security import admin_required
from portal.services import reference


@bp.route("/settings")
@admin_required
def settings():
    return render_template("office/settings/index.html", intakes=reference.list_intakes(),
                           programmes=reference.list_programmes(), document_types=reference.list_document_types())


def _saved(form, save, done_message: str):
    """Save through the reference service and go back to the settings (None: show the form again)."""
    return redirect(url_for("office.settings")) if commit_or_show(save, form, done_message) else None


@bp.route("/settings/intakes/new", methods=["GET", "POST"], defaults={"intake_id": None})
@bp.route("/settings/intakes/<int:intake_id>", methods=["GET", "POST"])
@admin_required
def intake(intake_id: int | None):
    intake = db.get_or_404(Intake, intake_id) if intake_id is not None else None
    form = IntakeForm(obj=intake, data=_intake_data(intake))
    if form.validate_on_submit() and (done := _saved(form, lambda: reference.save_intake(
            intake, current_user, code=form.code.data, name=form.name.data, opens_on=form.opens_on.data,
            closes_on=form.closes_on.data, course_starts_on=form.course_starts_on.data, active=form.active.data,
            interview=reference.InterviewSettings(
                form.interview_required.data, form.interview_fee_amount.data, form.interview_fee_currency.data,
                form.interview_fee_instructions.data)),
            _("The intake has been saved."))):
        return done
    return render_template("office/settings/edit.html", form=form, kind="intake", item=intake)


def _intake_data(intake: Intake | None) -> dict | None:
    if intake is None:
        return None
    return {"opens_on": intake.opens_at.date(), "closes_on": intake.closes_at.date()}


@bp.route("/settings/programmes/new", methods=["GET", "POST"], defaults={"programme_id": None})
@bp.route("/settings/programmes/<int:programme_id>", methods=["GET", "POST"])
@admin_required
def programme(programme_id: int | None):
    programme = db.get_or_404(Programme, programme_id) if programme_id is not None else None
    form = ProgrammeSettingsForm(obj=programme, data={"languages": programme.language_codes,
                                              "position": str(programme.position)} if programme else None)
    if form.validate_on_submit() and (done := _saved(form, lambda: reference.save_programme(
            programme, current_user, code=form.code.data,
            names={"en": form.name_en.data, "ru": form.name_ru.data, "az": form.name_az.data},
            languages=[c for c in form.languages.data if c in INSTRUCTION_LANGUAGES],
            position=int(form.position.data), active=form.active.data), _("The programme has been saved."))):
        return done
    return render_template("office/settings/edit.html", form=form, kind="programme", item=programme)


@bp.route("/settings/document-types/new", methods=["GET", "POST"], defaults={"type_id": None})
@bp.route("/settings/document-types/<int:type_id>", methods=["GET", "POST"])
@admin_required
def document_type(type_id: int | None):
    item = db.get_or_404(DocumentType, type_id) if type_id is not None else None
    form = DocumentTypeForm(obj=item, data={"kinds": item.allowed_kinds.split(","), "condition": item.condition or "",
                                            "max_size_mb": str(item.max_size_mb),
                                            "position": str(item.position)} if item else None)
    texts = {f"{field}_{code}": getattr(form, f"{field}_{code}").data or ""
             for field in ("name", "help") for code in ("en", "ru", "az")}
    if form.validate_on_submit() and (done := _saved(form, lambda: reference.save_document_type(
            item, current_user, code=form.code.data, texts=texts, requirement=form.requirement.data,
            condition=form.condition.data or None, kinds=form.kinds.data or [],
            max_size_mb=int(form.max_size_mb.data), position=int(form.position.data), active=form.active.data),
            _("The document type has been saved."))):
        return done
    return render_template("office/settings/edit.html", form=form, kind="document_type", item=item)
