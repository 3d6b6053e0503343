"""Documents: which ones an application needs, who may upload or remove them when, storing an
upload, the officers' review, and the storage consistency check.

Why it is shaped this way:
- every check of the bytes, the storage and the clean-up hooks live in portal/uploads/ (the one
  pipeline for every file a person sends us); this module owns the rules and the rows;
- a stored file and its row live or die together (portal/uploads/lifecycle.py): a file stored in
  a transaction that does not commit is deleted when the transaction ends, and a file whose row
  is deleted is removed only after the commit; a crash between the two leaves an orphan that
  ``flask --app wsgi documents verify --repair`` removes;
- before submission a new upload replaces the old one outright; after submission the old one is
  kept, marked superseded, for the officers' history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import uploads
from portal.database import utcnow
from portal.extensions import db
from portal.models import STAFF_ROLES, Application, Document, DocumentType, Inquiry, Status, User
from portal.services import audit, document_checks, interviews, notifications
from portal.services.eligibility import age_on
from portal.services.errors import ServiceError
from portal.services.intakes import intake_is_open
from portal.services.timeline import record_event

MB = 1024 * 1024
REVIEWABLE = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.ACTION_REQUIRED, Status.INTERVIEW})
MAX_REASON_LENGTH = 1000


class DocumentError(ServiceError):
    """A refusal about a document; nothing was stored or changed."""


class DocumentRejected(DocumentError):
    """The upload was refused: nothing was stored."""


class DocumentLocked(DocumentError):
    """The document cannot be changed in the application's current state."""


class ReviewError(DocumentError):
    pass


# --- what is needed ------------------------------------------------------------------------

def is_required(document_type: DocumentType, application: Application) -> bool:
    if document_type.requirement == "required":
        return True
    if document_type.requirement != "conditional":
        return False
    if document_type.condition == "under_18":
        born = application.date_of_birth
        return born is not None and age_on(born, application.intake.course_starts_on) < 18
    if document_type.condition == "interview":
        return application.status == Status.INTERVIEW
    return False


def active_types() -> list[DocumentType]:
    return list(db.session.scalars(select(DocumentType).where(DocumentType.active.is_(True))
                                   .order_by(DocumentType.position, DocumentType.id)))


def checklist(application: Application) -> list[tuple[DocumentType, bool, Document | None]]:
    """(type, required now, current document) for every active document type, in order."""
    current = {d.document_type_id: d for d in application.documents if not d.superseded}
    return [(t, is_required(t, application), current.get(t.id)) for t in active_types()]


def missing_required(application: Application) -> list[DocumentType]:
    return [t for t, required, document in checklist(application)
            if required and (document is None or document.review_state == "rejected")]


def current_documents(application: Application) -> list[Document]:
    """The documents that count now (not superseded), in checklist order."""
    position = {t.id: i for i, t in enumerate(active_types())}
    current = [d for d in application.documents if not d.superseded]
    return sorted(current, key=lambda d: (position.get(d.document_type_id, 999), d.id))


def current_document(application: Application, document_type: DocumentType) -> Document | None:
    return next((d for d in application.documents
                 if d.document_type_id == document_type.id and not d.superseded), None)


def allowed_kinds(document_type: DocumentType) -> list[str]:
    kinds = [k.strip().lower() for k in (document_type.allowed_kinds or "").split(",")]
    return [k for k in kinds if k in uploads.KINDS]


def size_limit(document_type: DocumentType) -> int:
    """Bytes one file of this type may have: the type's limit, never above MAX_UPLOAD_MB."""
    return min(document_type.max_size_mb, current_app.config["MAX_UPLOAD_MB"]) * MB


def request_limit(type_code: str | None) -> int | None:
    """The whole request body allowed for an upload of this type (file plus a small form)."""
    document_type = type_by_code(type_code) if type_code else None
    if document_type is None:
        return None
    return size_limit(document_type) + 256 * 1024


def type_by_code(code: str) -> DocumentType | None:
    return db.session.scalar(select(DocumentType).where(DocumentType.code == code,
                                                        DocumentType.active.is_(True)))


# --- who may change what -------------------------------------------------------------------

