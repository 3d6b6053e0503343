"""The office's application list (/office/ and its exports): filters, search, sort, pages, counts.

Why it is shaped this way — it must stay fast with a whole season's applications (100,000+):
- every filter value comes from the URL and is whitelisted here; a value that is not on the list
  is dropped (the list is shown without that filter), never an error;
- pages are *keyset* pages: ``WHERE (sort key, id) < (the last row's) ORDER BY ... LIMIT``, so the
  200th page costs what the first costs (OFFSET would read and throw away every earlier row);
- rows are plain columns, not ORM objects: no lazy loads, no joined intake/programme per row
  (their names come from the choices);
- the dropdowns' data (intakes, programmes, officers) and the officer's saved views come in one
  query (``load_choices``, in office_list_choices.py and re-exported here): the list page has a
  budget of a handful of queries, whatever the size;
- the counts per status are the one thing whose cost grows with the table (a GROUP BY over
  every matching application), so they are kept per process for ``OFFICE_COUNTS_CACHE_SECONDS``
  (30 s by default, off when testing) and may lag that long behind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from portal.extensions import db
from portal.i18n import is_country
from portal.models import INSTRUCTION_LANGUAGES, Application, OutboundEmail, SavedView, User
from portal.models.status import STATUSES, Status
from portal.services.office_list_choices import Choices, load_choices  # noqa: F401  (part of this module's API)

LISTED_STATUSES = tuple(s for s in STATUSES if s != Status.DRAFT)  # drafts have no reference: never listed
SORTS = ("submitted", "reference", "surname")
DIRECTIONS = ("desc", "asc")
PAGE_SIZE = 50
SEARCH_MAX = 100
MAX_ID = 2**31 - 1
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
LIKE_ESCAPE = "\\"

# What one row of the list carries (see templates/office/_list_table.html).
ROW_COLUMNS = (Application.id, Application.reference, Application.status, Application.surname,
               Application.given_names, Application.citizenship, Application.programme_id,
               Application.instruction_language, Application.intake_id, Application.submitted_at,
               Application.assigned_officer_id, Application.flagged_duplicate)


# --- the filters ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ListFilters:
    """The list's state as the URL carries it; every value already whitelisted."""

    status: str = ""
    intake: int | None = None
    programme: int | None = None
    language: str = ""
    citizenship: str = ""
    officer: str = ""  # "", "me", "none" or an officer's id
    flagged: bool = False
    mail_failed: bool = False  # the applicant's most recent e-mail failed for good
    submitted_from: date | None = None
    submitted_to: date | None = None
    q: str = ""
    sort: str = "submitted"
    direction: str = "desc"
    after: int | None = None  # keyset cursors: an application id
    before: int | None = None

    def query_args(self, *, cursors: bool = False, **changes: Any) -> dict[str, str]:
        """The URL arguments of this state (defaults left out), e.g. for links and saved views."""
        state = replace(self, **changes) if changes else self
        args = {}
        for f in fields(state):
            value = getattr(state, f.name)
            if f.name in ("after", "before") and not cursors and f.name not in changes:
                continue
            if value in (None, "", False) or (f.name, value) in (("sort", "submitted"), ("direction", "desc")):
                continue
            args[f.name] = "1" if value is True else value.isoformat() if isinstance(value, date) else str(value)
        return args

    def without_cursor(self) -> ListFilters:
        return replace(self, after=None, before=None)

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (sort order aside)."""
        return bool(self.query_args(sort="submitted", direction="desc"))


def _text(args: Mapping[str, str], name: str, limit: int = 40) -> str:
    value = args.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _positive_int(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID else None


def _day(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def parse_filters(args: Mapping[str, str], choices: Choices) -> ListFilters:
    """Read the list's state from request.args; anything not on a whitelist is ignored."""
    status = _text(args, "status")
    intake = _positive_int(_text(args, "intake"))
    programme = _positive_int(_text(args, "programme"))
    language = _text(args, "language")
    citizenship = _text(args, "citizenship").upper()
    officer = _text(args, "officer")
    officer_id = _positive_int(officer)
    sort, direction = _text(args, "sort"), _text(args, "direction")
    after, before = _positive_int(_text(args, "after")), _positive_int(_text(args, "before"))
    return ListFilters(
        status=status if status in LISTED_STATUSES else "",
        intake=intake if intake in choices.intake_names else None,
        programme=programme if programme in choices.programme_names else None,
        language=language if language in INSTRUCTION_LANGUAGES else "",
        citizenship=citizenship if is_country(citizenship) else "",
        officer=officer if officer in ("me", "none") or officer_id in choices.officer_emails else "",
        flagged=_text(args, "flagged") in ("1", "y", "on", "true"),
        mail_failed=_text(args, "mail_failed") in ("1", "y", "on", "true"),
        submitted_from=_day(_text(args, "submitted_from")),
        submitted_to=_day(_text(args, "submitted_to")),
        q=" ".join(_text(args, "q", SEARCH_MAX * 2).split())[:SEARCH_MAX],
        sort=sort if sort in SORTS else "submitted",
        direction=direction if direction in DIRECTIONS else "desc",
        after=after,
        before=None if after else before,
    )


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching values that start with ``text``, its own % and _ taken literally."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
    return escaped.replace("_", LIKE_ESCAPE + "_") + "%"


