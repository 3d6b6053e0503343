"""The worker's tasks, registered on one app's Huey; each runs in that app's context.

``deliver(ids)`` is enqueued after the commit that wrote the rows (``queue.enqueue_delivery``);
a temporary failure schedules it again for the row's next attempt. ``sweep()`` runs every minute
and when the worker starts: it enqueues every due row that nobody holds, so a lost task (a crash
between the commit and the enqueue, a worker killed mid-batch, an emptied queue) delays mail but
never loses it. A row enqueued twice is harmless: only one claim can take it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask
from huey import Huey, crontab
from huey.api import TaskWrapper

from portal.worker import delivery

SWEEP_LIMIT = 2000  # rows per sweep; the next sweep takes the rest


@dataclass(frozen=True)
class Queue:
    huey: Huey
    deliver: TaskWrapper  # deliver(ids): send these outbox rows
    sweep: TaskWrapper  # sweep(): enqueue every due row

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
                  huey.periodic_task(crontab(), name="mail.sweep")(sweep))
    return queue
