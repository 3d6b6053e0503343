"""services/mail_log.py: the e-mails on an application's timeline, the admins' mail page (filters,
keyset pages) and sending failed e-mails again (conditional, audited, handed to the worker after
the commit)."""

import itertools
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditLog, OutboundEmail
from portal.services import mail_log
from portal.services.mail_log import MailFilters
from portal.worker.queue import queue_for
from tests.builders.factories import ApplicationFactory, UserFactory
from tests.conftest import run_worker_tasks

pytestmark = pytest.mark.usefixtures("ctx")
_numbers = itertools.count(1)


def email(user=None, *, state="failed", template="application_submitted", subject=None, recipient=None,
          when=None, attempts=None, last_error=None, **fields) -> OutboundEmail:
    """An outbox row as the worker leaves it (failed rows have attempts and an error)."""
    n = next(_numbers)
    failed = state == "failed"
    row = OutboundEmail(
        recipient=recipient or (user.email if user else f"someone{n}@example.com"), template=template, locale="en",
        subject=subject or f"Subject {n}", body_text="text", body_html="<p>html</p>", state=state,
        attempts=attempts if attempts is not None else (5 if failed else 0),
        last_error=last_error or ("SMTPRecipientsRefused: 550 no such user" if failed else None),
        message_id=f"<test-{n}@example.edu>", user_id=user.id if user else None, **fields)
    if when is not None:
        row.created_at = when
    if state == "sent":
        row.sent_at = row.created_at or utcnow()
    db.session.add(row)
    db.session.flush()
    return row


def fresh(row: OutboundEmail) -> OutboundEmail:
    db.session.expire_all()
    return db.session.get(OutboundEmail, row.id)


def ids(page) -> list[int]:
    return [row.id for row in page.rows]


# --- the timeline --------------------------------------------------------------------------

def test_timeline_has_the_applicants_emails_since_the_application_oldest_first():
    application = ApplicationFactory(complete=True)
    applicant = application.applicant
    before = email(applicant, state="sent", when=application.created_at - timedelta(days=1))
    first = email(applicant, state="sent", subject="Application received")
    second = email(applicant, state="pending", subject="Under review")
    third = email(applicant, state="failed", subject="Action required")
    email(UserFactory(), state="failed")  # someone else's
    email(None, state="failed", recipient=applicant.email)  # no user: not the applicant's account
    rows = mail_log.sent_to_applicant(application)
    assert [r.id for r in rows] == [first.id, second.id, third.id] and before.id not in [r.id for r in rows]
    assert [(r.subject, r.state) for r in rows] == [("Application received", "sent"), ("Under review", "pending"),
                                                     ("Action required", "failed")]
    assert rows[2].last_error.startswith("SMTPRecipientsRefused")


def test_timeline_is_one_query_whatever_the_number(count_queries):
    application = ApplicationFactory(complete=True)
    for state in ("sent", "failed", "pending") * 10:
        email(application.applicant, state=state)
    with count_queries() as statements:
        rows = mail_log.sent_to_applicant(application)
    assert len(rows) == 30 and len(statements) == 1


# --- the mail page -------------------------------------------------------------------------

@pytest.fixture
def rows():
    day = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)
    return {
        "sent": email(state="sent", when=day - timedelta(days=2)),
        "failed_old": email(state="failed", template="verify_email", recipient="Old.Person@Example.com",
                            when=day - timedelta(days=1)),
        "pending": email(state="pending", recipient="waiting_100%@example.com", when=day),
        "failed_new": email(state="failed", recipient="new.person@example.org", when=day + timedelta(days=1)),
    }


@pytest.mark.parametrize("filters, expected", [
    (MailFilters(), ["failed_new", "pending", "failed_old"]),  # default: what needs attention, newest first
    (MailFilters(state="failed"), ["failed_new", "failed_old"]),
    (MailFilters(state="pending"), ["pending"]),
    (MailFilters(state="sent"), ["sent"]),
    (MailFilters(state="nonsense"), ["failed_new", "pending", "failed_old"]),
    (MailFilters(template="verify_email"), ["failed_old"]),
    (MailFilters(recipient="old.person"), ["failed_old"]),  # any part, any case
    (MailFilters(recipient="EXAMPLE.ORG"), ["failed_new"]),
    (MailFilters(recipient="100%"), ["pending"]),  # % is a character, not a wildcard
    (MailFilters(recipient="_"), ["pending"]),
    (MailFilters(recipient="%"), ["pending"]),
    (MailFilters(date_from=datetime(2027, 5, 10).date()), ["failed_new", "pending"]),
    (MailFilters(date_to=datetime(2027, 5, 10).date()), ["pending", "failed_old"]),
    (MailFilters(date_from=datetime(2027, 5, 10).date(), date_to=datetime(2027, 5, 10).date()), ["pending"]),
])
def test_page_filters(rows, filters, expected):
    assert ids(mail_log.page(filters)) == [rows[name].id for name in expected]


