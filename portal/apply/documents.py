"""Applicant documents: the checklist, uploads and previews (filled in by the Documents issue)."""

from flask import redirect, url_for

from portal.apply.routes import applicant_required, bp


@bp.route("/documents")
@applicant_required
def documents():
    # Placeholder until the upload pipeline lands: the checklist page replaces this view.
    return redirect(url_for("apply.review"))
