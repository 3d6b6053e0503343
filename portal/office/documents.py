"""Office: the documents of an application — the inline viewer, the file itself, the review
(accept / reject with a reason) and a ZIP of every current document. The application page that
lists them is office/application.py.

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
from flask_login import current_user

from portal import uploads
from portal.extensions import db
from portal.forms import first_error
from portal.models import Document
from portal.office.application_forms import DocumentReviewForm
from portal.office.blueprint import bp
from portal.office.lookups import application_or_404, document_or_404
from portal.security import staff_required
from portal.services import audit
from portal.services import documents as service


@bp.route("/documents/<int:document_id>", endpoint="document")
@staff_required
def viewer(document_id: int):
    document = document_or_404(document_id)
    response = make_response(render_template(
        "office/document_viewer.html", document=document, application=document.application,
        is_image=service.is_image(document)))
    response.headers["Content-Security-Policy"] = uploads.VIEWER_CSP
    return response


@bp.route("/documents/<int:document_id>/file", endpoint="document_file")
@staff_required
def document_file(document_id: int):
    document = document_or_404(document_id)
    download = request.args.get("download") == "1"
    audit.record(current_user, "document.download" if download else "document.view", "document",
                 document.id, {"application": document.application.reference})
    db.session.commit()
    return uploads.file_response(service.open_document(document), content_type=document.content_type,
                                 name=document.original_name, image=service.is_image(document), download=download)


@bp.route("/documents/<int:document_id>/review", methods=["POST"], endpoint="review_document")
@staff_required
def review(document_id: int):
    document = document_or_404(document_id)
    form = DocumentReviewForm()
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
        flash(first_error(form, _("Choose Accept or Reject.")), "error")
    return redirect(url_for("office.application", reference=document.application.reference, _anchor=anchor))


@bp.route("/applications/<reference>/documents.zip", endpoint="documents_zip")
@staff_required
def documents_zip(reference: str):
    """Every current document in one ZIP, built in a spooled temporary file (memory stays flat)."""
    application = application_or_404(reference)
    current = service.current_documents(application)
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