def test_keyset_pages_newest_first():
    made = [email(state="failed") for _ in range(7)]  # ids ascending: made[-1] is the newest
    newest = list(reversed(made))
    first = mail_log.page(MailFilters(), per_page=3)
    assert ids(first) == [r.id for r in newest[:3]] and first.newer_than is None
    second = mail_log.page(MailFilters(), before=first.older_than, per_page=3)
    assert ids(second) == [r.id for r in newest[3:6]]
    third = mail_log.page(MailFilters(), before=second.older_than, per_page=3)
    assert ids(third) == [newest[6].id] and third.older_than is None
    back = mail_log.page(MailFilters(), after=third.newer_than, per_page=3)
    assert ids(back) == ids(second)


@pytest.mark.parametrize("cursor", [0, -1, 2**63, 10**30])
def test_impossible_cursors_are_ignored(rows, cursor):
    assert ids(mail_log.page(MailFilters(), before=cursor)) == ids(mail_log.page(MailFilters()))
    assert ids(mail_log.page(MailFilters(), after=cursor)) == ids(mail_log.page(MailFilters()))


def test_page_links_the_recipients_submitted_application():
    submitted = ApplicationFactory(complete=True, reference="T27-000042", status="submitted")
    draft = ApplicationFactory()
    officer = UserFactory(officer=True)
    for user in (submitted.applicant, draft.applicant, officer):
        email(user)
    references = {row.recipient: row.reference for row in mail_log.page(MailFilters()).rows}
    assert references == {submitted.applicant.email: "T27-000042", draft.applicant.email: None,
                          officer.email: None}


def test_template_names_are_the_email_templates():
    names = mail_log.template_names()
    assert {"application_submitted", "verify_email", "password_changed"} <= set(names)
    assert not [n for n in names if n.startswith("_") or "/" in n or n.endswith((".txt", ".html"))]


# --- sending again -------------------------------------------------------------------------

def test_retry_sets_the_row_due_now_with_fresh_attempts_and_audits_it(app):
    admin = UserFactory(admin=True)
    row = email(state="failed", attempts=5, claimed_by="host:1:abc", claimed_until=utcnow() + timedelta(minutes=5),
                next_attempt_at=utcnow() - timedelta(hours=3))
    started = utcnow()
    assert mail_log.retry(admin, row.id) == row.id
    row = fresh(row)
    assert (row.state, row.attempts, row.claimed_by, row.claimed_until) == ("pending", 0, None, None)
    assert started <= row.next_attempt_at <= utcnow()
    assert row.last_error.startswith("SMTPRecipientsRefused")  # kept until the next attempt
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "mail.retry"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (admin.id, "outbound_email", str(row.id))
    assert entry.details == {"template": "application_submitted", "attempts": 5, "bulk": False}


@pytest.mark.parametrize("state", ["sent", "pending"])
def test_only_failed_rows_are_retried(state):
    row = email(state=state, attempts=2)
    with pytest.raises(mail_log.MailError) as refused:
        mail_log.retry(UserFactory(admin=True), row.id)
    assert "Only an e-mail that failed can be sent again" in refused.value.message
    assert (fresh(row).state, fresh(row).attempts) == (state, 2)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "mail.retry")) is None


@pytest.mark.parametrize("email_id", [0, -3, 10**9, 2**63, 10**30])
def test_a_missing_or_impossible_id_is_not_found(email_id):
    with pytest.raises(LookupError):
        mail_log.retry(UserFactory(admin=True), email_id)


def test_retry_all_failed_matching_the_filters(rows):
    admin = UserFactory(admin=True)
    other = email(state="failed", template="verify_email")
    done = mail_log.retry_failed(admin, MailFilters(template="verify_email", state="pending"))
    assert done == [rows["failed_old"].id, other.id]  # the state filter does not matter: failed ones
    assert fresh(rows["failed_new"]).state == "failed" and fresh(rows["sent"]).state == "sent"
    assert {fresh(rows["failed_old"]).state, fresh(other).state} == {"pending"}
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "mail.retry")).all()
    assert sorted(int(e.target_id) for e in entries) == done and all(e.details["bulk"] for e in entries)
    assert mail_log.retry_failed(admin, MailFilters(template="verify_email")) == []  # nothing left


def test_retry_all_is_capped():
    made = [email(state="failed") for _ in range(5)]
    assert mail_log.retry_failed(UserFactory(admin=True), MailFilters(), limit=3) == [r.id for r in made[:3]]
    assert [fresh(r).state for r in made] == ["pending"] * 3 + ["failed"] * 2


def test_retried_rows_reach_the_worker_after_the_commit_and_go_out(app, outbox):
    row = email(state="failed", subject="Please verify your address")
    done = mail_log.retry_failed(UserFactory(admin=True), MailFilters())
    db.session.commit()
    mail_log.hand_to_worker(done)
    assert [task.args[0] for task in queue_for(app).huey.pending()] == [[row.id]]
    run_worker_tasks(app)
    assert [m.subject for m in outbox] == ["Please verify your address"]
    assert (fresh(row).state, fresh(row).attempts, fresh(row).last_error) == ("sent", 1, None)  # one new attempt


def test_an_unreachable_queue_is_logged_not_raised(monkeypatch, caplog):
    def unreachable(ids):
        raise ConnectionError("queue down")

    monkeypatch.setattr(mail_log, "enqueue_delivery", unreachable)
    with caplog.at_level(logging.ERROR, logger="portal.services.mail_log"):
        mail_log.hand_to_worker([1, 2])
    assert "sweep will send them" in caplog.text
    mail_log.hand_to_worker([])  # nothing to do