def _starts_with(column, text: str) -> ColumnElement[bool]:
    return column.like(_like_prefix(text), escape=LIKE_ESCAPE)


def search_clause(q: str) -> ColumnElement[bool] | None:
    """One search box for four kinds of input, told apart by their shape, each using an index:
    an e-mail address (the whole address), a reference or passport number (has digits: the
    reference's start or the whole passport number), or a name (the start of the surname or the
    given names; two or more words may also be "SURNAME GIVEN")."""
    text = " ".join(q.split())
    if not text:
        return None
    if "@" in text:
        return Application.applicant_id.in_(select(User.id).where(User.email == text.lower()))
    upper = text.upper()
    if any(ch.isdigit() for ch in upper):
        compact = upper.replace(" ", "")
        return or_(_starts_with(Application.reference, compact), Application.passport_number == compact)
    clauses = [_starts_with(Application.surname, upper), _starts_with(Application.given_names, upper)]
    first, _, rest = upper.partition(" ")
    if rest:
        clauses.append(and_(_starts_with(Application.surname, first), _starts_with(Application.given_names, rest)))
    return or_(*clauses)


def where_clauses(filters: ListFilters, user_id: int, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    """The WHERE of the list, its counts and its exports."""
    a = Application
    clauses: list[ColumnElement[bool]] = [a.reference.isnot(None)]
    if with_status and filters.status:
        clauses.append(a.status == filters.status)
    if filters.intake:
        clauses.append(a.intake_id == filters.intake)
    if filters.programme:
        clauses.append(a.programme_id == filters.programme)
    if filters.language:
        clauses.append(a.instruction_language == filters.language)
    if filters.citizenship:
        clauses.append(a.citizenship == filters.citizenship)
    if filters.officer == "me":
        clauses.append(a.assigned_officer_id == user_id)
    elif filters.officer == "none":
        clauses.append(a.assigned_officer_id.is_(None))
    elif filters.officer:
        clauses.append(a.assigned_officer_id == int(filters.officer))
    if filters.flagged:
        clauses.append(a.flagged_duplicate.is_(True))
    if filters.mail_failed:
        clauses.append(last_mail_failed())
    if filters.submitted_from:
        clauses.append(a.submitted_at >= _midnight(filters.submitted_from))
    if filters.submitted_to:
        clauses.append(a.submitted_at < _midnight(filters.submitted_to + timedelta(days=1)))
    search = search_clause(filters.q)
    if search is not None:
        clauses.append(search)
    return clauses


def last_mail_failed() -> ColumnElement[bool]:
    """The applicant has a failed e-mail and none newer (the highest id among theirs). The max is
    correlated on the failed e-mail's row, not on the application: PostgreSQL then computes it
    only for failed e-mails (found through the state index), never once per application; each
    lookup goes through ``ix_outbound_emails_user_id`` (on SQLite the rowid is in that index)."""
    mail, theirs = aliased(OutboundEmail), aliased(OutboundEmail)
    latest = select(func.max(theirs.id)).where(theirs.user_id == mail.user_id).correlate(mail).scalar_subquery()
    return exists().where(mail.user_id == Application.applicant_id, mail.state == OutboundEmail.FAILED,
                          mail.id == latest).correlate(Application)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def sort_columns(filters: ListFilters) -> tuple:
    """The keyset: the sort column and the id as a tie-breaker (references are unique already)."""
    if filters.sort == "reference":
        return (Application.reference,)
    column = Application.surname if filters.sort == "surname" else Application.submitted_at
    return (column, Application.id)


def ordered(stmt: Select, filters: ListFilters, *, reverse: bool = False) -> Select:
    descending = (filters.direction == "desc") != reverse
    return stmt.order_by(*(c.desc() if descending else c.asc() for c in sort_columns(filters)))


# --- one page ------------------------------------------------------------------------------

@dataclass
class Page:
    rows: list
    has_next: bool
    has_prev: bool

    @property
    def next_after(self) -> int | None:
        return self.rows[-1].id if self.rows and self.has_next else None

    @property
    def prev_before(self) -> int | None:
        return self.rows[0].id if self.rows and self.has_prev else None


def _cursor_clause(filters: ListFilters, cursor: int, forward: bool) -> ColumnElement[bool]:
    """Rows after (``forward``) or before the row ``cursor`` in the list's order."""
    columns = sort_columns(filters)
    values = [select(c).where(Application.id == cursor).scalar_subquery() for c in columns if c is not Application.id]
    if Application.id in columns:
        values.append(literal(cursor))
    left, right = (tuple_(*columns), tuple_(*values)) if len(columns) > 1 else (columns[0], values[0])
    descending = filters.direction == "desc"
    return left < right if descending == forward else left > right


def list_page(filters: ListFilters, user_id: int, size: int | None = None) -> Page:
    size = size or PAGE_SIZE
    stmt = (select(*ROW_COLUMNS, User.email).join(User, User.id == Application.applicant_id)
            .where(*where_clauses(filters, user_id)))
    if filters.before:
        stmt = ordered(stmt.where(_cursor_clause(filters, filters.before, forward=False)), filters, reverse=True)
        rows = list(db.session.execute(stmt.limit(size + 1)))
        more = len(rows) > size
        return Page(rows=rows[:size][::-1], has_next=True, has_prev=more)
    if filters.after:
        stmt = stmt.where(_cursor_clause(filters, filters.after, forward=True))
    rows = list(db.session.execute(ordered(stmt, filters).limit(size + 1)))
    return Page(rows=rows[:size], has_next=len(rows) > size, has_prev=filters.after is not None)


# --- counts per status (kept briefly per process) ------------------------------------------

_counts_lock = threading.Lock()
_counts: dict[tuple, tuple[float, dict[str, int]]] = {}
COUNTS_CACHE_SIZE = 512


def _counts_seconds() -> int:
    return current_app.config["OFFICE_COUNTS_CACHE_SECONDS"]


def status_counts(filters: ListFilters, user_id: int) -> dict[str, int]:
    """Applications per status under the current filters (the status filter itself aside)."""
    base = replace(filters.without_cursor(), status="", sort="submitted", direction="desc")
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], base, user_id if base.officer == "me" else None)
    seconds = _counts_seconds()
    now = time.monotonic()
    if seconds > 0:
        with _counts_lock:
            hit = _counts.get(key)
        if hit and hit[0] > now:
            return hit[1]
    stmt = (select(Application.status, func.count()).where(*where_clauses(base, user_id, with_status=False))
            .group_by(Application.status))
    counts = dict.fromkeys(LISTED_STATUSES, 0)
    counts.update({status: n for status, n in db.session.execute(stmt) if status in counts})
    if seconds > 0:
        with _counts_lock:
            if len(_counts) >= COUNTS_CACHE_SIZE:
                for old in sorted(_counts, key=lambda k: _counts[k][0])[:COUNTS_CACHE_SIZE // 4]:
                    _counts.pop(old, None)
            _counts[key] = (now + seconds, counts)
    return counts


def forget_counts() -> None:
    """After a change made here (a bulk action), this process shows fresh counts at once."""
    with _counts_lock:
        _counts.clear()


def view_query(filters: ListFilters) -> str:
    """The canonical query string of a list state (what a saved view keeps)."""
    return urlencode(filters.query_args())


# --- saved views: one officer's named queries ----------------------------------------------

def save_view(officer: User, name: str, raw_query: str, choices: Choices) -> SavedView:
    """Keep the list's state under a name; the same name again replaces the query. The query is
    re-parsed, so what is stored is the whitelisted, canonical form."""
    name = " ".join(name.split())[:80]
    query = view_query(parse_filters(dict(parse_qsl(raw_query[:2000])), choices))
    view = db.session.scalar(select(SavedView).where(SavedView.officer_id == officer.id, SavedView.name == name))
    if view is None:
        view = SavedView(officer_id=officer.id, name=name, query=query)
        db.session.add(view)
    else:
        view.query = query
    db.session.flush()
    return view


def my_view(officer: User, view_id: int) -> SavedView | None:
    """Another officer's view is simply not found."""
    return db.session.scalar(select(SavedView).where(SavedView.id == view_id, SavedView.officer_id == officer.id))


def delete_view(view: SavedView) -> None:
    db.session.delete(view)
    db.session.flush()
