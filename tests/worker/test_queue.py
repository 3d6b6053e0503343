"""Where the queue lives (settings), and the ``worker`` command's options."""

from __future__ import annotations

import pytest
from huey import MemoryHuey, PriorityRedisHuey, SqliteHuey

from portal import config
from portal.worker import consumer
from portal.worker.queue import make_huey


def test_the_queue_is_a_sqlite_file_in_instance_unless_redis_is_configured():
    assert config.from_environment({})["WORKER_QUEUE_URL"] == f"sqlite:///{config.INSTANCE_DIR}/worker-queue.sqlite3"
    assert config.from_environment({"REDIS_URL": "redis://127.0.0.1:6379/0"})["WORKER_QUEUE_URL"] == \
        "redis://127.0.0.1:6379/0"
    explicit = {"REDIS_URL": "redis://127.0.0.1:6379/0", "WORKER_QUEUE_URL": "sqlite:////srv/queue.sqlite3"}
    assert config.from_environment(explicit)["WORKER_QUEUE_URL"] == "sqlite:////srv/queue.sqlite3"


def test_an_unknown_queue_is_refused_at_start():
    with pytest.raises(config.ConfigError, match="WORKER_QUEUE_URL"):
        config.from_environment({"WORKER_QUEUE_URL": "amqp://127.0.0.1"})


def test_each_url_makes_its_huey(tmp_path):
    sqlite = make_huey(f"sqlite:///{tmp_path}/sub/queue.sqlite3", "portal")
    assert isinstance(sqlite, SqliteHuey) and sqlite.storage.filename == f"{tmp_path}/sub/queue.sqlite3"
    assert isinstance(make_huey("redis://127.0.0.1:6379/3", "portal"), PriorityRedisHuey)
    assert isinstance(make_huey("memory://", "portal"), MemoryHuey)
    assert not sqlite.results  # tasks return nothing worth keeping


def test_the_worker_command_runs_the_consumer(app, monkeypatch):
    runs = []
    monkeypatch.setattr(consumer, "run", lambda app, workers, worker_type: runs.append((workers, worker_type)))
    monkeypatch.setitem(app.config, "WORKER_CONCURRENCY", 3)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["worker"]).exit_code == 0
    assert runner.invoke(args=["worker", "--workers", "8", "--worker-type", "process"]).exit_code == 0
    assert runs == [(3, app.config["WORKER_TYPE"]), (8, "process")]


def test_the_worker_command_refuses_a_bad_worker_type(app):
    result = app.test_cli_runner().invoke(args=["worker", "--worker-type", "fork"])
    assert result.exit_code == 2 and "fork" in result.output
