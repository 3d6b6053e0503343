"""Test fixtures.

The same suite runs on SQLite (default) and PostgreSQL (``TEST_DATABASE_URL``). The schema is
built by the Alembic migrations, never by ``create_all``. Each test runs inside an outer
transaction that is rolled back; the app's own commits become SAVEPOINT releases inside it.
CSRF stays on: tests fill forms through ``tests.helpers.Forms``.
"""

from __future__ import annotations

import contextvars
import os
import smtplib
import uuid
from pathlib import Path

import flask_migrate
import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from portal import create_app
from portal.config import database_url as normalise_url
from portal.extensions import db
from portal.worker.queue import queue_for
from tests.helpers import Forms

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_report_header(config):
    return f"database: {TEST_DATABASE_URL or 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return normalise_url(TEST_DATABASE_URL)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def settings_for(database_url: str, tmp_path: Path, **overrides) -> dict:
    settings = {
        "PORTAL_ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-the-checks",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_BACKEND": "locmem",
        "MAIL_DEFAULT_SENDER": "Admissions Office <admission@example.edu>",
        "RATELIMIT_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_FILE_PATH": str(tmp_path / "mail"),
        "PUBLIC_BASE_URL": "",
        "OFFICE_COUNTS_CACHE_SECONDS": 0,
        "WORKER_QUEUE_URL": "memory://",  # tasks stay in the process; run_worker_tasks runs them
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A brand-new empty database of the same kind as the test database, for what commits for
    real outside the per-test transaction (migrations from nothing, real worker processes)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"portal_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.live_db


def reset_schema(url: str) -> None:
    """Empty the test database so the migrations start from nothing."""
    if not url.startswith("postgresql"):
        return  # a new temporary SQLite file per run
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run_worker_tasks(app) -> None:
    """Play the worker: run the tasks the app enqueued (e-mail delivery), as the worker would run
    them right after the request. The request itself never sends mail."""
    huey = queue_for(app).huey
    while (task := huey.dequeue()) is not None:
        task.execute()


class IsolatedClient(FlaskClient):
    """Each request runs in fresh contexts, as in a real server, even when the test holds an
    application context for its factories (otherwise ``g`` and the session would be shared).
    After each request the worker's tasks run (in contexts of their own), so the mail a request
    queued is in ``outbox`` (or the SMTP sink) when the test looks (``plays_worker = False``: not)."""

    plays_worker = True

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if self.plays_worker:
            contextvars.Context().run(run_worker_tasks, self.application)
        return response


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(settings_for(database_url, tmp_path_factory.mktemp("app")))
    app.test_client_class = IsolatedClient
    reset_schema(database_url)
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Run the test inside a transaction that is rolled back afterwards."""
    if request.node.get_closest_marker("live_db"):
        yield  # browser tests commit for real; they clean up after themselves
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id)
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


# Rows the migrations seed (reference data every installation starts with) stay.
SEEDED_TABLES = frozenset({"country_rules"})


def truncate_all(app) -> None:
    """Delete every row (for tests that commit for real: live servers, concurrency)."""
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in SEEDED_TABLES:
                    conn.execute(table.delete())


@pytest.fixture
def committed(app):
    """For ``live_db`` tests: the app, with every row deleted afterwards."""
    yield app
    truncate_all(app)


@pytest.fixture
def ctx(app):
    """An application context with a test request (for services and url_for)."""
    with app.test_request_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def forms(client):
    return Forms(client)


@pytest.fixture(autouse=True)
def _empty_worker_queue(app):
    """Tasks a test enqueued but did not run never reach the next test."""
    yield
    queue_for(app).huey.flush()


@pytest.fixture
def outbox(app):
    """Messages the locmem back-end delivered during this test (``run_worker_tasks``)."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox


@pytest.fixture(autouse=True)
def _no_unexpected_smtp(request, monkeypatch):
    """Fail any test that opens an SMTP connection it did not ask for (marker ``smtp``)."""
    if request.node.get_closest_marker("smtp"):
        yield
        return
    attempts: list[str] = []

    def refuse(self, host="localhost", port=0, source_address=None):
        attempts.append(f"{host}:{port}")
        raise pytest.fail.Exception(f"unexpected SMTP connection to {host}:{port}")

    monkeypatch.setattr(smtplib.SMTP, "connect", refuse)
    yield
    assert not attempts, f"test opened SMTP connections: {attempts}"


class SMTPSink:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; yields (host, port, sink)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SMTPSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_app(database_url, tmp_path, smtp_server):
    """The portal configured to deliver through the real SMTP server above."""
    host, port, _sink = smtp_server
    app = create_app(settings_for(database_url, tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER=host,
                                   MAIL_PORT=port, MAIL_TIMEOUT=5))
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def count_queries(app):
    """Counts SQL statements: ``with count_queries() as statements: ...`` collects every statement
    run inside the block (pages that list things assert the number stays flat as rows grow)."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
