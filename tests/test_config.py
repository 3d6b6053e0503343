"""Configuration: development defaults, and production's refusal to run with a weak secret."""

import secrets

import pytest

from portal import config, create_app


def test_production_refuses_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("key", ["", "short", "changeme", "x" * 31, "ab" * 40])
def test_production_refuses_weak_secret_keys(key):
    settings = config.from_environment({"PORTAL_ENV": "production", "SECRET_KEY": key})
    with pytest.raises(config.ConfigError):
        config.finalise(settings)


def test_production_with_a_real_key_starts_with_secure_cookies(tmp_path):
    env = {"PORTAL_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
           "MAIL_SERVER": "smtp.example.org", "PUBLIC_BASE_URL": "https://admissions.example.edu/"}
    settings = config.finalise(config.from_environment(env))
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["PUBLIC_BASE_URL"] == "https://admissions.example.edu"
    assert settings["TRUSTED_HOSTS"] == ["admissions.example.edu"]
    assert settings["MAIL_BACKEND"] == "smtp"
    warnings = config.production_warnings(settings)
    assert "REDIS_URL is not set: rate limits live in one process's memory" in warnings


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = config.development_secret(tmp_path)
    assert len(first) >= 32 and config.development_secret(tmp_path) == first
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o777 == 0o600


def test_development_defaults():
    settings = config.from_environment({})
    assert settings["PORTAL_ENV"] == "development"
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and "instance" in settings[
        "SQLALCHEMY_DATABASE_URI"]
    assert settings["MAIL_BACKEND"] == "console"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize("raw, expected", [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
])
def test_database_url_uses_psycopg3(raw, expected):
    assert config.database_url(raw) == expected


def test_redis_url_moves_rate_limits_to_redis():
    settings = config.from_environment({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("env", [{"PORTAL_ENV": "staging"}, {"MAIL_PORT": "twenty-five"}])
def test_bad_values_are_refused_clearly(env):
    with pytest.raises(config.ConfigError):
        config.from_environment(env)


def test_max_upload_sets_the_request_limit():
    settings = config.from_environment({"MAX_UPLOAD_MB": "4"})
    assert settings["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
