"""The outbox as the office reads it: the e-mails on an application's timeline, the admins' mail
page (/office/mail) with its filters and keyset pages, and sending a failed e-mail again.

Why it is shaped this way: the outbox only grows (every message ever queued stays a row), so each
read is one statement that selects the columns it shows (never the bodies), and the mail page
pages on the primary key newest first, as the audit log does: a page costs the same at any depth.
A retry is a conditional UPDATE (``WHERE state = 'failed'``), so two admins pressing Retry at once
send the e-mail again once; it is audited per e-mail, and the worker gets the ids only after the
commit (``hand_to_worker``), as services/notifications.py does for new rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.engine import Row

from portal.database import is_row_id, utcnow
from portal.extensions import db
from portal.models import Application, OutboundEmail, User
from portal.services import audit
from portal.services.errors import ServiceError
from portal.worker.queue import enqueue_delivery

log = logging.getLogger(__name__)

PER_PAGE = 50
TIMELINE_MAX = 200  # e-mails on one application's timeline (a real applicant gets a few dozen)
RETRY_ALL_MAX = 500  # failed e-mails sent again by one press of "Retry all"; press again for more
RECIPIENT_MAX = 254

STATE_TEXT = {OutboundEmail.SENT: _l("sent"), OutboundEmail.PENDING: _l("waiting to be sent"),
              OutboundEmail.FAILED: _l("failed")}
# The mail page's state filter: "" (the default) is what still needs attention.
STATE_FILTERS = {"": (OutboundEmail.FAILED, OutboundEmail.PENDING), "failed": (OutboundEmail.FAILED,),
                 "pending": (OutboundEmail.PENDING,), "sent": (OutboundEmail.SENT,)}

# What the timeline and the mail page show of a row (the bodies stay in the table).
SHOWN = (OutboundEmail.id, OutboundEmail.recipient, OutboundEmail.template, OutboundEmail.subject,
         OutboundEmail.state, OutboundEmail.attempts, OutboundEmail.last_error, OutboundEmail.created_at,
         OutboundEmail.last_attempt_at, OutboundEmail.sent_at, OutboundEmail.next_attempt_at)


class MailError(ServiceError):
    """A retry that cannot be done (the e-mail was sent, or is already waiting to be sent)."""


# --- the application's timeline ------------------------------------------------------------

def sent_to_applicant(application: Application) -> list[Row]:
    """The e-mails written to the applicant since the application was created, oldest first:
    one query, whatever their number (through ``ix_outbound_emails_user_id``)."""
    query = (select(*SHOWN).where(OutboundEmail.user_id == application.applicant_id,
                                  OutboundEmail.created_at >= application.created_at)
             .order_by(OutboundEmail.id.desc()).limit(TIMELINE_MAX))
    return list(reversed(db.session.execute(query).all()))


# --- the mail page -------------------------------------------------------------------------

@dataclass(frozen=True)
class MailFilters:
    state: str = ""  # a key of STATE_FILTERS
    template: str = ""  # the e-mail's kind: a name under templates/email/
    recipient: str = ""  # part of the recipient's address
    date_from: date | None = None  # when the e-mail was written, UTC, both days included
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as URL query arguments (empty ones left out)."""
        values = {"state": self.state, "template": self.template, "recipient": self.recipient,
                  "date_from": self.date_from.isoformat() if self.date_from else "",
                  "date_to": self.date_to.isoformat() if self.date_to else ""}
        return {name: value for name, value in values.items() if value}

    @property
    def includes_failed(self) -> bool:
        return OutboundEmail.FAILED in STATE_FILTERS.get(self.state, ())


@dataclass
class MailPage:
    rows: list[Row] = field(default_factory=list)  # SHOWN + ``reference`` (the applicant's application)
    newer_than: int | None = None  # link to the newer page: ?after=<id>
    older_than: int | None = None  # link to the older page: ?before=<id>


def template_names() -> list[str]:
    """The kinds of e-mail the portal writes: every ``templates/email/<name>.txt``."""
    names = current_app.jinja_env.list_templates(
        filter_func=lambda name: name.startswith("email/") and name.endswith(".txt"))
    return sorted(name[len("email/"):-len(".txt")] for name in names if not name.startswith("email/_"))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _where(filters: MailFilters) -> list[ColumnElement[bool]]:
    clauses = [OutboundEmail.state.in_(STATE_FILTERS.get(filters.state, STATE_FILTERS[""]))]
    if filters.template:
        clauses.append(OutboundEmail.template == filters.template)
    recipient = filters.recipient.strip().lower()[:RECIPIENT_MAX]
    if recipient:
        clauses.append(func.lower(OutboundEmail.recipient).contains(recipient, autoescape=True))
    if filters.date_from:
        clauses.append(OutboundEmail.created_at >= _midnight(filters.date_from))
    if filters.date_to:
        clauses.append(OutboundEmail.created_at < _midnight(filters.date_to + timedelta(days=1)))
    return clauses


