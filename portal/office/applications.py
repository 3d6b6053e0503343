"""Office: one application's page and its documents — the inline viewer, the file itself, the
review (accept / reject with a reason) and a ZIP of every current document.

Every time document bytes leave the server for a member of staff, the audit log says who, which
document and how (view, download, ZIP). The file is served with its own strict headers: the
stored content type (decided by content at upload), nosniff, no caching, a CSP that allows
nothing to run, and framing by this site only (for the viewer page).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from portal.extensions import db
from portal.models import Application, Document
from portal.office.routes import bp
from portal.security import staff_required
from portal.services import audit
from portal.services import documents as service

FILE_CSP = {
    # Images may be opened on their own: nothing may run, nothing may load but the image itself.
    "image": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; "
             "frame-ancestors 'self'",
    # No `sandbox` for PDFs: Chromium and Safari refuse to show a PDF in a sandboxed document.
    # PDFs with JavaScript are refused at upload, and nosniff keeps the type fixed.
    "pdf": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
           "frame-ancestors 'self'",
}
VIEWER_CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
              "frame-src 'self'; object-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
              "form-action 'self'")


class ReviewForm(FlaskForm):
    reason = TextAreaField(_l("Reason (required to reject; the applicant sees it)"),
                           validators=[Length(max=service.MAX_REASON_LENGTH)])
    accept = SubmitField(_l("Accept"))
    reject = SubmitField(_l("Reject"))


def _application(reference: str) -> Application:
    application = db.session.scalar(select(Application).where(Application.reference == reference))
    if application is None:
        abort(404)
    return application


def _document(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.application.reference is None:
        abort(404)
    return document


def documents_context(application: Application) -> dict:
    """What templates/office/_documents.html needs (the application page of issue 6 reuses it)."""
    current = [d for d in application.documents if not d.superseded]
    earlier = [d for d in application.documents if d.superseded]
    position = {t.id: i for i, (t, _required, _doc) in enumerate(service.checklist(application))}
    current.sort(key=lambda d: (position.get(d.document_type_id, 999), d.id))
    return {"current_documents": current, "earlier_documents": earlier, "review_form": ReviewForm(),
            "reviewable": application.status in service.REVIEWABLE}


@bp.route("/documents/<int:document_id>", endpoint="document")
@staff_required
def viewer(document_id: int):
    document = _document(document_id)
    response = make_response(render_template(
        "office/document_viewer.html", document=document, application=document.application,
        is_image=service.is_image(document)))
    response.headers["Content-Security-Policy"] = VIEWER_CSP
    return response


@bp.route("/documents/<int:document_id>/file", endpoint="document_file")
@staff_required
def document_file(document_id: int):
    document = _document(document_id)
    download = request.args.get("download") == "1"
    audit.record(current_user, "document.download" if download else "document.view", "document",
                 document.id, {"application": document.application.reference})
    db.session.commit()
    response = send_file(service.open_document(document), mimetype=document.content_type,
                         as_attachment=download, download_name=document.original_name,
                         conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = FILE_CSP["image" if service.is_image(document) else "pdf"]
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.route("/documents/<int:document_id>/review", methods=["POST"], endpoint="review_document")
@staff_required
def review(document_id: int):
    document = _document(document_id)
    form = ReviewForm()
    anchor = f"document-{document.id}"
    if form.validate_on_submit() and (form.accept.data or form.reject.data):
        try:
            service.review_document(document, current_user, accepted=bool(form.accept.data),
                                    reason=form.reason.data)
            db.session.commit()
        except service.DocumentError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("Document accepted.") if form.accept.data else
                  _("Document rejected; the applicant has been told why."), "success")
    else:
        flash(next(iter(form.errors.values()), [_("Choose Accept or Reject.")])[0], "error")
    return redirect(url_for("office.application", reference=document.application.reference, _anchor=anchor))


@bp.route("/applications/<reference>/documents.zip", endpoint="documents_zip")
@staff_required
def documents_zip(reference: str):
    """Every current document in one ZIP, built in a spooled temporary file (memory stays flat)."""
    application = _application(reference)
    current = documents_context(application)["current_documents"]
    if not current:
        abort(404)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (send_file closes it)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, document in enumerate(current, start=1):
            code = re.sub(r"[^a-z0-9]+", "-", document.document_type.code.lower()).strip("-") or "document"
            name = f"{number:02d}-{code}.{_extension(document)}"
            with service.open_document(document) as source, archive.open(name, "w") as target:
                shutil.copyfileobj(source, target, 64 * 1024)
    spool.seek(0)
    audit.record(current_user, "documents.download_zip", "application", application.id,
                 {"reference": reference, "documents": [d.id for d in current]})
    db.session.commit()
    response = send_file(spool, mimetype="application/zip", as_attachment=True,
                         download_name=f"{reference}-documents.zip", conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _extension(document: Document) -> str:
    kind = service.kind_of(document)
    return kind.extension if kind else "bin"
