"""Settings: the only module that reads the environment.

Every setting has a safe development default so ``make run`` works on a fresh laptop.
Production refuses to start without a real ``SECRET_KEY`` (see :func:`check_production`).
Tests pass their overrides straight to ``create_app(config)``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

LANGUAGES = ("en", "ru", "az")
ENVIRONMENTS = ("development", "testing", "production")
MIN_SECRET_KEY_LENGTH = 32
# Example fees for development and the demo; production warns until the real ones are configured.
DEFAULT_INTERVIEW_FEE = "100 AZN"
DEFAULT_TUITION_FEE = "4,000 USD per academic year"
DEFAULT_SIGNATORY = "Head of the Admissions Office"  # production warns until a real name is set


class ConfigError(RuntimeError):
    """The configuration cannot run the portal (raised at start-up, never at request time)."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def development_secret(instance_dir: Path = INSTANCE_DIR) -> str:
    """A random secret generated once per checkout and kept in ``instance/`` (never committed)."""
    path = instance_dir / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_url(raw: str | None) -> str:
    """Normalise the database URL (plain ``postgresql://`` means psycopg 3 here)."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


WORKER_QUEUE_SCHEMES = ("sqlite", "redis", "rediss", "memory")


def worker_queue_url(raw: str | None) -> str:
    """Where the worker's queue lives: ``sqlite:///path``, ``redis://...`` or ``memory://``."""
    url = raw or f"sqlite:///{INSTANCE_DIR / 'worker-queue.sqlite3'}"
    if url.partition("://")[0] not in WORKER_QUEUE_SCHEMES:
        raise ConfigError(f"WORKER_QUEUE_URL must start with one of {', '.join(WORKER_QUEUE_SCHEMES)}, got {url!r}")
    return url


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the settings dictionary from environment variables (every setting is listed in the README)."""
    env = os.environ if environ is None else environ
    portal_env = env.get("PORTAL_ENV", "development")
    if portal_env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, got {portal_env!r}")
    production = portal_env == "production"
    mail_server = env.get("MAIL_SERVER", "")
    redis_url = env.get("REDIS_URL", "")
    upload_dir = env.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    max_upload_mb = _int(env, "MAX_UPLOAD_MB", 10)

    return {
        "PORTAL_ENV": portal_env,
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_DIR": upload_dir,
        "MAX_UPLOAD_MB": max_upload_mb,
        # Whole request body limit: one upload plus the form around it.
        "MAX_CONTENT_LENGTH": (max_upload_mb + 1) * 1024 * 1024,
        # Optional virus scanner for uploads (portal/uploads/scanning.py): clamd's socket (a path, or
        # host:port) or a clamscan/clamdscan program. Configured but down: uploads are refused.
        "CLAMD_SOCKET": env.get("CLAMD_SOCKET", ""),
        "CLAMSCAN_PATH": env.get("CLAMSCAN_PATH", ""),
        # Upload checks (services/document_checks.py): which document type is the passport (its MRZ
        # is read by the worker) and the photo, and the short side a scan needs to be legible.
        "PASSPORT_DOCUMENT_CODE": env.get("PASSPORT_DOCUMENT_CODE", "passport"),
        "PHOTO_DOCUMENT_CODE": env.get("PHOTO_DOCUMENT_CODE", "photo"),
        "SCAN_MIN_SHORT_SIDE": _int(env, "SCAN_MIN_SHORT_SIDE", 700),  # a data page at 200 dpi
        "PHOTO_MIN_SHORT_SIDE": _int(env, "PHOTO_MIN_SHORT_SIDE", 300),
        "MRZ_TIME_LIMIT_SECONDS": _int(env, "MRZ_TIME_LIMIT_SECONDS", 20),
        "INSTITUTION_NAME": env.get("INSTITUTION_NAME", "Azerbaijan Medical University"),
        "INSTITUTION_SHORT_NAME": env.get("INSTITUTION_SHORT_NAME", "AMU"),
        "INSTITUTION_EMAIL": env.get("INSTITUTION_EMAIL", "admission@example.edu"),
        # The address people use (https://admissions.example.edu). Every link in an e-mail is built
        # from it, never from a request's Host header; production requires it and refuses requests
        # for any other host (TRUSTED_HOSTS: the balancer's own name for /healthz, comma-separated).
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "TRUSTED_HOSTS": _hosts(env.get("TRUSTED_HOSTS")),
        # Letters (services/letters.py): who signs them and where the institution is.
        "INSTITUTION_ADDRESS": env.get("INSTITUTION_ADDRESS", "23 Bakikhanov Street, Baku AZ1022, Azerbaijan"),
        "LETTER_SIGNATORY_NAME": env.get("LETTER_SIGNATORY_NAME", DEFAULT_SIGNATORY),
        "LETTER_SIGNATORY_TITLE": env.get("LETTER_SIGNATORY_TITLE", "On behalf of the Rector"),
        # "en" or "en,az" / "en,ru": letters in English, with the institution's language beside it.
        "LETTER_LANGUAGES": env.get("LETTER_LANGUAGES", "en,az"),
        # Interviews: staff read times in this zone; applicants in their own (services/interview_times.py).
        "INSTITUTION_TIMEZONE": env.get("INSTITUTION_TIMEZONE", "Asia/Baku"),
        # An applicant may book or move a slot until this many hours before it starts.
        "INTERVIEW_BOOKING_CUTOFF_HOURS": _int(env, "INTERVIEW_BOOKING_CUTOFF_HOURS", 24),
        # Mail: console in development so a newcomer sees the verification link in the terminal.
        "MAIL_BACKEND": env.get("MAIL_BACKEND") or ("smtp" if mail_server else "console"),
        "MAIL_SERVER": mail_server or "localhost",
        "MAIL_PORT": _int(env, "MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 30),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Admissions Office <admission@example.edu>"),
        "MAIL_FILE_PATH": env.get("MAIL_FILE_PATH") or str(INSTANCE_DIR / "mail"),
        "MAIL_MAX_ATTEMPTS": _int(env, "MAIL_MAX_ATTEMPTS", 10),  # with the backoff: retries over ~2-4 hours
        # The mail worker (portal/worker/, `flask --app wsgi worker`). A temporary failure is retried
        # after MAIL_RETRY_SECONDS x 2^(attempt-1), at most MAIL_RETRY_MAX_SECONDS, with jitter; a
        # worker holds the rows it takes for MAIL_CLAIM_SECONDS (renewed while it works), so a
        # crashed worker's rows go out again after that. The queue lives in Redis when REDIS_URL is
        # set, else in a SQLite file in instance/ ("memory://": kept in the process, tests only).
        "MAIL_RETRY_SECONDS": _int(env, "MAIL_RETRY_SECONDS", 60),
        "MAIL_RETRY_MAX_SECONDS": _int(env, "MAIL_RETRY_MAX_SECONDS", 3600),
        "MAIL_CLAIM_SECONDS": _int(env, "MAIL_CLAIM_SECONDS", 300),
        "WORKER_QUEUE_URL": worker_queue_url(env.get("WORKER_QUEUE_URL") or redis_url),
        "WORKER_QUEUE_NAME": env.get("WORKER_QUEUE_NAME", "portal"),
        "WORKER_CONCURRENCY": _int(env, "WORKER_CONCURRENCY", 4),
        "WORKER_TYPE": env.get("WORKER_TYPE", "thread"),  # or "process"
        # Reminders the worker sends (services/reminders.py): a draft this many days before its
        # intake closes; a change request still unanswered this many days after it was made.
        "REMINDER_DRAFT_DAYS": _int(env, "REMINDER_DRAFT_DAYS", 7),
        "REMINDER_CHANGES_DAYS": _int(env, "REMINDER_CHANGES_DAYS", 5),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "portal" / "translations"),
        # Tokens: lifetimes in seconds, one salt per purpose (services/tokens.py).
        "EMAIL_VERIFY_MAX_AGE": _int(env, "EMAIL_VERIFY_MAX_AGE", 3 * 24 * 3600),
        "PASSWORD_RESET_MAX_AGE": _int(env, "PASSWORD_RESET_MAX_AGE", 3600),
        "INVITE_MAX_AGE": _int(env, "INVITE_MAX_AGE", 7 * 24 * 3600),  # staff invitations
        # Admission rules checked by the application wizard.
        "APPLICANT_MIN_AGE": _int(env, "APPLICANT_MIN_AGE", 16),
        "APPLICANT_MAX_AGE": _int(env, "APPLICANT_MAX_AGE", 35),
        "PASSPORT_VALID_MONTHS_AFTER_START": _int(env, "PASSPORT_VALID_MONTHS_AFTER_START", 18),
        # Failed log-ins (services/accounts.py, security.LoginThrottle). After this many wrong
        # passwords in a row an account's next attempt waits 1 s, then 2, 4 ... at most the cap: short,
        # so a stranger cannot keep the owner out (and never on a browser that logged in before).
        # A client address that failed this often within an hour waits 1 min, 2, 4 ... at most the cap.
        "LOGIN_ACCOUNT_FAILURES": _int(env, "LOGIN_ACCOUNT_FAILURES", 5),
        "LOGIN_ACCOUNT_MAX_DELAY_SECONDS": _int(env, "LOGIN_ACCOUNT_MAX_DELAY_SECONDS", 60),
        "LOGIN_ADDRESS_FAILURES": _int(env, "LOGIN_ADDRESS_FAILURES", 10),
        "LOGIN_ADDRESS_MAX_DELAY_MINUTES": _int(env, "LOGIN_ADDRESS_MAX_DELAY_MINUTES", 15),
        # Argon2id parameters (argon2-cffi defaults: RFC 9106 low-memory profile).
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": _int(env, "ARGON2_MEMORY_COST", 65536),
        "ARGON2_PARALLELISM": _int(env, "ARGON2_PARALLELISM", 4),
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_NAME": "portal_remember",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session; a long form must not expire mid-way
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # The public site: fees as the office publishes them (free text, shown as written).
        "INTERVIEW_FEE": env.get("INTERVIEW_FEE", DEFAULT_INTERVIEW_FEE),
        "TUITION_FEE": env.get("TUITION_FEE", DEFAULT_TUITION_FEE),
        # Contact Us and Letter to the Rector: submissions per client address (Flask-Limiter syntax).
        "INQUIRY_RATE_LIMIT": env.get("INQUIRY_RATE_LIMIT", "5 per hour"),
        # Applicants' messages to the office (each one is e-mailed) and uploads, per account.
        "MESSAGE_RATE_LIMIT": env.get("MESSAGE_RATE_LIMIT", "20 per hour"),
        "UPLOAD_RATE_LIMIT": env.get("UPLOAD_RATE_LIMIT", "60 per hour"),
        # Web worker processes, as gunicorn reads it: with more than one, rate limits need REDIS_URL.
        "WEB_CONCURRENCY": _int(env, "WEB_CONCURRENCY", 1),
        # /verify: letter checks per client address (guessing codes is hopeless; this keeps it so).
        "VERIFY_RATE_LIMIT": env.get("VERIFY_RATE_LIMIT", "30 per minute"),
        "NOTICES_PER_PAGE": _int(env, "NOTICES_PER_PAGE", 10),
        # The office list's counts per status are kept this long per process (0: always recount).
        "OFFICE_COUNTS_CACHE_SECONDS": _int(env, "OFFICE_COUNTS_CACHE_SECONDS", 30),
        # Public pages everyone sees alike are cached per worker for at most this long; 0 = off
        # (services/content_cache.py). The version file tells every worker on this machine that
        # content changed; with REDIS_URL a Redis counter does it for every machine.
        "PAGE_CACHE_SECONDS": _int(env, "PAGE_CACHE_SECONDS", -1),  # -1: 60 in production, else 0
        "CONTENT_VERSION_FILE": env.get("CONTENT_VERSION_FILE") or str(INSTANCE_DIR / "content-version"),
    }


def _hosts(raw: str | None) -> list[str] | None:
    """``a.example, .b.example, 10.0.0.7:8000`` -> host names (a port is ignored, as Flask does)."""
    hosts = [_host_name(part.strip()) for part in (raw or "").split(",") if part.strip()]
    return hosts or None


def _host_name(value: str) -> str:
    suffix = value.startswith(".")  # ".example.edu": every subdomain (Flask's TRUSTED_HOSTS syntax)
    try:
        name = urlsplit("//" + value.lstrip(".")).hostname
    except ValueError:
        name = None
    if not name or any(c in value for c in "/@ \t"):
        raise ConfigError(f"TRUSTED_HOSTS must list host names separated by commas, got {value!r}")
    return ("." if suffix else "") + name


# Outside production, links in e-mails go to the `make run` address (tests: the test client's host).
DEFAULT_BASE_URLS = {"development": "http://127.0.0.1:5000", "testing": "http://localhost"}


def finalise(settings: dict[str, Any]) -> dict[str, Any]:
    """Fill in the development secret and check production rules; returns the settings."""
    production = settings["PORTAL_ENV"] == "production"
    if production:
        check_production(settings)
    else:
        if not settings.get("SECRET_KEY"):
            settings["SECRET_KEY"] = development_secret()
        settings["PUBLIC_BASE_URL"] = settings.get("PUBLIC_BASE_URL") or DEFAULT_BASE_URLS[settings["PORTAL_ENV"]]
    if production or settings.get("TRUSTED_HOSTS"):
        # Flask answers 400 to a request for any other host: nothing can build a link from it.
        settings["TRUSTED_HOSTS"] = trusted_hosts(settings)
    if settings.get("PAGE_CACHE_SECONDS", -1) < 0:
        # Off unless in production: tests roll their data back (which no commit hook announces),
        # and a developer editing templates wants to see the change at once.
        settings["PAGE_CACHE_SECONDS"] = 60 if settings["PORTAL_ENV"] == "production" else 0
    return settings


def trusted_hosts(settings: Mapping[str, Any]) -> list[str]:
    """PUBLIC_BASE_URL's host, then the extra ones from TRUSTED_HOSTS (e.g. the balancer's)."""
    hosts = [urlsplit(settings["PUBLIC_BASE_URL"]).hostname or "", *(settings.get("TRUSTED_HOSTS") or [])]
    return list(dict.fromkeys(host for host in hosts if host))


def check_production(settings: Mapping[str, Any]) -> None:
    key = settings.get("SECRET_KEY") or ""
    # Length and variety: refuses "changeme", "x" * 40 and other placeholders.
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 10:
        raise ConfigError(
            f"PORTAL_ENV=production needs a random SECRET_KEY of at least {MIN_SECRET_KEY_LENGTH} "
            "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    try:
        base = urlsplit(settings.get("PUBLIC_BASE_URL") or "")
        host = base.hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        base, host = urlsplit(""), None
    if base.scheme not in ("http", "https") or not host or base.query or base.fragment:
        raise ConfigError(
            "PORTAL_ENV=production needs PUBLIC_BASE_URL, the address people open, e.g. "
            "https://admissions.example.edu: links in e-mails are built from it (never from a request's "
            "Host header, which anyone can forge) and requests for other hosts are refused")
    if (settings.get("RATELIMIT_ENABLED") and str(settings.get("RATELIMIT_STORAGE_URI", "")).startswith("memory")
            and settings.get("WEB_CONCURRENCY", 1) > 1):
        raise ConfigError(
            f"WEB_CONCURRENCY={settings['WEB_CONCURRENCY']} web workers but rate limits kept in memory: "
            "each worker would count on its own, multiplying every limit (log-in attempts included) by "
            "the number of workers. Set REDIS_URL so that they share one count")


def production_warnings(settings: Mapping[str, Any]) -> list[str]:
    """Settings that production can start without but should not run long without."""
    warnings = []
    if settings.get("MAIL_BACKEND") in {"console", "file", "locmem"}:
        warnings.append("MAIL_SERVER is not set: e-mail is not really delivered")
    if not settings.get("REDIS_URL"):
        warnings.append("REDIS_URL is not set: rate limits live in one process's memory")
    if (settings.get("INTERVIEW_FEE") == DEFAULT_INTERVIEW_FEE
            or settings.get("TUITION_FEE") == DEFAULT_TUITION_FEE):
        warnings.append("INTERVIEW_FEE / TUITION_FEE are not set: the public site shows example fees")
    if settings.get("LETTER_SIGNATORY_NAME") == DEFAULT_SIGNATORY:
        warnings.append("LETTER_SIGNATORY_NAME / INSTITUTION_ADDRESS are not set: letters carry example values")
    return warnings
