"""The objects an office URL names, found or 404: an application by its reference (drafts have
none, so they are never found), a document of a submitted application by its id. A huge or
malformed id is simply not found."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from portal.database import is_row_id
from portal.extensions import db
from portal.models import Application, Document


def application_or_404(reference: str) -> Application:
    application = db.session.scalar(select(Application).where(Application.reference == reference))
    if application is None:
        abort(404)
    return application


def document_or_404(document_id: int) -> Document:
    document = db.session.get(Document, document_id) if is_row_id(document_id) else None
    if document is None or document.application.reference is None:
        abort(404)
    return document
