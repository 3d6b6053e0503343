"""Inquiries: "Contact Us" messages and letters to the Rector, and the office's answers.

Why it is shaped this way:
- the sender has no account, so the address is only normalised, and the acknowledgement carries
  the reference number and the subject but never echoes the message (the form must not become a
  way to mail arbitrary text to strangers);
- a letter to the Rector may carry one PDF, judged by its content, never its name: it must start
  with ``%PDF-``, parse with pypdf, be unencrypted and hold no active content (scripts, automatic
  actions, launch actions, embedded files). It is stored only after every check passed, and a
  failure anywhere later (the row, the commit) deletes it again: no file without a row;
- every staff step (viewing, replying, changing the status, opening the attachment) is audited.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.i18n import is_country
from portal.models import INQUIRY_KINDS, INQUIRY_STATUSES, Inquiry, InquiryReply, User
from portal.services import accounts, audit, notifications
from portal.services.errors import ServiceError
from portal.storage import get_storage

KIND_LABELS = {"contact": _l("Contact Us"), "rector": _l("Letter to the Rector")}
STATUS_LABELS = {"new": _l("New"), "in_progress": _l("In progress"), "answered": _l("Answered")}
NAME_MAX, SUBJECT_MAX, BODY_MIN, BODY_MAX, REPLY_MAX = 120, 200, 10, 5000, 10_000
PENDING_FILES = "portal.inquiry_files"


class InquiryError(ServiceError):
    """A message to the office, or an officer's answer, that cannot be accepted as given."""


@dataclass
class InquiryInput:
    kind: str
    name: str
    email: str
    country: str
    subject: str
    body: str
    locale: str


@dataclass
class Upload:
    filename: str
    stream: BinaryIO


# --- the public side -----------------------------------------------------------------------

def submit(data: InquiryInput, upload: Upload | None = None) -> Inquiry:
    """Store the inquiry (and its PDF), number it and queue the acknowledgement e-mail."""
    inquiry = _build(data)
    if upload is not None:
        if data.kind != "rector":
            raise InquiryError(_l("Only a letter to the Rector may carry an attachment."), "attachment")
        _attach(inquiry, upload)
    try:
        db.session.add(inquiry)
        db.session.flush()
        inquiry.reference = f"Q{inquiry.created_at:%y}-{inquiry.id:06d}"
        notifications.queue_email(inquiry.email, "inquiry_received",
                                  {"inquiry": inquiry, "kind_label": KIND_LABELS[inquiry.kind]},
                                  locale=inquiry.locale)
    except BaseException:
        _discard(inquiry)
        raise
    return inquiry


def _build(data: InquiryInput) -> Inquiry:
    if data.kind not in INQUIRY_KINDS:
        raise InquiryError(_l("Unknown kind of message."))
    try:
        email = accounts.normalise_email(data.email)
    except accounts.InvalidEmail as error:
        raise InquiryError(error.message, "email") from error
    # One line each: they end up in e-mail subjects and greetings.
    fields = {"name": (" ".join(data.name.split()), NAME_MAX),
              "subject": (" ".join(data.subject.split()), SUBJECT_MAX)}
    for name, (value, limit) in fields.items():
        if not value or len(value) > limit:
            raise InquiryError(_l("Write between 1 and %(n)s characters.", n=limit), name)
    body = data.body.strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise InquiryError(_l("Write between %(min)s and %(max)s characters.", min=BODY_MIN, max=BODY_MAX),
                           "message")
    if not is_country(data.country):
        raise InquiryError(_l("Choose a country from the list."), "country")
    locale = data.locale if data.locale in current_app.config["LANGUAGES"] else "en"
    return Inquiry(kind=data.kind, status="new", name=fields["name"][0], email=email,
                   country=data.country, subject=fields["subject"][0], body=body, locale=locale)


def _attach(inquiry: Inquiry, upload: Upload) -> None:
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise InquiryError(_l("The file is larger than %(mb)s MB.", mb=current_app.config["MAX_UPLOAD_MB"]),
                           "attachment")
    check_pdf(data)
    key = get_storage().save(io.BytesIO(data))
    db.session.info.setdefault(PENDING_FILES, []).append(key)
    inquiry.attachment_key = key
    inquiry.attachment_name = clean_filename(upload.filename)
    inquiry.attachment_size = len(data)
    inquiry.attachment_sha256 = hashlib.sha256(data).hexdigest()


