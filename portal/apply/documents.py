"""Applicant documents: the checklist, uploads (a plain form, with a progress bar where
JavaScript runs), removal before submission, and image previews for the owner only."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal import uploads
from portal.apply.blueprint import bp
from portal.apply.forms import RemoveForm, UploadForm
from portal.apply.lookups import application_or_redirect, own_document_or_404
from portal.errors import render_error
from portal.extensions import db, limiter
from portal.forms import ButtonForm, first_error, show_error
from portal.models import Application, Document, DocumentType
from portal.security import applicant_required, config_limit, user_key
from portal.services import country_rules, document_checks
from portal.services import documents as service

UPLOAD_ENDPOINT = "apply.upload_document"


@dataclass
class Item:
    """One line of the checklist, as the template shows it."""

    type: DocumentType
    name: str
    help: str
    required: bool
    document: Document | None
    can_upload: bool
    can_remove: bool
    max_bytes: int
    kinds: list[str]
    error: str | None = None
    quality: list[str] | None = None  # flagged at upload and not yet kept anyway

    @property
    def status(self) -> str:
        if self.document is None:
            return "missing" if self.required else "none"
        return {"pending": "uploaded"}.get(self.document.review_state, self.document.review_state)

    @property
    def kinds_text(self) -> str:
        return uploads.kind_labels(self.kinds)

    @property
    def accept(self) -> str:
        return uploads.accept_attribute(self.kinds)

    @property
    def max_mb(self) -> str:
        return uploads.megabytes(self.max_bytes)


def _items(application: Application, errors: dict[str, str] | None = None) -> list[Item]:
    locale = str(get_locale() or "en")
    items = []
    for document_type, required, document in service.checklist(application):
        items.append(Item(
            type=document_type, name=document_type.localized("name", locale),
            help=document_type.localized("help", locale), required=required, document=document,
            can_upload=service.can_upload(application, document_type),
            can_remove=document is not None and service.can_remove(application, document),
            max_bytes=service.size_limit(document_type), kinds=service.allowed_kinds(document_type),
            error=(errors or {}).get(document_type.code),
            quality=document_checks.quality_messages(document)
            if document is not None and document_checks.quality_pending(document) else None))
    return items


def _render(application: Application, errors: dict[str, str] | None = None, status: int = 200):
    items = _items(application, errors)
    citizenship = application.citizenship
    response = make_response(render_template(
        "apply/documents.html", application=application, items=items, form=UploadForm(),
        next_url=url_for("apply.review"), keep_form=ButtonForm(),
        passport_warnings=document_checks.applicant_warnings(document_checks.passport_check(application)),
        any_upload=any(i.can_upload for i in items),
        legalisation=country_rules.legalisation_text(country_rules.rule_for(citizenship).legalisation)
        if citizenship else None), status)
    return response


@bp.route("/documents", endpoint="documents")
@applicant_required
def checklist_page():
    application, redirect_response = application_or_redirect()
    if application is None:
        return redirect_response
    return _render(application)


@bp.url_value_preprocessor
def _limit_upload_body(endpoint, values):
    """Runs before CSRF reads the body: the per-type size limit applies to the whole request,
    so a file over it is refused from its Content-Length, before it is read."""
    if endpoint == UPLOAD_ENDPOINT and request.method == "POST" and values:
        limit = service.request_limit(values.get("type_code"))
        if limit is not None:
            request.max_content_length = min(limit, current_app.config["MAX_CONTENT_LENGTH"])


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/documents/<type_code>", methods=["POST"], endpoint="upload_document")
@applicant_required
@limiter.limit(config_limit("UPLOAD_RATE_LIMIT"), key_func=user_key)
def upload(type_code: str):
    application, redirect_response = application_or_redirect()
    if application is None:
        return redirect_response
    document_type = service.type_by_code(type_code)
    if document_type is None:
        abort(404)
    form = UploadForm()
    try:
        if not form.validate_on_submit():
            raise service.DocumentRejected(first_error(form, _("The upload did not arrive. Please try again.")))
        document = service.store_upload(application, document_type, form.file.data, current_user)
        db.session.commit()
        document_checks.request_passport_read(document)
    except service.DocumentError as error:
        db.session.rollback()
        return _refused(application, document_type, error.message)
    message = _("%(document)s: %(file)s uploaded.", document=service.type_name(document_type),
                file=document.original_name)
    flash(message, "success")
    target = url_for("apply.documents", _anchor=f"doc-{document_type.code}")
    if _wants_json():
        return jsonify(ok=True, redirect=target, message=message)
    return redirect(target)


def _refused(application: Application, document_type: DocumentType, message):
    if _wants_json():
        return jsonify(ok=False, error=str(message)), 422
    return _render(application, {document_type.code: str(message)}, status=422)



@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """A friendly 413 on the upload page: what the limit is and the way back to the checklist."""
    if request.endpoint != UPLOAD_ENDPOINT:
        return render_error(413)
    limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
    document_type = service.type_by_code((request.view_args or {}).get("type_code") or "")
    max_bytes = service.size_limit(document_type) if document_type else limit
    message = uploads.too_large_message(max_bytes)
    if _wants_json():
        return jsonify(ok=False, error=str(message)), 413
    return render_template("apply/documents_too_large.html", message=message,
                           back=url_for("apply.documents", _anchor=f"doc-{document_type.code}"
                                        if document_type else None)), 413


@bp.route("/documents/<int:document_id>/remove", methods=["GET", "POST"], endpoint="remove_document")
@applicant_required
def remove(document_id: int):
    document = own_document_or_404(document_id)
    application = document.application
    form = RemoveForm()
    if form.validate_on_submit():
        try:
            service.remove_document(application, document, current_user)
            db.session.commit()
        except service.DocumentError as error:
            db.session.rollback()
            show_error(error)
            return redirect(url_for("apply.documents"))
        flash(_("%(file)s was removed.", file=document.original_name), "success")
        return redirect(url_for("apply.documents", _anchor=f"doc-{document.document_type.code}"))
    if not service.can_remove(application, document):
        flash(_("This document can no longer be removed."), "error")
        return redirect(url_for("apply.documents"))
    return render_template("apply/documents_remove.html", document=document, form=form,
                           type_name=service.type_name(document.document_type))


@bp.route("/documents/<int:document_id>/keep", methods=["POST"], endpoint="keep_document")
@applicant_required
def keep(document_id: int):
    """The applicant keeps a file whose scan quality was flagged ("keep it anyway")."""
    document = own_document_or_404(document_id)
    if ButtonForm().validate_on_submit() and not document.superseded:
        document_checks.keep_anyway(document)
        db.session.commit()
        flash(_("The file is kept as it is. The admissions office will see the note about its quality."), "info")
    return redirect(url_for("apply.documents", _anchor=f"doc-{document.document_type.code}"))


@bp.route("/documents/<int:document_id>/file", endpoint="document_file")
@applicant_required
def document_file(document_id: int):
    """The applicant's own file, inline, to check they sent the right one (another's: 404)."""
    document = own_document_or_404(document_id)
    return uploads.file_response(service.open_document(document), content_type=document.content_type,
                                 name=document.original_name, image=service.is_image(document))


@bp.route("/documents/<int:document_id>/preview", endpoint="document_preview")
@applicant_required
def preview(document_id: int):
    document = own_document_or_404(document_id)
    kind = service.kind_of(document)
    if kind is None or kind.pillow_format is None:
        abort(404)
    with service.open_document(document) as fh:
        data = uploads.thumbnail(fh, kind)
    response = make_response(data)
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
