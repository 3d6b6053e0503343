"""Drills with real worker processes (``flask --app wsgi worker``), a real SMTP server and
committed data: an outage, a crash, two workers at once, and the web process's part (enqueue,
never send). Counting happens at the SMTP server: every message must arrive, and only once."""

from __future__ import annotations

import time
import uuid
from collections import Counter

import pytest
import redis
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboundEmail, User
from portal.services import notifications
from portal.services.accounts import hash_password
from portal.worker.queue import queue_for
from tests.helpers import Forms
from tests.worker.conftest import wait_for

pytestmark = pytest.mark.live_db  # committed for real, in the worker's own database


def queue_mail(app, count: int, refused: str | None = None) -> None:
    """``count`` events, each committed on its own with its e-mail (the last to ``refused``)."""
    with app.test_request_context():
        for n in range(count):
            recipient = refused if refused and n == count - 1 else f"applicant{n}@example.com"
            notifications.queue_email(recipient, "password_changed", {}, locale="en")
            db.session.commit()


def rows_of(app) -> list[OutboundEmail]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def states(app) -> Counter:
    return Counter(row.state for row in rows_of(app))


def assert_each_sent_once(app, sink, expected: int) -> None:
    sent = [row.message_id for row in rows_of(app) if row.state == "sent"]
    assert len(sent) == expected
    assert Counter(sink.received) == Counter(sent)  # each arrived, and exactly once


def test_outage_drill(worker_app, smtp, sink, start_worker):
    """With the SMTP server down, events still commit and their mail waits, retried with backoff;
    once it is back every message arrives once, and a 550 ends as failed with its reason."""
    sink.refuse = {"nobody@example.com"}
    smtp.stop()
    worker = start_worker()
    queue_mail(worker_app, 12, refused="nobody@example.com")
    assert states(worker_app) == {"pending": 12}
    wait_for(lambda: all(row.attempts >= 2 for row in rows_of(worker_app)), what="retries during the outage")
    rows = rows_of(worker_app)
    assert all(row.state == "pending" and "Connection refused" in row.last_error for row in rows)
    assert all(row.next_attempt_at > row.last_attempt_at for row in rows)
    smtp.start()
    wait_for(lambda: states(worker_app) == {"sent": 11, "failed": 1}, what="delivery after the outage")
    worker.stop()
    assert_each_sent_once(worker_app, sink, 11)
    [refused] = [row for row in rows_of(worker_app) if row.state == "failed"]
    assert refused.recipient == "nobody@example.com" and refused.last_error.startswith("SMTPRecipientsRefused")
    assert "550" in refused.last_error and "No such mailbox" in refused.last_error
    assert sink.connections > 0


def test_a_long_outage_ends_in_failed_after_the_last_attempt(worker_app, smtp, sink, start_worker):
    smtp.stop()
    start_worker(MAIL_MAX_ATTEMPTS=3)
    queue_mail(worker_app, 3)
    wait_for(lambda: states(worker_app) == {"failed": 3}, what="giving up")
    rows = rows_of(worker_app)
    assert {(row.attempts, row.last_error.split(":")[0]) for row in rows} == {(3, "ConnectionRefusedError")}


def test_crash_drill(worker_app, smtp, sink, start_worker):
    """SIGKILL in the middle of a batch. After a restart every message arrives; the only
    duplicates are the at-least-once window: messages the server had accepted while the dead
    worker had not yet recorded them (at most one per worker thread)."""
    sink.delay, sink.hold_at = 0.05, 10  # the 10th message is kept, its "250" held back
    worker = start_worker(workers=2)
    queue_mail(worker_app, 40)
    wait_for(lambda: len(sink.received) >= 10, what="the first messages")
    worker.kill()
    sink.holding = False
    time.sleep(1)  # the server finishes what it was receiving
    rows = rows_of(worker_app)
    recorded = {row.message_id for row in rows if row.state == "sent"}
    in_flight = set(sink.received) - recorded  # received, not recorded: the window
    assert 1 <= len(in_flight) <= 2 and len(recorded) < 40  # at most one per worker thread
    leases = [row.claimed_until for row in rows if row.state == "pending" and row.claimed_until]
    assert leases  # the dead worker still holds rows ...
    wait_for(lambda: all(row.claimed_until is None or row.claimed_until.timestamp() < time.time()
                         for row in rows_of(worker_app)), what="the dead worker's leases to lapse")
    restarted = start_worker(workers=2)  # ... which the new one takes when they lapse
    wait_for(lambda: states(worker_app) == {"sent": 40}, what="delivery after the restart")
    restarted.stop()
    counts = Counter(sink.received)
    assert set(counts) == {row.message_id for row in rows_of(worker_app)}  # every message arrived
    assert {message_id for message_id, n in counts.items() if n > 1} == in_flight  # and only these twice
    assert max(counts.values()) <= 2


