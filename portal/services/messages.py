"""Messages between an applicant and the admissions office: one thread per application.

A new message is e-mailed to the other side (the applicant in their language; the office at the
assigned officer's address, or the institution's address when nobody is assigned). Reading the
thread marks the other side's messages read; unread counts come from ``read_at``.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, Message, User
from portal.services import notifications
from portal.services.errors import ServiceError

MAX_MESSAGE_LENGTH = 5000


class MessageError(ServiceError):
    """A message that cannot be sent (empty, too long, or not allowed now)."""


def thread(application: Application) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.application_id == application.id)
                                   .order_by(Message.created_at, Message.id)))


def post_message(application: Application, author: User, body: str) -> Message:
    body = (body or "").strip()
    if not body:
        raise MessageError(_l("Write your message first."))
    if len(body) > MAX_MESSAGE_LENGTH:
        raise MessageError(_l("A message can be at most %(n)s characters long.", n=MAX_MESSAGE_LENGTH))
    from_applicant = author.id == application.applicant_id
    if not from_applicant and not author.is_staff:
        raise MessageError(_l("You cannot write in this thread."))
    if application.reference is None:
        raise MessageError(_l("Messages open once the application has been submitted."))
    message = Message(application_id=application.id, author_id=author.id, from_applicant=from_applicant,
                      body=body)
    db.session.add(message)
    if from_applicant:
        officer = db.session.get(User, application.assigned_officer_id) if application.assigned_officer_id else None
        notifications.queue_email(officer.email if officer else current_app.config["INSTITUTION_EMAIL"],
                                  "message_to_office", {"application": application, "body": body,
                                                        "link": notifications.external_url(
                                                            "office.application", reference=application.reference)},
                                  locale=officer.locale if officer else "en", user=officer)
    else:
        notifications.queue_for_user(application.applicant, "message_to_applicant", application=application,
                                     body=body, link=notifications.external_url("apply.messages"))
    return message


def mark_read(application: Application, reader: User) -> int:
    """Mark the other side's messages read; returns how many were unread."""
    from_applicant = reader.id != application.applicant_id
    result = db.session.execute(update(Message).where(
        Message.application_id == application.id, Message.from_applicant.is_(from_applicant),
        Message.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


def unread_for_applicant(application: Application | None) -> int:
    if application is None or application.reference is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.application_id == application.id, Message.from_applicant.is_(False),
        Message.read_at.is_(None))) or 0


def unread_for_office(application_ids: list[int]) -> dict[int, int]:
    """Unread applicant messages per application (one query, for list pages)."""
    if not application_ids:
        return {}
    rows = db.session.execute(select(Message.application_id, func.count()).where(
        Message.application_id.in_(application_ids), Message.from_applicant.is_(True),
        Message.read_at.is_(None)).group_by(Message.application_id))
    return dict(rows.all())
