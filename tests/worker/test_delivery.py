"""Delivery, inside one process and the test's rolled-back transaction: what is sent, how a
failure is classified and rescheduled, and how claims keep rows apart. The same code in real
worker processes: test_worker_process.py."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select, update

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundEmail
from portal.services import notifications
from portal.worker import delivery
from portal.worker.queue import queue_for

pytestmark = pytest.mark.usefixtures("ctx")


def queue(count: int = 1, **kwargs) -> list[OutboundEmail]:
    rows = [notifications.queue_email(f"applicant{n}@example.com", "password_changed", {}, locale="en", **kwargs)
            for n in range(count)]
    db.session.commit()
    return rows


def fresh(row: OutboundEmail) -> OutboundEmail:
    db.session.expire_all()
    return db.session.get(OutboundEmail, row.id)


def make_due(row: OutboundEmail) -> None:
    """Time travel: the row's next attempt is now."""
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id == row.id).values(next_attempt_at=utcnow()))
    db.session.commit()


@pytest.fixture
def failing(monkeypatch):
    """``failing(error)``: every send raises ``error``; returns the list of attempted recipients."""
    attempted: list[list[str]] = []

    def install(error: Exception) -> list[list[str]]:
        def send(message, fail_silently=False):
            attempted.append(message.to)
            raise error

        monkeypatch.setattr("flask_mailman.EmailMultiAlternatives.send", send)
        return attempted

    return install


def test_sent_with_its_message_id_headers_and_attachments(outbox):
    ics = {"filename": "interview.ics", "content_type": "text/calendar", "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR"}
    [row] = queue(headers={"List-Unsubscribe": "<https://example.edu/u/1>"}, attachments=[ics])
    report = delivery.deliver_due(100)
    assert (report.sent, report.failed, report.retries) == (1, 0, [])
    message = outbox[0].message()
    assert message["Message-ID"] == row.message_id and message["List-Unsubscribe"] == "<https://example.edu/u/1>"
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == "interview.ics" and attachment.get_content_type() == "text/calendar"
    row = fresh(row)
    assert (row.state, row.attempts, row.claimed_until, row.last_error) == ("sent", 1, None, None)
    assert row.sent_at is not None and row.claimed_by
    assert delivery.deliver_due(100).handled == 0 and len(outbox) == 1  # never twice


def test_temporary_failures_back_off_then_fail_at_the_limit(app, failing):
    failing(ConnectionRefusedError("smtp down"))
    [row] = queue()
    message_id, limit = row.message_id, app.config["MAIL_MAX_ATTEMPTS"]
    delays = []
    for attempt in range(1, limit):
        report = delivery.deliver_due(100)
        row = fresh(row)
        assert report.retries == [([row.id], row.next_attempt_at)] and row.attempts == attempt
        delays.append((row.next_attempt_at - row.last_attempt_at).total_seconds())
        assert delivery.deliver_due(100).handled == 0  # not due yet
        make_due(row)
    assert delivery.deliver_due(100).failed == 1
    row = fresh(row)
    assert (row.state, row.attempts, row.last_error) == ("failed", limit, "ConnectionRefusedError: smtp down")
    assert row.message_id == message_id  # one Message-ID for every attempt
    base, cap = app.config["MAIL_RETRY_SECONDS"], app.config["MAIL_RETRY_MAX_SECONDS"]
    for attempt, delay in enumerate(delays, start=1):
        step = min(cap, base * 2 ** (attempt - 1))
        assert step / 2 - 1 <= delay <= step + 1
    make_due(row)
    assert delivery.deliver_due(100).handled == 0  # given up: never tried again


def test_retry_delays_grow_to_the_cap_with_jitter(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 60)
    monkeypatch.setitem(app.config, "MAIL_RETRY_MAX_SECONDS", 3600)
    samples = {attempt: [delivery.retry_delay(attempt) for _ in range(200)] for attempt in range(1, 12)}
    for attempt, values in samples.items():
        step = min(3600, 60 * 2 ** (attempt - 1))
        assert all(step / 2 <= value <= step for value in values)
        assert len(set(values)) > 150  # jitter: retries of many rows spread out
    for attempt in range(1, 6):  # while the step doubles, a later retry never waits less
        assert max(samples[attempt]) <= min(samples[attempt + 1])


