"""The Admissions Portal: ``create_app`` builds the Flask application."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Request, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property

from portal import config as portal_config
from portal.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def _without_nul(values: MultiDict) -> MultiDict:
    if not any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
        return values
    return ImmutableMultiDict([(key.replace("\x00", ""), value.replace("\x00", ""))
                               for key, value in values.items(multi=True)])


class PortalRequest(Request):
    """NUL characters never mean anything in a form or a query string, and PostgreSQL refuses them
    in text: they are dropped when the request is parsed, before any view sees the values."""

    @cached_property
    def args(self) -> MultiDict:
        return _without_nul(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(portal_config.INSTANCE_DIR))
    app.request_class = PortalRequest
    register_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    settings = portal_config.from_environment()
    settings.update(overrides or {})
    app.config.update(portal_config.finalise(settings))
    app.config["TESTING"] = app.config["PORTAL_ENV"] == "testing" or bool(app.config.get("TESTING"))
    if app.config["PORTAL_ENV"] == "production":
        for warning in portal_config.production_warnings(app.config):
            log.warning("configuration: %s", warning)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def register_extensions(app: Flask) -> None:
    from portal import i18n, security

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    security.init_login(app, login_manager)
    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from portal.apply.routes import bp as apply_bp
    from portal.auth.routes import bp as auth_bp
    from portal.office.routes import bp as office_bp
    from portal.public.routes import bp as public_bp

    for bp in (public_bp, auth_bp, apply_bp, office_bp):
        app.register_blueprint(bp)


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


def register_errorhandlers(app: Flask) -> None:
    def render_error(code: int, message=None):
        title, default_message = ERROR_TEXT.get(code, ERROR_TEXT[500])
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=str(title)), code
        try:
            return render_template("errors/error.html", code=code, title=title,
                                   message=message or default_message), code
        except Exception:  # the layout itself failed (e.g. the database is down): stay plain
            log.exception("error page %s could not be rendered", code)
            return f"<!doctype html><title>{code}</title><h1>{code}</h1>", code

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


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                                "base-uri 'self'; form-action 'self'"),
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def register_request_hooks(app: Flask) -> None:
    from portal.services.notifications import deliver_after_request

    @app.after_request
    def finish(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["PORTAL_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if g.get("outbox_queued"):
            deliver_after_request()
        return response


def register_cli(app: Flask) -> None:
    from portal import cli

    cli.init_app(app)
