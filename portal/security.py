"""Who may do what: the login manager, role decorators, safe redirects, and the throttles keyed
on the client (failed log-ins per address) or the account (Flask-Limiter's ``user_key``)."""

from __future__ import annotations

import math
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, make_response, session
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from limits.storage import Storage, storage_from_string
from sqlalchemy import select

from portal.extensions import db
from portal.models import STAFF_ROLES, Role, User


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to open this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(token: str) -> User | None:
        # The cookie holds the session token, not the id: a rotated token matches nobody.
        if not token:
            return None
        return db.session.scalar(select(User).where(User.session_token == token, User.active.is_(True)))

    app.extensions["login_throttle"] = LoginThrottle.for_app(app)

    @app.after_request
    def no_store_for_people(response):
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


def roles_required(*roles: str):
    """Route decorator: anonymous users go to the login page, other roles get 403."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def staff_required(view):
    return roles_required(*STAFF_ROLES)(view)


def applicant_required(view):
    return roles_required(Role.APPLICANT.value)(view)


def admin_required(view):
    return roles_required(Role.ADMIN.value)(view)


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no '//' or '\\' tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and all(
        ord(c) >= 32 for c in target)


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def no_store(view):
    """For pages that show an account's e-mail address to someone not logged in yet (a reset or an
    invitation link): no browser or proxy may keep a copy."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


# Kept across log-in; everything else in the session (a CSRF token read before, a half-used link)
# belongs to whoever used the browser before and is dropped.
SESSION_KEEPS = ("locale",)


def rotate_browser_session() -> None:
    """A fresh session and CSRF token at log-in and log-out (Flask-WTF makes a new token when the
    next form is shown): a token someone learned before the log-in is worthless after it."""
    kept = {key: session[key] for key in SESSION_KEEPS if key in session}
    session.clear()
    session.update(kept)
    g.pop("csrf_token", None)


def user_key() -> str:
    """Flask-Limiter key for limits per account (messages, uploads): one person, any address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def config_limit(name: str):
    """A Flask-Limiter limit read from the setting ``name`` at request time."""
    return lambda: current_app.config[name]


class LoginThrottle:
    """Failed log-ins per client address, in the rate limits' storage (Redis when REDIS_URL is
    set, so every worker shares the count). After LOGIN_ADDRESS_FAILURES failures within an hour,
    each failure makes the address wait 1 min, 2, 4 ... at most LOGIN_ADDRESS_MAX_DELAY_MINUTES
    before its next attempt. It is the address that fails that
    waits, not the accounts it tries: a stranger cannot lock anyone else out this way. Off
    (``for_app`` gives None) when RATELIMIT_ENABLED is off."""

    WINDOW_SECONDS = 3600
    PREFIX = "portal-login"

    def __init__(self, storage: Storage, free_failures: int, max_delay_seconds: int):
        self.storage = storage
        self.free_failures = free_failures
        self.max_delay_seconds = max_delay_seconds

    @classmethod
    def for_app(cls, app: Flask) -> LoginThrottle | None:
        cfg = app.config
        if not cfg.get("RATELIMIT_ENABLED", True):
            return None
        return cls(storage_from_string(cfg.get("RATELIMIT_STORAGE_URI") or "memory://"),
                   cfg["LOGIN_ADDRESS_FAILURES"], cfg["LOGIN_ADDRESS_MAX_DELAY_MINUTES"] * 60)

    def wait_seconds(self, address: str) -> int:
        """How long this address must still wait before its next attempt (0: it may try now)."""
        key = f"{self.PREFIX}:wait:{address}"
        if not self.storage.get(key):
            return 0
        return max(1, math.ceil(self.storage.get_expiry(key) - time.time()))

    def record_failure(self, address: str) -> None:
        failures = self.storage.incr(f"{self.PREFIX}:failures:{address}", self.WINDOW_SECONDS)
        beyond = failures - self.free_failures
        if beyond >= 0:
            delay = min(60 * 2 ** min(beyond, 20), self.max_delay_seconds)
            self.storage.incr(f"{self.PREFIX}:wait:{address}", delay)


def login_throttle() -> LoginThrottle | None:
    return current_app.extensions.get("login_throttle")