@pytest.mark.parametrize("error, permanent", [
    (smtplib.SMTPRecipientsRefused({"applicant0@example.com": (550, b"5.1.1 no such mailbox")}), True),
    (smtplib.SMTPRecipientsRefused({"applicant0@example.com": (450, b"4.2.1 try later")}), False),
    (smtplib.SMTPDataError(554, b"5.7.1 message rejected as spam"), True),
    (smtplib.SMTPDataError(451, b"4.3.0 local error"), False),
    (smtplib.SMTPSenderRefused(552, b"5.3.4 message too big", "admission@example.edu"), True),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
    (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), False),  # the server's problem, not the message's
    (TimeoutError("timed out"), False),
    (ValueError("a bug"), False),
])
def test_5xx_about_the_message_fails_at_once_the_rest_is_retried(failing, error, permanent):
    failing(error)
    [row] = queue()
    report = delivery.deliver_due(100)
    row = fresh(row)
    assert (report.failed, row.state == "failed", row.attempts) == (int(permanent), permanent, 1)
    assert row.last_error.startswith(type(error).__name__)


def test_an_unreachable_server_defers_the_rest_of_the_batch_unattempted(failing):
    attempted = failing(ConnectionRefusedError("smtp down"))
    first, *rest = queue(3)
    report = delivery.deliver_due(100)
    assert len(attempted) == 1  # one refused connection, not three
    first = fresh(first)
    assert report.retries == [([first.id], first.next_attempt_at), ([row.id for row in rest], first.next_attempt_at)]
    assert [(fresh(row).attempts, fresh(row).next_attempt_at) for row in rest] == [(0, first.next_attempt_at)] * 2
    assert {fresh(row).claimed_until for row in [first, *rest]} == {None}


def test_a_claim_is_exclusive_until_its_lease_lapses():
    rows = queue(3)
    taken = delivery.claim("worker-a", None, 2)
    assert [row.id for row in taken] == [rows[0].id, rows[1].id]
    assert [row.id for row in delivery.claim("worker-b", None, 10)] == [rows[2].id]
    assert delivery.claim("worker-c", None, 10) == []
    db.session.execute(update(OutboundEmail).where(OutboundEmail.claimed_by == "worker-a")
                       .values(claimed_until=utcnow() - timedelta(seconds=1)))  # worker-a died
    db.session.commit()
    assert [row.id for row in delivery.claim("worker-c", [rows[1].id], 10)] == [rows[1].id]
    assert [row.id for row in delivery.claim("worker-d", None, 10)] == [rows[0].id]


def test_a_row_whose_lease_was_lost_mid_batch_is_left_to_its_new_holder(app, monkeypatch, outbox):
    monkeypatch.setitem(app.config, "MAIL_CLAIM_SECONDS", 0)  # renewed before every message
    first, second = queue(2)
    original = EmailMultiAlternatives.send

    def send_then_lose_the_second(message, fail_silently=False):
        db.session.execute(update(OutboundEmail).where(OutboundEmail.id == second.id)
                           .values(claimed_by="another-worker"))
        return original(message, fail_silently)

    monkeypatch.setattr("flask_mailman.EmailMultiAlternatives.send", send_then_lose_the_second)
    assert delivery.deliver([first.id, second.id]).sent == 1
    assert [message.to for message in outbox] == [[first.recipient]]
    assert fresh(second).state == "pending"


def test_the_sweep_enqueues_due_rows_nobody_holds(app):
    due, later, held, sent = queue(4)
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id == later.id)
                       .values(next_attempt_at=utcnow() + timedelta(minutes=5)))
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id == held.id)
                       .values(claimed_by="alive", claimed_until=utcnow() + timedelta(minutes=5)))
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id == sent.id).values(state="sent"))
    db.session.commit()
    worker = queue_for(app)
    worker.huey.flush()
    worker.sweep.call_local()
    assert [task.args for task in worker.huey.pending()] == [([due.id],)]


def test_a_failed_attempt_schedules_the_next_one(app, failing):
    failing(ConnectionRefusedError("smtp down"))
    [row] = queue()
    worker = queue_for(app)
    worker.huey.flush()
    worker.deliver.call_local([row.id])
    [task] = worker.huey.pending()  # the consumer holds it back until its eta
    row = fresh(row)
    assert task.args == ([row.id],)
    assert abs((task.eta - row.next_attempt_at.replace(tzinfo=None)).total_seconds()) < 0.01


def test_rows_of_other_states_are_never_claimed():
    rows = queue(2)
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id == rows[0].id).values(state="failed"))
    db.session.commit()
    assert [row.id for row in delivery.claim("w", None, 10)] == [rows[1].id]
    assert db.session.scalar(select(OutboundEmail.claimed_by).where(OutboundEmail.id == rows[0].id)) is None
