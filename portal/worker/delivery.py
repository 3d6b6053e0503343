"""Delivering the outbox: claim due rows, send each through Flask-Mailman, record the outcome.

Only the worker (and ``flask mail send-pending``) runs this; a web process never opens SMTP.

A batch is *claimed* first: an UPDATE writes this run's token and a lease (``claimed_until``) on
up to ``BATCH_SIZE`` due rows nobody holds, and returns what sending needs. On PostgreSQL the rows
are first picked ``FOR UPDATE SKIP LOCKED`` (a row another worker is claiming is skipped, not
waited for); on SQLite one UPDATE picks and claims, atomic by itself (it takes the write lock
first, so two workers never deadlock upgrading a read lock). So two workers never hold the same
row, and a worker that dies holds its rows only until the lease lapses (renewed while it works).

Each outcome is committed right after the SMTP conversation: sent; failed for good (a 5xx about
this message, or the last of MAIL_MAX_ATTEMPTS); or rescheduled with exponential backoff and
jitter (a 4xx, a refused or timed-out connection). When the server itself is unreachable, the rest
of the batch waits for the same time, unattempted. What is left is the at-least-once window: the
server accepted a message and the worker died before committing ``sent``; the row then goes out
again after the lease, with the same Message-ID (docs/architecture.md, "The mail worker").
"""

from __future__ import annotations

import logging
import os
import random
import smtplib
import socket
import uuid
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Row

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundEmail

log = logging.getLogger(__name__)

BATCH_SIZE = 20  # rows per claim, and per task: a burst is shared among the worker's threads
# What one send needs, returned by the claim itself: nothing is read while SMTP is talking.
CLAIMED = (OutboundEmail.id, OutboundEmail.template, OutboundEmail.recipient, OutboundEmail.subject,
           OutboundEmail.body_text, OutboundEmail.body_html, OutboundEmail.message_id,
           OutboundEmail.headers, OutboundEmail.attachments, OutboundEmail.attempts)
# Refusals about one message (its sender, recipient or content); anything else that is an OSError
# (refused or timed-out connection, disconnection, greeting, login) is about the server.
ABOUT_THE_MESSAGE = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
_jitter = random.Random()  # noqa: S311  (spreads retries; nothing secret)


@dataclass
class Report:
    sent: int = 0
    failed: int = 0  # given up: refused for good, or MAIL_MAX_ATTEMPTS reached
    retries: list[tuple[list[int], datetime]] = field(default_factory=list)  # (row ids, next attempt)

    @property
    def retrying(self) -> int:
        return sum(len(ids) for ids, _due in self.retries)

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retrying

    def add(self, other: Report) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retries += other.retries


def batches(ids: Sequence[int], size: int = BATCH_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


def deliver(ids: Sequence[int] | None = None, limit: int = BATCH_SIZE) -> Report:
    """Claim due rows (among ``ids``, or any) and send them; each outcome is committed at once."""
    token = claim_token()
    rows = claim(token, ids, limit)
    report = Report()
    if rows:
        _send_all(rows, token, report)
    return report


def deliver_due(limit: int) -> Report:
    """Deliver batch after batch until no row is due or ``limit`` rows were handled (for a
    command, and for tests that play the worker)."""
    total = Report()
    while total.handled < limit:
        report = deliver(limit=min(limit - total.handled, BATCH_SIZE))
        if not report.handled:
            break
        total.add(report)
    return total


def due_ids(limit: int) -> list[int]:
    """Pending rows whose attempt is due and that nobody holds, oldest due first."""
    query = select(OutboundEmail.id).where(_due(utcnow())).order_by(
        OutboundEmail.next_attempt_at, OutboundEmail.id).limit(limit)
    ids = list(db.session.scalars(query))
    db.session.rollback()  # end the read: SQLite writers wait for readers
    return ids


def claim_token() -> str:
    """Names one claim: this host and process, and a random part (each batch its own)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def claim(token: str, ids: Sequence[int] | None, limit: int) -> list[Row]:
    """Take up to ``limit`` due rows for ``token`` and commit the claim; returns what sending needs."""
    now = utcnow()
    picked = select(OutboundEmail.id).where(_due(now)).order_by(
        OutboundEmail.next_attempt_at, OutboundEmail.id).limit(limit)
    if ids is not None:
        picked = picked.where(OutboundEmail.id.in_(ids))
    if db.session.get_bind().dialect.name == "postgresql":
        # Locked until the commit below; as a subquery of the UPDATE, PostgreSQL may run it twice.
        picked = list(db.session.scalars(picked.with_for_update(skip_locked=True)))
    statement = (update(OutboundEmail).where(OutboundEmail.id.in_(picked), _due(now))
                 .values(claimed_by=token, claimed_until=now + _lease()).returning(*CLAIMED)
                 .execution_options(synchronize_session=False))
    rows = sorted(db.session.execute(statement).all(), key=lambda row: row.id)
    db.session.commit()
    return rows


def _due(now: datetime):
    return and_(OutboundEmail.state == OutboundEmail.PENDING, OutboundEmail.next_attempt_at <= now,
                or_(OutboundEmail.claimed_until.is_(None), OutboundEmail.claimed_until < now))


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])


def _send_all(rows: list[Row], token: str, report: Report) -> None:
    connection = current_app.extensions["mailman"].get_connection()  # one SMTP session per batch
    owned, renew_at = {row.id for row in rows}, utcnow() + _lease() / 2
    try:
        for position, row in enumerate(rows):
            if utcnow() >= renew_at:
                owned, renew_at = _renew(token)
            if row.id not in owned:
                continue  # the lease lapsed and another worker took the row
            error = _send(build_message(row, connection))
            if error is None:
                _finish(row, token, state=OutboundEmail.SENT, sent_at=utcnow(), last_error=None)
                report.sent += 1
                log.info("e-mail %s (%s) sent", row.id, row.template)
                continue
            retry_at = _record_failure(row, token, error, report)
            if retry_at and server_unreachable(error):
                _defer([later.id for later in rows[position + 1:]], token, retry_at, report)
                break
    finally:
        with suppress(OSError):
            connection.close()


def build_message(row: Row, connection: Any) -> EmailMultiAlternatives:
    """The message as sent on every attempt: the same Message-ID, the row's headers and files."""
    message = EmailMultiAlternatives(subject=row.subject, body=row.body_text,
                                     from_email=current_app.config["MAIL_DEFAULT_SENDER"], to=[row.recipient],
                                     headers={**row.headers, "Message-ID": row.message_id}, connection=connection)
    message.attach_alternative(row.body_html, "text/html")
    for attachment in row.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["content_type"])
    return message


