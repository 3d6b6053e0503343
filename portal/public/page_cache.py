"""The shared copy of public pages for anonymous visitors, served in front of Flask.

Why: the home page is what a crowd opens when an announcement spreads, and most of its cost is
the request machinery (session, login, locale, hooks), not the content. A visitor who sends no
session cookie, no remember cookie and no query string cannot see anything personal (no flash
message, no CSRF token, nobody logged in), so every such visitor with the same language gets the
same bytes. This WSGI middleware answers them from the worker's memory; on a miss the view
renders the page *without* a CSRF token and offers it (``offer``), and the middleware keeps the
full response (status, headers incl. the security headers, body) for the next visitor.

The copies live in services/content_cache.py: they carry the shared content version read
*before* the page was rendered, so a change committed in any worker invalidates them all, and they
expire at the next publish-window change (or ``PAGE_CACHE_SECONDS``).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import Flask, current_app, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from portal.services.content_cache import ContentCache, cache_for

SHARED_PATHS = frozenset({"/"})
OFFER = "portal.page_cache.offer"


def shareable(environ, config) -> bool:
    """May this request get, and fill, the copy shared by every anonymous visitor?"""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
        return False
    cookies = environ.get("HTTP_COOKIE", "")
    return not any(f"{config[name]}=" in cookies for name in ("SESSION_COOKIE_NAME", "REMEMBER_COOKIE_NAME"))


@lru_cache(maxsize=512)
def _best_language(header: str, languages: tuple[str, ...], default: str) -> str:
    """Mirrors portal.i18n.select_locale for a visitor with no account and no session."""
    return parse_accept_header(header, LanguageAccept).best_match(languages) or default


def offer(locale: str, valid_until: datetime | None) -> bool:
    """Called by a view: keep this response for every anonymous visitor of this language?
    Returns whether it will be shared (then the page must carry no per-session data)."""
    cache = cache_for(current_app)
    if not (cache.enabled and request.path in SHARED_PATHS and shareable(request.environ, current_app.config)):
        return False
    request.environ[OFFER] = (locale, valid_until)
    return True


class SharedPageMiddleware:
    def __init__(self, wsgi_app, app: Flask, cache: ContentCache):
        self.wsgi_app = wsgi_app
        self.cache = cache
        self.config = app.config
        self.languages = tuple(app.config["LANGUAGES"])
        self.default = app.config["BABEL_DEFAULT_LOCALE"]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path not in SHARED_PATHS or not shareable(environ, self.config):
            return self.wsgi_app(environ, start_response)
        locale = _best_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""), self.languages, self.default)
        key = ("page", path, locale)
        version = self.cache.store.read()
        hit = self.cache.lookup(key, version)
        if hit is not None:
            status, headers, body = hit
            start_response(status, list(headers))
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self._fill(environ, start_response, key, version)

    def _fill(self, environ, start_response, key, version):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        offered = environ.get(OFFER)
        if offered is None or environ["REQUEST_METHOD"] != "GET":
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = captured.get("headers", [])
        locale, valid_until = offered
        if (captured.get("status", "").startswith("200 ") and locale == key[2]
                and not any(name.lower() == "set-cookie" for name, _ in headers)):
            self.cache.store_value(key, version, (captured["status"], tuple(headers), body), valid_until)
        return [body]


def install(app: Flask) -> None:
    """Put the middleware in front of the app (only when the cache is on)."""
    cache = cache_for(app)
    if cache.enabled:
        app.wsgi_app = SharedPageMiddleware(app.wsgi_app, app, cache)
