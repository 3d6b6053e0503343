"""E-mail through an outbox.

Every message is rendered from ``templates/email/<name>.txt`` and ``.html`` in the recipient's
locale and written as an ``OutboundEmail`` row in the caller's transaction, so an e-mail exists
exactly when the change it announces was committed. Its Message-ID is fixed here, once. After the
commit, the ids of the rows it wrote go to the worker's queue (``_hand_to_worker``); the worker
sends them (portal/worker/). A web process never opens an SMTP connection, and a row whose
enqueue was lost is found by the worker's sweep (docs/architecture.md, "The mail worker").
"""

from __future__ import annotations

import logging
from email.utils import make_msgid, parseaddr
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction

from portal.extensions import db
from portal.models import OutboundEmail, User
from portal.worker.queue import enqueue_delivery

log = logging.getLogger(__name__)
QUEUED = "outbox_rows"  # Session.info key: the rows queue_email added in the session's transaction


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail, always on PUBLIC_BASE_URL: never on the request's Host
    header, which the sender of the request chooses (a reset link for evil.example would hand
    the token to whoever owns it). config.finalise sets it outside production; production
    refuses to start without it."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        raise RuntimeError("PUBLIC_BASE_URL is not set (config.finalise sets it in every environment)")
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
                user: User | None = None, attachments: list[dict] | None = None,
                headers: dict[str, str] | None = None) -> OutboundEmail:
    """``attachments``: [{"filename", "content_type", "content" (text)}], e.g. an .ics;
    ``headers``: extra header lines, e.g. {"List-Unsubscribe": "<https://...>"}."""
    with force_locale(locale):
        subject, text, html = _render(template, {"locale": locale, **context})
    row = OutboundEmail(recipient=recipient, template=template, locale=locale, subject=subject[:255],
                        body_text=text, body_html=html, user_id=user.id if user else None,
                        attachments=attachments or [], headers=headers or {}, message_id=_message_id())
    db.session.add(row)
    db.session.info.setdefault(QUEUED, []).append(row)
    return row


def queue_for_user(user: User, template: str, attachments: list[dict] | None = None,
                   headers: dict[str, str] | None = None, **context: Any) -> OutboundEmail:
    return queue_email(user.email, template, {"user": user, **context}, locale=user.locale, user=user,
                       attachments=attachments, headers=headers)


def _message_id() -> str:
    """``<unique@sender's domain>``, kept across retries: a receiver can tell a retry from a new message."""
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return make_msgid(domain=sender.rpartition("@")[2] or "localhost")


@event.listens_for(Session, "after_commit")
def _hand_to_worker(session: Session) -> None:
    """After the commit: enqueue the rows it wrote (not those a rolled-back savepoint dropped)."""
    rows = session.info.pop(QUEUED, None)
    ids = [state.identity[0] for state in map(inspect, rows or ()) if state.has_identity]
    if not ids:
        return
    try:
        enqueue_delivery(ids)
    except Exception:  # the queue is unreachable: the worker's sweep still finds the committed rows
        log.exception("e-mails %s committed but not enqueued; the worker's sweep will send them", ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(QUEUED, None)