def clean_filename(name: str | None) -> str:
    """The sender's file name for display and download only (storage keys are random)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?').strip(" .")
    base = base[:150] or "attachment"
    return base if base.lower().endswith(".pdf") else base + ".pdf"


def _discard(inquiry: Inquiry) -> None:
    if inquiry.attachment_key:
        get_storage().delete(inquiry.attachment_key)


@event.listens_for(Session, "after_commit")
def _files_kept(session: Session) -> None:
    session.info.pop(PENDING_FILES, None)


@event.listens_for(Session, "after_rollback")
def _files_discarded(session: Session) -> None:
    """A rolled-back transaction takes the files it stored with it (e.g. the commit failed)."""
    keys = session.info.pop(PENDING_FILES, None)
    if keys and has_app_context():
        storage = get_storage()
        for key in keys:
            storage.delete(key)


# --- PDF checks ------------------------------------------------------------------------------

ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles",
                         "/EmbeddedFile", "/EF", "/RichMedia", "/XFA"})
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/Rendition", "/GoToE"})
MAX_PDF_OBJECTS = 50_000


def check_pdf(data: bytes) -> None:
    """Refuse anything that is not a plain, readable, unencrypted PDF without active content."""
    if not data.startswith(b"%PDF-"):
        raise InquiryError(_l("The attachment must be a PDF file."), "attachment")
    try:
        active = _has_active_content(data)
    except _Encrypted:
        raise InquiryError(_l("The PDF is password-protected. Attach a PDF without a password."),
                           "attachment") from None
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        raise InquiryError(_l("The PDF cannot be read. Save or scan it again and attach the new file."),
                           "attachment") from exc
    if active:
        raise InquiryError(_l("The PDF contains scripts, automatic actions or embedded files. "
                              "Print it to a new PDF, or scan the paper, and attach that."), "attachment")


class _Encrypted(Exception):
    pass


def _has_active_content(data: bytes) -> bool:
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise _Encrypted()
    if len(reader.pages) < 1:
        raise ValueError("no pages")
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if ACTIVE_KEYS.intersection(obj.keys()) or obj.get("/S") in ACTIVE_ACTIONS:
                return True
            stack.extend(dict.values(obj))
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return False


# --- the office ------------------------------------------------------------------------------

def inbox_page(kind: str | None, status: str | None, page: int, per_page: int = 20):
    query = select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    if kind in INQUIRY_KINDS:
        query = query.where(Inquiry.kind == kind)
    if status in INQUIRY_STATUSES:
        query = query.where(Inquiry.status == status)
    return db.paginate(query, page=page, per_page=per_page, error_out=True)


def get(inquiry_id: int) -> Inquiry | None:
    return db.session.get(Inquiry, inquiry_id)


def record_view(actor: User, inquiry: Inquiry) -> None:
    audit.record(actor, "inquiry.view", "inquiry", inquiry.id, {"reference": inquiry.reference})


def set_status(actor: User, inquiry: Inquiry, status: str) -> None:
    if status not in INQUIRY_STATUSES:
        raise InquiryError(_l("Choose a status from the list."), "status")
    if status == inquiry.status:
        return
    audit.record(actor, "inquiry.status", "inquiry", inquiry.id,
                 {"reference": inquiry.reference, "from": inquiry.status, "to": status})
    inquiry.status = status
    inquiry.handled_by_id = inquiry.handled_by_id or actor.id


def reply(actor: User, inquiry: Inquiry, body: str) -> InquiryReply:
    """Keep the reply, e-mail it to the sender in the inquiry's language, mark it answered."""
    body = (body or "").strip()
    if not body or len(body) > REPLY_MAX:
        raise InquiryError(_l("Write between 1 and %(n)s characters.", n=REPLY_MAX), "body")
    answer = InquiryReply(inquiry=inquiry, author_id=actor.id, body=body)
    db.session.add(answer)
    db.session.flush()
    old_status = inquiry.status
    inquiry.status = "answered"
    inquiry.handled_by_id = actor.id
    notifications.queue_email(inquiry.email, "inquiry_reply",
                              {"inquiry": inquiry, "reply": body, "kind_label": KIND_LABELS[inquiry.kind]},
                              locale=inquiry.locale)
    audit.record(actor, "inquiry.reply", "inquiry", inquiry.id,
                 {"reference": inquiry.reference, "reply_id": answer.id, "from": old_status})
    return answer


def open_attachment(actor: User, inquiry: Inquiry) -> BinaryIO:
    if not inquiry.attachment_key:
        raise InquiryError(_l("This message has no attachment."))
    audit.record(actor, "inquiry.attachment", "inquiry", inquiry.id,
                 {"reference": inquiry.reference, "sha256": inquiry.attachment_sha256})
    return get_storage().open(inquiry.attachment_key)
