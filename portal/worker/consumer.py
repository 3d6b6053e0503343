"""``flask --app wsgi worker``: Huey's consumer for this app, with the mail sweep at start.

Threads by default (sending mail is waiting on sockets); ``--worker-type process`` forks instead.
SIGTERM (honcho, systemd, docker) stops gracefully: tasks running finish, for at most
``SHUTDOWN_SECONDS``; SIGINT stops at once. Either way a message interrupted mid-send is the
at-least-once window of ``delivery.py``.
"""

from __future__ import annotations

import logging

from flask import Flask

from portal.worker.queue import queue_for

SHUTDOWN_SECONDS = 4.0  # honcho kills after 5 s
POLL_SECONDS = 0.5  # an idle worker looks at a SQLite queue at least this often (Redis wakes it)


def run(app: Flask, workers: int, worker_type: str) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    queue = queue_for(app)
    consumer = queue.huey.create_consumer(
        workers=workers, worker_type=worker_type, periodic=True, max_delay=POLL_SECONDS,
        graceful_signal="TERM", shutdown_timeout=SHUTDOWN_SECONDS)
    queue.sweep()  # whatever is due now: rows left by a stopped or crashed worker
    consumer.run()
