"""Who may do what: the login manager, role decorators and safe redirects."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
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
