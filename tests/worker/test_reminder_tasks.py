"""The reminders as the worker runs them (portal/worker/tasks.py, services/reminders.py): scheduled
every hour, each run commits what it queued, a run that loses a write lock is run again, and
several workers running the same job at the same moment send each reminder once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundEmail, ReminderSent
from portal.services import interviews
from portal.worker import tasks
from portal.worker.queue import queue_for
from tests.conftest import run_worker_tasks
from tests.services.test_interviews import make_application, make_slot
from tests.services.test_reminders import change_requested, draft

JOBS = {"reminders.drafts": "reminder_draft", "reminders.changes": "reminder_changes",
        "reminders.interviews": "interview_reminder"}


def booked_for_tomorrow():
    application = make_application(status="interview", fee=None)
    slot = make_slot(hours=72)
    interviews.book(application, slot.id, application.applicant)
    slot.starts_at = utcnow() + timedelta(hours=20)
    db.session.flush()
    return application


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_reminders_are_scheduled_every_hour(app):
    worker = queue_for(app)
    assert set(worker.scheduled) == set(JOBS)
    due = {minute: {task.name for task in worker.huey.read_periodic(datetime(2027, 3, 2, 14, minute))}
           for minute in (0, 5, 10, 30)}
    assert due == {0: {"mail.sweep", "reminders.interviews"}, 5: {"mail.sweep", "reminders.drafts"},
                   10: {"mail.sweep", "reminders.changes"}, 30: {"mail.sweep"}}


@pytest.mark.usefixtures("ctx")
def test_each_run_commits_and_the_worker_sends_each_reminder_once(app, outbox):
    applications = {"reminder_draft": draft(days=3), "reminder_changes": change_requested(days_ago=6),
                    "interview_reminder": booked_for_tomorrow()}
    db.session.commit()
    run_worker_tasks(app)
    outbox.clear()  # the booking's own e-mail
    worker = queue_for(app)
    for name in JOBS:
        worker.scheduled[name].call_local()
        worker.scheduled[name].call_local()  # the next hour: nothing new
    run_worker_tasks(app)
    sent = {message.to[0]: message for message in outbox}
    assert len(outbox) == 3 and set(sent) == {a.applicant.email for a in applications.values()}
    for template in ("reminder_draft", "reminder_changes"):
        headers = sent[applications[template].applicant.email].extra_headers
        assert headers["List-Unsubscribe"].startswith("<http") and "/unsubscribe/" in headers["List-Unsubscribe"]
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe" not in sent[applications["interview_reminder"].applicant.email].extra_headers


@pytest.mark.usefixtures("ctx")
def test_a_run_that_lost_a_write_lock_is_rolled_back_and_run_again(monkeypatch):
    monkeypatch.setattr(tasks.time, "sleep", lambda seconds: None)
    calls = []

    def job() -> int:
        calls.append(len(calls))
        if len(calls) < 3:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return 7

    assert tasks.commit_with_retry(job) == 7 and len(calls) == 3

    def always_locked() -> int:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):
        tasks.commit_with_retry(always_locked, attempts=2)


@pytest.mark.live_db
@pytest.mark.parametrize("name", sorted(JOBS))
def test_workers_running_a_job_at_the_same_moment_send_each_reminder_once(committed, name):
    app, runs = committed, 4
    with app.test_request_context():
        draft(days=3)
        change_requested(days_ago=6)
        booked_for_tomorrow()
        db.session.commit()
    task = queue_for(app).scheduled[name]
    barrier = threading.Barrier(runs)
    errors = []

    def run() -> None:
        barrier.wait()
        try:
            task.call_local()  # opens an app context (and a connection) of its own
        except Exception as error:  # reported below: a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with app.app_context():
        reminders = count(OutboundEmail, OutboundEmail.template.in_(JOBS.values()))
        assert reminders == 1 and count(OutboundEmail, OutboundEmail.template == JOBS[name]) == 1
        assert count(ReminderSent) == (0 if name == "reminders.interviews" else 1)
