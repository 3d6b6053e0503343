"""Error pages: every HTTP error (and any unexpected exception) answered in the person's language
with the site's layout, JSON for JSON clients, and a plain page if the layout itself fails.
A stack trace never reaches the browser; the exception goes to the log."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from portal.extensions import db, limiter

log = logging.getLogger(__name__)


ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("File too large"),
          _l("The file you sent is larger than allowed. Please send a smaller file.")),
    429: (_l("Too many requests"),
          _l("You have made too many requests in a short time. Please wait a moment and try again.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error occurred on our side. It has been logged; please try again later.")),
}


TOO_MANY_NOW = _l("You have made too many requests in a short time.")


def retry_text(seconds: int) -> str:
    """When to try again, in whole minutes (hours from two hours on), rounded up."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return ngettext("Please try again in %(num)d minute.", "Please try again in %(num)d minutes.", minutes)
    hours = math.ceil(minutes / 60)
    return ngettext("Please try again in %(num)d hour.", "Please try again in %(num)d hours.", hours)


def _untrusted_host():
    # A Host outside TRUSTED_HOSTS (config.trusted_hosts): Flask could not build a single URL for
    # it, so no layout either; a plain answer, and nothing for the log to shout about.
    return "400 Bad Request: unknown host\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def render_error(code: int, message=None, retry_after: int | None = None):
    """The error page for ``code`` (its default message unless one is given), with the status;
    ``retry_after`` (seconds) adds when to try again, on the page and in ``Retry-After``."""
    if isinstance(request.routing_exception, SecurityError):  # e.g. a CSRF refusal came first
        return _untrusted_host()
    title, default_message = ERROR_TEXT.get(code, ERROR_TEXT[500])
    when = retry_text(retry_after) if retry_after else None
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    if when and message is None and code == 429:
        message = TOO_MANY_NOW
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=f"{title}. {when}" if when else str(title)), code, headers
    try:
        return render_template("errors/error.html", code=code, title=title,
                               message=message or default_message, when=when), code, headers
    except Exception:  # the layout itself failed (e.g. the database is down): stay plain
        log.exception("error page %s could not be rendered", code)
        return f"<!doctype html><title>{code}</title><h1>{code}</h1>", code, headers


def _retry_after(error: HTTPException) -> int | None:
    """Seconds until the limit that refused this request lets the next one through."""
    if isinstance(error, RateLimitExceeded) and limiter.current_limit is not None:
        return max(1, int(limiter.current_limit.reset_at - time.time()))  # as Flask-Limiter's header
    retry_after = getattr(error, "retry_after", None)  # werkzeug's TooManyRequests(retry_after=...)
    if isinstance(retry_after, int):
        return retry_after
    return None


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _l("Your form has expired or was sent from another page. "
                                    "Please reload the page and try again; nothing was saved."))

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        return _untrusted_host()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return render_error(429, retry_after=_retry_after(error))
        return render_error(error.code if error.code in ERROR_TEXT else 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
