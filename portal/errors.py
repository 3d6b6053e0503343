"""Error pages: every HTTP error (and any unexpected exception) answered in the person's language
with the site's layout, JSON for JSON clients, and a plain page if the layout itself fails.
A stack trace never reaches the browser; the exception goes to the log."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

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


def render_error(code: int, message=None):
    """The error page for ``code`` (its default message unless one is given), with the status."""
    title, default_message = ERROR_TEXT.get(code, ERROR_TEXT[500])
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=str(title)), code
    try:
        return render_template("errors/error.html", code=code, title=title,
                               message=message or default_message), code
    except Exception:  # the layout itself failed (e.g. the database is down): stay plain
        log.exception("error page %s could not be rendered", code)
        return f"<!doctype html><title>{code}</title><h1>{code}</h1>", code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _l("Your form has expired or was sent from another page. "
                                    "Please reload the page and try again; nothing was saved."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code if error.code in ERROR_TEXT else 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
