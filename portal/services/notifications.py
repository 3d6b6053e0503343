"""E-mail through an outbox.

Every message is rendered from ``templates/email/<name>.txt`` and ``.html`` in the recipient's
locale and written as an ``OutboundEmail`` row in the caller's transaction, so an e-mail exists
exactly when the change it announces was committed. ``send_pending`` delivers committed rows
through Flask-Mailman and records the outcome; it runs after the request that queued mail (for
now) and from ``flask --app wsgi mail send-pending``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundEmail, User

log = logging.getLogger(__name__)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail; PUBLIC_BASE_URL wins over the request's Host header."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and not has_request_context():
        base = "http://127.0.0.1:5000"  # a command without PUBLIC_BASE_URL: the `make run` address
    if not base:
        return url_for(endpoint, _external=True, **values)
    if has_request_context():
        return base.rstrip("/") + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base.rstrip("/") + url_for(endpoint, **values)


def _render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"institution": current_app.config["INSTITUTION_NAME"], **context}
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    # The first line of the text version is "Subject: ...".
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    return first[len("Subject:"):].strip(), body.lstrip("\n"), html


def queue_email(recipient: str, template: str, context: dict[str, Any], *, locale: str,
                user: User | None = None, attachments: list[dict] | None = None) -> OutboundEmail:
    """``attachments``: [{"filename", "content_type", "content" (text)}], e.g. an .ics."""
    with force_locale(locale):
        subject, text, html = _render(template, {"locale": locale, **context})
    row = OutboundEmail(recipient=recipient, template=template, locale=locale, subject=subject[:255],
                        body_text=text, body_html=html, user_id=user.id if user else None,
                        attachments=attachments or [])
    db.session.add(row)
    g.outbox_queued = True
    return row


def queue_for_user(user: User, template: str, attachments: list[dict] | None = None,
                   **context: Any) -> OutboundEmail:
    return queue_email(user.email, template, {"user": user, **context}, locale=user.locale, user=user,
                       attachments=attachments)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def send_pending(limit: int = 100) -> DeliveryReport:
    """Deliver committed pending rows; each outcome is committed on its own."""
    report = DeliveryReport()
    query = (select(OutboundEmail).where(OutboundEmail.state == OutboundEmail.PENDING)
             .order_by(OutboundEmail.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two senders never take the same row
    rows = db.session.scalars(query).all()
    if not rows:
        return report
    connection = current_app.extensions["mailman"].get_connection()  # this app's back-end
    for row in rows:
        if _deliver(row, connection):
            report.sent += 1
        else:
            report.failed += 1
        db.session.commit()
    return report


def _deliver(row: OutboundEmail, connection) -> bool:
    cfg = current_app.config
    row.attempts += 1
    row.last_attempt_at = utcnow()
    message = EmailMultiAlternatives(subject=row.subject, body=row.body_text,
                                     from_email=cfg["MAIL_DEFAULT_SENDER"], to=[row.recipient],
                                     connection=connection)
    message.attach_alternative(row.body_html, "text/html")
    for attachment in row.attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment["content_type"])
    try:
        message.send()
    except Exception as exc:  # any transport failure is recorded, never raised to the user
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= cfg["MAIL_MAX_ATTEMPTS"]:
            row.state = OutboundEmail.FAILED
        log.warning("e-mail %s (%s) not delivered, attempt %s: %s", row.id, row.template,
                    row.attempts, row.last_error)
        return False
    row.state = OutboundEmail.SENT
    row.sent_at = utcnow()
    row.last_error = None
    return True


def deliver_after_request() -> None:
    """Called after a request that queued mail (portal/__init__.py)."""
    if not (g.pop("outbox_queued", False) and current_app.config["MAIL_DELIVER_INLINE"]):
        return
    session = db.session
    if session.new or session.dirty or session.deleted:
        # The view did not commit what it queued (it failed): nothing is sent.
        return
    send_pending()
