"""Fixtures for the worker: a real SMTP server that can be stopped, slowed and made to refuse, and
real worker processes (``flask --app wsgi worker``) on a database of their own.

Worker processes see only committed data, so ``worker_app`` points at a database made for the
test (a SQLite file, or a PostgreSQL database created beside the test database) and migrated with
the real migrations; the test commits for real there. Its queue is a SQLite file (or Redis).
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import flask_migrate
import pytest
from aiosmtpd.controller import Controller

from portal import create_app
from portal.extensions import db
from tests.conftest import settings_for

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Sink:
    """aiosmtpd handler: keeps the Message-ID of every message it received, in order; answers 550
    for the addresses in ``refuse``. Each message is kept as soon as it has arrived, then the
    answer (250) waits ``delay`` seconds, and for the ``hold_at``-th message until ``holding`` is
    cleared: a sender killed meanwhile has delivered a message it never heard accepted."""

    def __init__(self):
        self.delay = 0.0
        self.hold_at: int | None = None
        self.holding = True
        self.refuse: set[str] = set()
        self.received: list[str] = []
        self.messages: list[email.message.EmailMessage] = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)
        self.received.append(message["Message-ID"])
        await asyncio.sleep(self.delay)
        while self.holding and len(self.received) == self.hold_at:
            await asyncio.sleep(0.05)
        return "250 Message accepted"


class SMTPServer:
    """A real SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, sink: Sink):
        self.sink = sink
        self.host, self.port = "127.0.0.1", free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def sink():
    return Sink()


@pytest.fixture
def smtp(sink):
    """The server, started; tests may stop and start it."""
    server = SMTPServer(sink)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker_settings(empty_database, tmp_path, smtp):
    """Settings shared by the test's app and its worker processes (short retries and leases)."""
    return {
        "SQLALCHEMY_DATABASE_URI": empty_database,
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port, "MAIL_TIMEOUT": 5,
        "MAIL_MAX_ATTEMPTS": 50, "MAIL_RETRY_SECONDS": 1, "MAIL_RETRY_MAX_SECONDS": 2, "MAIL_CLAIM_SECONDS": 3,
        "WORKER_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}", "WORKER_QUEUE_NAME": "portal",
    }


@pytest.fixture
def worker_app(worker_settings, tmp_path):
    """The portal on the worker database, migrated; everything it commits is real."""
    settings = settings_for(worker_settings["SQLALCHEMY_DATABASE_URI"], tmp_path, **worker_settings)
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class WorkerProcess:
    """``flask --app wsgi worker`` in a subprocess, configured through its environment as in
    production; its log goes to a file the test prints when it fails."""

    def __init__(self, settings: dict, log: Path, workers: int = 2, worker_type: str = "thread"):
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "FLASK_"))}
        self.env.update({key: str(value) for key, value in settings.items() if key != "SQLALCHEMY_DATABASE_URI"})
        self.env.update({"PORTAL_ENV": "testing", "DATABASE_URL": settings["SQLALCHEMY_DATABASE_URI"],
                         "SECRET_KEY": "test-secret-key-that-is-long-enough-for-the-checks",
                         "MAIL_DEFAULT_SENDER": "Admissions Office <admission@example.edu>",
                         "PYTHONUNBUFFERED": "1"})
        self.log, self.workers, self.worker_type = log, workers, worker_type
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603  (our own command, fixed arguments)
                [FLASK, "--app", "wsgi", "worker", "--workers", str(self.workers), "--worker-type", self.worker_type],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)
        self.process = None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


@pytest.fixture
def start_worker(worker_settings, tmp_path):
    """``start_worker(workers=2, worker_type="thread", **settings)`` starts a worker process; every
    one is stopped at the end (their log is printed then: pytest shows it when the test failed)."""
    started: list[WorkerProcess] = []
    log = tmp_path / "worker.log"

    def start(workers: int = 2, worker_type: str = "thread", **overrides) -> WorkerProcess:
        worker = WorkerProcess({**worker_settings, **overrides}, log, workers, worker_type).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    if log.exists():
        print(log.read_text()[-20000:])