@pytest.mark.parametrize("backend", ["sqlite-queue", "redis-queue"])
def test_two_workers_deliver_each_message_exactly_once(worker_app, worker_settings, sink, start_worker, backend):
    if backend == "redis-queue":
        name = f"test-{uuid.uuid4().hex[:8]}"
        url = "redis://127.0.0.1:6379/0"
        try:
            redis.Redis.from_url(url).ping()
        except redis.ConnectionError:
            pytest.skip("no Redis at 127.0.0.1:6379")
        worker_settings.update(WORKER_QUEUE_URL=url, WORKER_QUEUE_NAME=name)
        worker_app.config.update(WORKER_QUEUE_URL=url, WORKER_QUEUE_NAME=name)
    sink.delay = 0.02
    queue_mail(worker_app, 60)
    # One with threads, one with processes; both sweep at start, so every row is offered twice more.
    workers = [start_worker(workers=2), start_worker(workers=2, worker_type="process")]
    threaded_pid = workers[0].process.pid
    try:
        wait_for(lambda: states(worker_app) == {"sent": 60}, what="delivery by two workers")
    finally:
        for worker in workers:
            worker.stop()
        queue_for(worker_app).huey.flush()
    assert_each_sent_once(worker_app, sink, 60)
    rows = rows_of(worker_app)
    assert {row.attempts for row in rows} == {1}
    pids = {int(row.claimed_by.split(":")[1]) for row in rows}
    assert threaded_pid in pids and pids - {threaded_pid}  # both workers sent some


def test_mail_committed_but_never_enqueued_is_found_by_the_sweep(worker_app, sink, start_worker, monkeypatch):
    """The web process died (or the queue was down) between its commit and the enqueue."""
    def lost(ids):
        raise ConnectionError("the process died here")

    monkeypatch.setattr("portal.services.notifications.enqueue_delivery", lost)
    queue_mail(worker_app, 3)
    assert queue_for(worker_app).huey.pending_count() == 0
    start_worker()
    wait_for(lambda: states(worker_app) == {"sent": 3}, what="the sweep at the worker's start")
    assert_each_sent_once(worker_app, sink, 3)


def test_a_request_only_enqueues_and_the_worker_sends(worker_app, sink, start_worker):
    """No ``smtp`` marker: this test process fails on any SMTP connection. The request commits
    its e-mail and enqueues the row's id; the server hears nothing until the worker runs."""
    with worker_app.app_context():
        user = User(email="leyla@example.com", password_hash=hash_password("Quiet meadow lantern 1972"),
                    role="applicant", locale="ru")
        db.session.add(user)
        db.session.commit()
    response = Forms(worker_app.test_client()).post("/auth/reset", {"email": "leyla@example.com"})
    assert response.status_code == 302
    [row] = rows_of(worker_app)
    assert row.state == "pending" and row.attempts == 0
    assert [task.args for task in queue_for(worker_app).huey.pending()] == [([row.id],)]
    time.sleep(0.5)
    assert sink.connections == 0 and sink.received == []
    start_worker()
    wait_for(lambda: sink.received, what="the worker's delivery")
    assert sink.received == [row.message_id]
    assert sink.messages[0]["To"] == "leyla@example.com"
