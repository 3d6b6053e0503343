"""The worker's queue: one Huey per app, kept where WORKER_QUEUE_URL says.

SQLite (a file in ``instance/`` by default: nothing to install) or Redis (when REDIS_URL is set).
``memory://`` keeps the queue inside the process: tests run its tasks themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, PriorityRedisHuey, SqliteHuey

from portal.worker.tasks import Queue, register

_created = threading.Lock()


def make_huey(url: str, name: str) -> Huey:
    scheme, _, rest = url.partition("://")
    if scheme == "memory":
        return MemoryHuey(name, results=False)
    if scheme == "sqlite":
        path = Path(rest[1:])  # as SQLAlchemy: sqlite:///relative, sqlite:////absolute
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, results=False, filename=str(path))
    return PriorityRedisHuey(name, results=False, url=url)


def queue_for(app: Flask) -> Queue:
    """This app's queue with its tasks, made on first use."""
    with _created:
        if "worker" not in app.extensions:
            huey = make_huey(app.config["WORKER_QUEUE_URL"], app.config["WORKER_QUEUE_NAME"])
            app.extensions["worker"] = register(huey, app)
        return app.extensions["worker"]


def enqueue_delivery(ids: Sequence[int]) -> None:
    """Hand committed outbox rows to the worker (called after the commit that wrote them)."""
    queue_for(current_app._get_current_object()).enqueue_delivery(ids)


def enqueue(name: str, *args) -> None:
    """Hand a declared on-demand task (``tasks.on_demand``) to the worker, after the commit it needs."""
    queue_for(current_app._get_current_object()).enqueue(name, *args)
