"""The applicant's own objects, found or not: their current application (or a redirect to where
they start one), and one of their documents by id. Another applicant's document, or an id that
does not exist (however large), is 404 and noted without personal data."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.database import is_row_id
from portal.models import Application, Document
from portal.services import applications, documents

log = logging.getLogger(__name__)


def application_or_redirect(message: str | None = None) -> tuple[Application | None, object]:
    """(the applicant's current application, None), or (None, a redirect to their home page)."""
    application = applications.current_application(current_user)
    if application is None:
        flash(message or _("Start your application first; the documents come after the first steps."), "info")
        return None, redirect(url_for("apply.home"))
    return application, None


def own_application_or_404(application_id: int) -> Application:
    """One of the applicant's applications (the current one or an earlier one)."""
    found = applications.application_for(current_user, application_id) if is_row_id(application_id) else None
    if found is None:
        abort(404)
    return found


def own_document_or_404(document_id: int) -> Document:
    document = documents.document_for_applicant(current_user, document_id) if is_row_id(document_id) else None
    if document is None:
        log.warning("applicant %s asked for document %s, which is not theirs or does not exist",
                    current_user.id, document_id)
        abort(404)
    return document