def _send(message: EmailMultiAlternatives) -> Exception | None:
    try:
        message.connection.open()  # opened here, it stays open for the rest of the batch
        message.send()
    except Exception as error:  # every failure is recorded on the row; the task itself goes on
        with suppress(OSError):
            message.connection.close()  # the next message starts a fresh SMTP session
        return error
    return None


def is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message: sending it again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, ABOUT_THE_MESSAGE) and error.smtp_code >= 500


def server_unreachable(error: Exception) -> bool:
    """The server, or the way to it, failed (not this message): later messages would fail too."""
    return isinstance(error, OSError) and not isinstance(error, ABOUT_THE_MESSAGE)


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt: a step of MAIL_RETRY_SECONDS doubling per attempt up to
    MAIL_RETRY_MAX_SECONDS, waited between half the step and the whole of it ("equal jitter"):
    the retries of many rows spread out, and while the step doubles none comes sooner than the
    one before."""
    config = current_app.config
    step = min(config["MAIL_RETRY_MAX_SECONDS"], config["MAIL_RETRY_SECONDS"] * 2 ** (attempts - 1))
    return step / 2 + _jitter.uniform(0, step / 2)


def _record_failure(row: Row, token: str, error: Exception, report: Report) -> datetime | None:
    """Fail the row for good, or reschedule it; returns the time of its next attempt, if any."""
    attempts = row.attempts + 1
    text = f"{type(error).__name__}: {error}"[:500]
    if is_permanent(error) or attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        _finish(row, token, state=OutboundEmail.FAILED, last_error=text)
        report.failed += 1
        log.error("e-mail %s (%s) failed for good, attempt %s: %s", row.id, row.template, attempts, text)
        return None
    retry_at = utcnow() + timedelta(seconds=retry_delay(attempts))
    _finish(row, token, next_attempt_at=retry_at, last_error=text)
    report.retries.append(([row.id], retry_at))
    log.warning("e-mail %s (%s) not delivered, attempt %s, next at %s: %s", row.id, row.template, attempts,
                retry_at.isoformat(timespec="seconds"), text)
    return retry_at


def _finish(row: Row, token: str, **outcome: Any) -> None:
    """Record one attempt and release the claim, committed at once (this ends the window)."""
    statement = (update(OutboundEmail).where(OutboundEmail.id == row.id, OutboundEmail.claimed_by == token)
                 .values(attempts=OutboundEmail.attempts + 1, last_attempt_at=utcnow(), claimed_until=None,
                         **outcome)
                 .execution_options(synchronize_session=False))
    db.session.execute(statement)
    db.session.commit()


def _defer(ids: list[int], token: str, retry_at: datetime, report: Report) -> None:
    """Release rows not yet attempted, due again with the failed one (no attempt is counted)."""
    if not ids:
        return
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id.in_(ids), OutboundEmail.claimed_by == token)
                       .values(next_attempt_at=retry_at, claimed_until=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    report.retries.append((ids, retry_at))


def _renew(token: str) -> tuple[set[int], datetime]:
    """Extend this claim's lease (a long batch, a slow server); returns the rows still held and
    when to renew again."""
    now = utcnow()
    statement = (update(OutboundEmail)
                 .where(OutboundEmail.claimed_by == token, OutboundEmail.state == OutboundEmail.PENDING)
                 .values(claimed_until=now + _lease()).returning(OutboundEmail.id)
                 .execution_options(synchronize_session=False))
    owned = set(db.session.scalars(statement))
    db.session.commit()
    return owned, now + _lease() / 2
