"""A cache for public content that every visitor sees alike (the home page above all).

Why it is shaped this way:
- each worker process keeps its own copies in memory (fast: no network, no pickling), and all
  workers agree on a shared *content version*: a file's identity (one ``stat`` call) on a single
  machine, or a Redis counter when ``REDIS_URL`` is set (several machines). A copy made under an
  older version is never served;
- the version is bumped only *after* the commit of a change (a session ``after_commit`` hook), so
  no worker can cache pre-commit data under the new version;
- every copy also carries ``valid_until``: the next moment a notice's publish window opens or
  closes, or ``PAGE_CACHE_SECONDS`` (which also bounds changes made outside the services, e.g.
  intakes edited by an admin), whichever is sooner;
- ``PAGE_CACHE_SECONDS=0`` switches the cache off; that is the default outside production (tests
  roll back their data, which no commit hook would announce).
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from portal.extensions import db

log = logging.getLogger(__name__)
EXTENSION_KEY = "portal.content_cache"
CHANGED_FLAG = "portal.content_changed"
REDIS_KEY = "portal:content-version"


class FileVersion:
    """The version is the identity of a small file; bumping replaces the file atomically."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def read(self) -> str | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "0"
        return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"

    def bump(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".content-version-")
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(8 + secrets.randbelow(8)))  # size varies too
        os.replace(tmp, self.path)


class RedisVersion:
    """A counter in Redis, shared by every machine. Unreachable Redis means: do not cache."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def read(self) -> str | None:
        try:
            value = self.client.get(REDIS_KEY)
        except Exception as exc:  # a cache must never break the page
            log.warning("content version unavailable: %s", exc)
            return None
        return value.decode() if value else "0"

    def bump(self) -> None:
        try:
            self.client.incr(REDIS_KEY)
        except Exception as exc:
            log.error("content version not bumped (pages may stay stale until they expire): %s", exc)


@dataclass
class _Entry:
    version: str
    expires: float
    value: Any


class ContentCache:
    def __init__(self, seconds: int, store):
        self.seconds = seconds
        self.store = store
        self.entries: dict[Hashable, _Entry] = {}

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def lookup(self, key: Hashable, version: str | None) -> Any:
        """The value stored under ``key`` for this version and still valid, else None."""
        entry = self.entries.get(key)
        if version is None or entry is None or entry.version != version or entry.expires <= time.time():
            return None
        return entry.value

    def store_value(self, key: Hashable, version: str | None, value: Any, valid_until: datetime | None) -> None:
        if version is None or not self.enabled:
            return
        expires = time.time() + self.seconds
        if valid_until is not None:
            expires = min(expires, valid_until.timestamp())
        self.entries[key] = _Entry(version, expires, value)

    def cached(self, key: Hashable, compute: Callable[[], tuple[Any, datetime | None]]) -> Any:
        """The value for ``key``; ``compute`` returns (value, moment it stops being valid or None)."""
        if not self.enabled:
            return compute()[0]
        version = self.store.read()  # read *before* the data, so a racing bump wins
        value = self.lookup(key, version)
        if value is None:
            value, valid_until = compute()
            self.store_value(key, version, value, valid_until)
        return value

    def bump(self) -> None:
        if self.enabled:
            self.store.bump()
        self.entries.clear()


def cache_for(app) -> ContentCache:
    """The app's cache, made on first use (the page cache middleware asks at start-up)."""
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cfg = app.config
        store = RedisVersion(cfg["REDIS_URL"]) if cfg.get("REDIS_URL") else FileVersion(
            cfg["CONTENT_VERSION_FILE"])
        cache = app.extensions[EXTENSION_KEY] = ContentCache(cfg["PAGE_CACHE_SECONDS"], store)
    return cache


def get_cache() -> ContentCache:
    return cache_for(current_app)


def cached(key: Hashable, compute: Callable[[], tuple[Any, datetime | None]]) -> Any:
    return get_cache().cached(key, compute)


def mark_changed() -> None:
    """Public content changed in this transaction: every worker drops its copies after the commit."""
    db.session.info[CHANGED_FLAG] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    if session.info.pop(CHANGED_FLAG, False) and has_app_context():
        get_cache().bump()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(CHANGED_FLAG, None)


def next_change(now: datetime, condition, *columns) -> datetime | None:
    """The earliest moment after ``now`` held by any of ``columns`` in the rows that match
    ``condition``: when a cached page must change by itself (a notice appears, an intake opens)."""
    moments = [db.session.scalar(select(func.min(column)).where(condition, column > now)) for column in columns]
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None
