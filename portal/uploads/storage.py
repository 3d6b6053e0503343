"""Where uploaded bytes live. One small interface so an S3-compatible store can replace the
local folder without touching the services: ``save``, ``open``, ``delete``, ``exists``, ``keys``,
``modified_at`` and ``remove_partial``.

Keys are generated here (random, never derived from the user's file name) and files live under
``UPLOAD_DIR``, outside ``static/``, so nothing uploaded is ever served directly over HTTP.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK = 64 * 1024
PARTIAL_PREFIX = ".upload-"


class LocalStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or any(c not in "0123456789abcdef/" for c in key) or ".." in key:
            raise ValueError("invalid storage key")
        return self.root / key

    @staticmethod
    def new_key() -> str:
        token = secrets.token_hex(16)
        return f"{token[:2]}/{token[2:4]}/{token}"

    def save(self, stream: BinaryIO) -> str:
        """Copy the stream to a new key, atomically (a crash leaves no half-written file under a
        key; at most a ``.upload-*`` temporary file that :meth:`remove_partial` clears)."""
        key = self.new_key()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o640)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def modified_at(self, key: str) -> datetime:
        return datetime.fromtimestamp(self._path(key).stat().st_mtime, UTC)

    def keys(self) -> Iterator[str]:
        """Every stored key (for the consistency check that finds orphans)."""
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.root).as_posix()

    def remove_partial(self, older_than: timedelta) -> int:
        """Delete temporary files a crash left mid-save; returns how many."""
        if not self.root.is_dir():
            return 0
        cutoff = datetime.now(UTC).timestamp() - older_than.total_seconds()
        removed = 0
        for path in self.root.rglob(f"{PARTIAL_PREFIX}*"):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def get_storage() -> LocalStorage:
    return LocalStorage(current_app.config["UPLOAD_DIR"])