def _reference():
    """The reference of the recipient's latest submitted application (drafts have none)."""
    return (select(Application.reference)
            .where(Application.applicant_id == OutboundEmail.user_id, Application.reference.isnot(None))
            .order_by(Application.id.desc()).limit(1).correlate(OutboundEmail).scalar_subquery())


def page(filters: MailFilters, *, before: int | None = None, after: int | None = None,
         per_page: int | None = None) -> MailPage:
    """Newest first, one query. ``before``: the page of e-mails older than that id; ``after``:
    newer. A cursor that cannot be an id is ignored."""
    per_page = per_page or PER_PAGE
    before = before if before is not None and is_row_id(before) else None
    after = after if after is not None and is_row_id(after) else None
    query = select(*SHOWN, _reference().label("reference")).where(*_where(filters))
    if after is not None:
        rows = db.session.execute(query.where(OutboundEmail.id > after).order_by(OutboundEmail.id.asc())
                                  .limit(per_page + 1)).all()
        more_newer, more_older = len(rows) > per_page, True
        rows = list(reversed(rows[:per_page]))
    else:
        if before is not None:
            query = query.where(OutboundEmail.id < before)
        rows = db.session.execute(query.order_by(OutboundEmail.id.desc()).limit(per_page + 1)).all()
        more_newer, more_older = before is not None, len(rows) > per_page
        rows = rows[:per_page]
    return MailPage(rows=rows, newer_than=rows[0].id if rows and more_newer else None,
                    older_than=rows[-1].id if rows and more_older else None)


# --- sending again -------------------------------------------------------------------------

def retry(actor: User, email_id: int) -> int:
    """Send one failed e-mail again; returns its id. Refused (``MailError``) for an e-mail that
    was sent or is waiting to be sent; ``LookupError`` for one that does not exist.

    The row goes back to ``pending``, due now, unclaimed, with ``attempts`` reset to 0: it gets
    MAIL_MAX_ATTEMPTS new attempts (the audit entry keeps how many it had). ``last_error`` stays
    until the next attempt, so the page still says what went wrong last time."""
    state = db.session.scalar(select(OutboundEmail.state).where(OutboundEmail.id == email_id)) \
        if is_row_id(email_id) else None
    if state is None:
        raise LookupError(email_id)
    done = _retry(actor, select(OutboundEmail.id, OutboundEmail.template, OutboundEmail.attempts)
                  .where(OutboundEmail.id == email_id, OutboundEmail.state == OutboundEmail.FAILED), bulk=False)
    if not done:
        raise MailError(_l("Only an e-mail that failed can be sent again: this one is %(state)s.",
                           state=STATE_TEXT.get(state, state)))
    return done[0]


def retry_failed(actor: User, filters: MailFilters, limit: int | None = None) -> list[int]:
    """Send again every failed e-mail the filters match (whatever their state filter says), up to
    ``limit`` (RETRY_ALL_MAX), oldest first; returns their ids. Attempts reset as in ``retry``."""
    matching = (select(OutboundEmail.id, OutboundEmail.template, OutboundEmail.attempts)
                .where(*_where(replace(filters, state="failed")))
                .order_by(OutboundEmail.id.asc()).limit(limit or RETRY_ALL_MAX))
    return _retry(actor, matching, bulk=True)


def _retry(actor: User, candidates: Select, *, bulk: bool) -> list[int]:
    found = {row.id: row for row in db.session.execute(candidates)}
    if not found:
        return []
    statement = (update(OutboundEmail)
                 .where(OutboundEmail.id.in_(sorted(found)), OutboundEmail.state == OutboundEmail.FAILED)
                 .values(state=OutboundEmail.PENDING, attempts=0, next_attempt_at=utcnow(), claimed_by=None,
                         claimed_until=None)
                 .returning(OutboundEmail.id).execution_options(synchronize_session=False))
    done = sorted(db.session.scalars(statement))
    for email_id in done:
        row = found[email_id]
        audit.record(actor, "mail.retry", "outbound_email", email_id,
                     {"template": row.template, "attempts": row.attempts, "bulk": bulk})
    db.session.flush()
    return done


def hand_to_worker(ids: Sequence[int]) -> None:
    """After the commit of a retry: enqueue the rows (services/notifications.py does this only for
    rows it wrote itself). If the queue is unreachable, the worker's sweep finds them: they are due."""
    if not ids:
        return
    try:
        enqueue_delivery(list(ids))
    except Exception:  # the commit stands; the sweep sends them within a minute
        log.exception("e-mails %s set to be sent again but not enqueued; the worker's sweep will send them", ids)