def can_upload(application: Application, document_type: DocumentType) -> bool:
    """Drafts: any type (except interview-stage ones) while the intake is open. After submission:
    only what an officer reopened (``documents:<code>``, or the whole ``documents`` step), and
    in ``interview`` the interview-stage documents (the fee receipt)."""
    if not document_type.active:
        return False
    if application.status == Status.DRAFT:
        return intake_is_open(application.intake) and document_type.condition != "interview"
    if application.status == Status.ACTION_REQUIRED:
        reopened = set(application.reopened_steps or [])
        return f"documents:{document_type.code}" in reopened or "documents" in reopened
    if application.status == Status.INTERVIEW:
        return document_type.condition == "interview"
    return False


def can_remove(application: Application, document: Document) -> bool:
    return (application.status == Status.DRAFT and not document.superseded
            and document.application_id == application.id
            and can_upload(application, document.document_type))


def document_for_applicant(user: User, document_id: int) -> Document | None:
    """Ownership check: another applicant's document is simply not found."""
    return db.session.scalar(select(Document).join(Application).where(
        Document.id == document_id, Application.applicant_id == user.id))


# --- storing -------------------------------------------------------------------------------

def store_upload(application: Application, document_type: DocumentType, file_storage,
                 actor: User) -> Document:
    """Check and store one upload as the current document of its type; raises DocumentRejected
    (nothing stored) with a reason the applicant can act on."""
    if not can_upload(application, document_type):
        raise DocumentRejected(_l("This document cannot be uploaded now."))
    if file_storage is None or not file_storage.filename:
        raise DocumentRejected(_l("Choose a file to upload."))
    try:
        with uploads.checked_upload(file_storage.stream, file_storage.filename,
                                    allowed=allowed_kinds(document_type), max_bytes=size_limit(document_type),
                                    scanner=uploads.scanner_settings()) as checked:
            flags = document_checks.measure_quality(checked.path, checked.kind.mime, document_type.code)
            key = uploads.store(checked)
    except uploads.UploadRefused as exc:
        raise DocumentRejected(exc.message) from exc
    try:
        document = _add_document(application, document_type, checked, key, actor)
        document.checks = {"quality": flags} if flags else None
        db.session.flush()
    except BaseException:
        uploads.get_storage().delete(key)
        raise
    return document


def _add_document(application, document_type, checked, key, actor) -> Document:
    previous = current_document(application, document_type)
    if previous is not None:
        if application.status == Status.DRAFT:
            application.documents.remove(previous)  # delete-orphan: the row goes
            uploads.delete_after_commit(uploads.get_storage(), previous.storage_key)
        else:
            previous.superseded = True
    document = Document(document_type_id=document_type.id, document_type=document_type,
                        original_name=checked.display_name, storage_key=key,
                        content_type=checked.kind.mime, size=checked.size, sha256=checked.sha256,
                        uploaded_by_id=actor.id if actor else None, uploaded_at=utcnow())
    application.documents.append(document)
    if application.status != Status.DRAFT:
        record_event(application, actor, "document", body=_in_locale(
            application.applicant, lambda: _("New file uploaded: %(document)s",
                                             document=type_name(document_type))), visible=True)
    _flag_duplicates(application, document)
    return document


def _flag_duplicates(application: Application, document: Document) -> None:
    """The same bytes on another applicant's application: flag both for officers."""
    others = db.session.scalars(select(Document).join(Application).where(
        Document.sha256 == document.sha256, Application.applicant_id != application.applicant_id)).all()
    if not others:
        return
    document.flagged_duplicate = True
    where = ", ".join(sorted({o.application.reference or f"draft #{o.application_id}" for o in others}))
    record_event(application, None, "flag",
                 body=f"document '{document.document_type.code}' is identical to a document on {where}")
    for other in others:
        if not other.flagged_duplicate:
            other.flagged_duplicate = True
            record_event(other.application, None, "flag",
                         body=f"document '{other.document_type.code}' is identical to a document on "
                              f"{application.reference or f'draft #{application.id}'}")


def remove_document(application: Application, document: Document, actor: User) -> None:
    if not can_remove(application, document):
        raise DocumentLocked(_l("This document can no longer be removed. If it must change, the "
                                "admissions office will ask you for a new file."))
    application.documents.remove(document)
    uploads.delete_after_commit(uploads.get_storage(), document.storage_key)
    db.session.flush()


