"""The Admissions Portal: ``create_app`` builds the Flask application."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
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
    register_templating(app)
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
    from portal import apply, auth, office, public

    for blueprint in (public.bp, auth.bp, apply.bp, office.bp):
        app.register_blueprint(blueprint)


def register_templating(app: Flask) -> None:
    from portal import templating

    templating.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from portal import errors

    errors.init_app(app)


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
    # E-mail needs no hook here: the commit that writes outbox rows hands them to the worker
    # (services/notifications.py); a request never sends mail itself.
    @app.after_request
    def finish(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["PORTAL_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def register_cli(app: Flask) -> None:
    from portal import cli

    cli.init_app(app)
