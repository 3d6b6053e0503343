"""How fast does one worker process empty the outbox? 1,000 e-mails are queued as the portal
queues them (rendered, committed, handed to the queue after each commit), and the time from the
first one queued until a local SMTP server holds all of them is measured, with one worker process
(``flask --app wsgi worker``, WORKER_CONCURRENCY threads) sending over SMTP. Target: at most 10 s.

    .venv/bin/python -m bench.mail [--messages 1000] [--per-commit 50] [--workers 4] [--queue-url URL]

The portal runs with PORTAL_ENV=production on a temporary SQLite database migrated with
``flask db upgrade``; its queue is a SQLite file beside it (or ``--queue-url redis://...``, under
a queue name of its own). The SMTP server is aiosmtpd on 127.0.0.1, counting Message-IDs, so a
message sent twice would show. Everything lives in a temporary directory that is removed at the
end; nothing is sent beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_SECONDS = 10.0


class CountingSink:
    """aiosmtpd handler: the Message-ID of every message accepted, and when the last one came."""

    def __init__(self, expected: int):
        self.expected = expected
        self.received: list[str] = []
        self.complete = threading.Event()
        self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):
        self.received.append(BytesHeaderParser().parsebytes(envelope.original_content)["Message-ID"])
        self.last_at = time.perf_counter()
        if len(self.received) >= self.expected:
            self.complete.set()
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_env(tmp: Path, smtp_port: int, args) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "FLASK_", "MAIL_"))}
    env.update({
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "CONTENT_VERSION_FILE": str(tmp / "content-version"),
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "RATELIMIT_ENABLED": "0",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_TIMEOUT": "10",
        "WORKER_QUEUE_URL": args.queue_url or f"sqlite:///{tmp / 'queue.sqlite3'}",
        "WORKER_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}",
        "WORKER_CONCURRENCY": str(args.workers),
    })
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """The worker process, returned once its consumer has started (its log says so)."""
    with log.open("w") as out:
        process = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "Huey consumer started" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    return process


def queue_messages(count: int, per_commit: int) -> tuple[float, float]:
    """Queue ``count`` e-mails through the portal's own service; returns when it began and ended."""
    from portal import create_app
    from portal.extensions import db
    from portal.services import notifications

    app = create_app()
    with app.test_request_context():
        started = time.perf_counter()
        for n in range(count):
            notifications.queue_email(f"applicant{n}@example.com", "password_changed", {},
                                      locale=("en", "ru", "az")[n % 3])
            if (n + 1) % per_commit == 0 or n + 1 == count:
                db.session.commit()  # the commit hands these rows to the worker
        finished = time.perf_counter()
    print(f"  queued {count} e-mails in {finished - started:.2f} s (commits of {per_commit}, each handed to the queue)")
    return started, finished


def outcome_in_database() -> Counter:
    from sqlalchemy import func, select

    from portal import create_app
    from portal.extensions import db
    from portal.models import OutboundEmail

    with create_app().app_context():
        rows = db.session.execute(select(OutboundEmail.state, func.count()).group_by(OutboundEmail.state))
        return Counter(dict(rows.all()))


def run(args, tmp: Path) -> float | None:
    from aiosmtpd.controller import Controller

    sink = CountingSink(args.messages)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = portal_env(tmp, port, args)
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ.update(env)  # this process queues as the portal would, on the same database and queue
    worker = start_worker(env, tmp / "worker.log")
    try:
        started, queued = queue_messages(args.messages, args.per_commit)
        arrived = sink.complete.wait(args.timeout)
        time.sleep(0.5)  # anything sent twice would arrive now
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        controller.stop()
    counts = Counter(sink.received)
    print(f"  at the SMTP server: {len(sink.received)} messages, {len(counts)} distinct Message-IDs, "
          f"{sum(n - 1 for n in counts.values())} duplicates; in the outbox: {dict(outcome_in_database())}")
    if not arrived or len(counts) != args.messages or len(sink.received) != args.messages:
        print((tmp / "worker.log").read_text()[-3000:], file=sys.stderr)
        return None
    print(f"  the last e-mail arrived {sink.last_at - queued:.2f} s after the last commit")
    return sink.last_at - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--per-commit", type=int, default=50, help="e-mails queued per transaction")
    parser.add_argument("--workers", type=int, default=4, help="threads of the one worker process")
    parser.add_argument("--queue-url", help="e.g. redis://127.0.0.1:6379/0 (default: a SQLite file)")
    parser.add_argument("--timeout", type=float, default=120, help="give up after this many seconds")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-mail-"))
    try:
        seconds = run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if seconds is None:
        print(f"NOT all {args.messages} e-mails arrived exactly once within {args.timeout:.0f} s")
        return 1
    met = seconds <= TARGET_SECONDS
    print(f"{args.messages} e-mails, 1 worker process with {args.workers} threads, SMTP on 127.0.0.1")
    print(f"first queued -> last at the SMTP server: {seconds:.2f} s   "
          f"(target <= {TARGET_SECONDS:.0f} s: {'met' if met else 'NOT met'})")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