def open_document(document: Document) -> BinaryIO:
    return uploads.get_storage().open(document.storage_key)


def kind_of(document: Document) -> uploads.Kind | None:
    return uploads.kind_by_mime(document.content_type)


def is_image(document: Document) -> bool:
    return document.content_type.startswith("image/")


# --- review --------------------------------------------------------------------------------

def review_document(document: Document, officer: User, accepted: bool, reason: str | None) -> None:
    """Accept or reject one document; a rejection needs a reason, which the applicant sees in
    the checklist and in an e-mail."""
    application = document.application
    if officer.role not in STAFF_ROLES:
        raise ReviewError(_l("Only the admissions office reviews documents."))
    if document.superseded:
        raise ReviewError(_l("A newer file has replaced this document; review the newer one."))
    if application.status not in REVIEWABLE:
        raise ReviewError(_l("Documents cannot be reviewed while the application is in this state."))
    reason = (reason or "").strip()[:MAX_REASON_LENGTH] or None
    if not accepted and not reason:
        raise ReviewError(_l("Give a reason for the rejection, so the applicant knows what to fix."))
    state = "accepted" if accepted else "rejected"
    document.review_state = state
    document.review_reason = None if accepted else reason
    document.reviewed_by_id = officer.id
    document.reviewed_at = utcnow()
    record_event(application, officer, "document", body=_review_text(application.applicant, document),
                 visible=True)
    audit.record(officer, "document.review", "document", document.id,
                 {"state": state, "application": application.reference})
    if document.document_type.condition == "interview":
        interviews.receipt_reviewed(application, officer, accepted)  # its own e-mail when accepted
    if not accepted or document.document_type.condition != "interview":
        notifications.queue_for_user(
            application.applicant, "document_accepted" if accepted else "document_rejected",
            application=application, document=document, document_type=document.document_type, reason=reason,
            link=notifications.external_url("apply.documents"))
    db.session.flush()


def _review_text(applicant: User, document: Document) -> str:
    name = document.document_type

    def text():
        if document.review_state == "accepted":
            return _("Document accepted: %(document)s", document=type_name(name))
        return _("Document not accepted: %(document)s. Reason: %(reason)s", document=type_name(name),
                 reason=document.review_reason)

    return _in_locale(applicant, text)


def type_name(document_type: DocumentType) -> str:
    """The document type's name in the page's language."""
    return document_type.localized("name", str(get_locale() or "en"))


def _in_locale(user: User, make_text) -> str:
    with force_locale(user.locale or "en"):
        return str(make_text())


# --- consistency ---------------------------------------------------------------------------

@dataclass
class StorageReport:
    orphans: list[str] = field(default_factory=list)  # files without a row
    missing: list[tuple[int, str]] = field(default_factory=list)  # rows without a file
    removed: list[str] = field(default_factory=list)
    partial_removed: int = 0

    @property
    def problems(self) -> bool:
        return bool(self.missing or set(self.orphans) - set(self.removed))


def verify_storage(repair: bool = False, grace: timedelta = timedelta(hours=1)) -> StorageReport:
    """Compare storage with the documents table. ``repair`` deletes orphan files older than
    ``grace`` (younger ones may belong to an upload that is committing right now)."""
    storage = uploads.get_storage()
    known = dict(db.session.execute(select(Document.storage_key, Document.id)).tuples().all())
    # Letters to the Rector keep their PDF in the same storage: those files are not orphans.
    attachments = set(db.session.scalars(select(Inquiry.attachment_key).where(Inquiry.attachment_key.is_not(None))))
    report = StorageReport()
    stored = set()
    for key in storage.keys():
        stored.add(key)
        if key not in known and key not in attachments:
            report.orphans.append(key)
    report.missing = sorted((document_id, key) for key, document_id in known.items() if key not in stored)
    if repair:
        cutoff = utcnow() - grace
        for key in report.orphans:
            if storage.modified_at(key) < cutoff:
                storage.delete(key)
                report.removed.append(key)
        report.partial_removed = storage.remove_partial(grace)
    return report
