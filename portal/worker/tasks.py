"""The worker's tasks, registered on one app's Huey; each runs in that app's context.

``deliver(ids)`` is enqueued after the commit that wrote the rows (``queue.enqueue_delivery``);
a temporary failure schedules it again for the row's next attempt. ``sweep()`` runs every minute
and when the worker starts: it enqueues every due row that nobody holds, so a lost task (a crash
between the commit and the enqueue, a worker killed mid-batch, an emptied queue) delays mail but
never loses it. A row enqueued twice is harmless: only one claim can take it.

Work on demand (``on_demand``): a service declares a named task the same way, e.g.
"documents.read_passport" (services/document_checks.py), and enqueues it after its commit with
``queue.enqueue(name, *args)``; it runs in the app's context and commits at the end.

Scheduled jobs (``every_hour``): a service declares one, as services/reminders.py does for the
reminders ("reminders.drafts", "reminders.changes", "reminders.interviews"), and every app's Huey
runs it as a periodic task in the app's context, committing once at the end. The declaration lives
in the service because the worker sits below the services and never imports them (the outbox
imports the worker). A run that loses SQLite's write lock (or a PostgreSQL deadlock) to another
worker running the same job is rolled back and run again; the jobs claim what they send, so the
second run sends nothing twice.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask
from huey import Huey, crontab
from huey.api import TaskWrapper
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.worker import delivery

log = logging.getLogger(__name__)
T = TypeVar("T")
SWEEP_LIMIT = 2000  # rows per sweep; the next sweep takes the rest
RUN_ATTEMPTS = 5  # a scheduled run that lost a write lock to another worker is tried again


@dataclass(frozen=True)
class Job:
    name: str  # the Huey task's name, e.g. "reminders.drafts"
    minute: str  # crontab minute of each hour
    run: Callable[[], int]  # does its work in db.session and returns how many e-mails it queued


JOBS: dict[str, Job] = {}  # declared by the services when they are imported (create_app imports them all)
ON_DEMAND: dict[str, Callable[..., object]] = {}  # likewise: tasks a service enqueues by name


def on_demand(name: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Declare a task a service enqueues after its commit: ``on_demand("documents.read_passport")(read)``."""
    def declare(run: Callable[..., object]) -> Callable[..., object]:
        ON_DEMAND[name] = run
        return run
    return declare


def every_hour(name: str, minute: int) -> Callable[[Callable[[], int]], Callable[[], int]]:
    """Declare a scheduled job: ``every_hour("reminders.drafts", minute=5)(queue_draft_reminders)``."""
    def declare(run: Callable[[], int]) -> Callable[[], int]:
        JOBS[name] = Job(name, str(minute), run)
        return run
    return declare


@dataclass(frozen=True)
class Queue:
    huey: Huey
    deliver: TaskWrapper  # deliver(ids): send these outbox rows
    sweep: TaskWrapper  # sweep(): enqueue every due row
    scheduled: dict[str, TaskWrapper]  # the declared jobs by name, each a periodic task
    tasks: dict[str, TaskWrapper]  # the declared on-demand tasks by name

    def enqueue(self, name: str, *args) -> None:
        self.tasks[name](*args)

    def enqueue_delivery(self, ids: Sequence[int]) -> None:
        """In batches, which the worker's threads share out."""
        for batch in delivery.batches(ids):
            self.deliver(batch)


def register(huey: Huey, app: Flask) -> Queue:
    def deliver(ids: list[int]) -> None:
        with app.app_context():
            report = delivery.deliver(ids)
        for retry_ids, retry_at in report.retries:
            queue.deliver.schedule((retry_ids,), eta=retry_at)

    def sweep() -> None:
        with app.app_context():
            ids = delivery.due_ids(SWEEP_LIMIT)
        queue.enqueue_delivery(ids)

    queue = Queue(huey, huey.task(name="mail.deliver")(deliver),
                  huey.periodic_task(crontab(), name="mail.sweep")(sweep),
                  {job.name: _schedule(huey, app, job) for job in JOBS.values()},
                  {name: _task(huey, app, name, run) for name, run in ON_DEMAND.items()})
    return queue


def _task(huey: Huey, app: Flask, name: str, run: Callable[..., object]) -> TaskWrapper:
    def task(*args) -> None:
        with app.app_context():
            commit_with_retry(lambda: run(*args))

    return huey.task(name=name)(task)


def _schedule(huey: Huey, app: Flask, job: Job) -> TaskWrapper:
    def run() -> None:
        with app.app_context():
            queued = commit_with_retry(job.run)
        log.info("%s: %s e-mails queued", job.name, queued)

    return huey.periodic_task(crontab(minute=job.minute), name=job.name)(run)


def commit_with_retry(job: Callable[[], T], attempts: int = RUN_ATTEMPTS) -> T:
    """Run ``job`` and commit; a write lock lost to a concurrent run (SQLite refuses at once
    when two readers both try to write; PostgreSQL may report a deadlock) rolls back and runs it
    again from the start, after a short random pause. Also used by requests that race for one row
    (services/interviews.py: the last place of a slot)."""
    for attempt in range(1, attempts + 1):
        try:
            result = job()
            db.session.commit()
            return result
        except OperationalError:
            db.session.rollback()
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 (jitter, not security)
    raise AssertionError("unreachable")
