"""Documents: which ones an application needs, and (with the "Documents" issue) the upload
pipeline. This module is the seam the wizard's documents step and submission use."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Document, DocumentType
from portal.services.applications import age_on


def is_required(document_type: DocumentType, application: Application) -> bool:
    if document_type.requirement == "required":
        return True
    if document_type.requirement != "conditional":
        return False
    if document_type.condition == "under_18":
        born = application.date_of_birth
        return born is not None and age_on(born, application.intake.course_starts_on) < 18
    if document_type.condition == "interview":
        return application.status == "interview"
    return False


def checklist(application: Application) -> list[tuple[DocumentType, bool, Document | None]]:
    """(type, required now, current document) for every active document type, in order."""
    types = db.session.scalars(select(DocumentType).where(DocumentType.active.is_(True))
                               .order_by(DocumentType.position, DocumentType.id)).all()
    current = {d.document_type_id: d for d in application.documents if not d.superseded}
    return [(t, is_required(t, application), current.get(t.id)) for t in types]


def missing_required(application: Application) -> list[DocumentType]:
    return [t for t, required, document in checklist(application)
            if required and (document is None or document.review_state == "rejected")]
