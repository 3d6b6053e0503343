"""Inquiries: "Contact Us" messages and letters to the Rector, and the office's answers.

Why it is shaped this way:
- the sender has no account, so the address is only normalised, and the acknowledgement carries
  the reference number and the subject but never echoes the message (the form must not become a
  way to mail arbitrary text to strangers);
- a letter to the Rector may carry one PDF. It goes through the same pipeline as every other file
  a person sends (portal/uploads/): judged by its content, spooled to disk, checked for active
  content, stored only after every check passed, and deleted again when the transaction that
  stored it does not commit: no file without a row;
- every staff step (viewing, replying, changing the status, opening the attachment) is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import uploads
from portal.extensions import db
from portal.i18n import is_country
from portal.models import INQUIRY_KINDS, INQUIRY_STATUSES, Inquiry, InquiryReply, User
from portal.services import accounts, audit, notifications
from portal.services.errors import ServiceError

KIND_LABELS = {"contact": _l("Contact Us"), "rector": _l("Letter to the Rector")}
STATUS_LABELS = {"new": _l("New"), "in_progress": _l("In progress"), "answered": _l("Answered")}
NAME_MAX, SUBJECT_MAX, BODY_MIN, BODY_MAX, REPLY_MAX = 120, 200, 10, 5000, 10_000


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
        if inquiry.attachment_key:
            uploads.get_storage().delete(inquiry.attachment_key)
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
    try:
        with uploads.checked_upload(upload.stream, upload.filename, allowed=["pdf"],
                                    max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024,
                                    scanner=uploads.scanner_settings()) as checked:
            inquiry.attachment_key = uploads.store(checked)
    except uploads.UploadRefused as refused:
        message = _l("The attachment must be a PDF file.") if refused.wrong_kind else refused.message
        raise InquiryError(message, "attachment") from refused
    inquiry.attachment_name = checked.display_name
    inquiry.attachment_size = checked.size
    inquiry.attachment_sha256 = checked.sha256


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
    return uploads.get_storage().open(inquiry.attachment_key)
