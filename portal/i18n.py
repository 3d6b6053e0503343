"""Languages: the user's setting, then the session's choice, then the browser's Accept-Language.

The configured locales are checked at start-up against the compiled catalogs, so a missing
``.mo`` file is a start-up error, not an English page that silently claims to be Russian.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "az": "Azərbaycanca"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def check_catalogs(app: Flask) -> None:
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    missing = [code for code in app.config["LANGUAGES"]
               if code != "en" and not (directory / code / "LC_MESSAGES" / "messages.mo").exists()]
    if missing:
        raise RuntimeError(f"compiled translations missing for {', '.join(missing)}: "
                           "run `make translations` (pybabel compile -d portal/translations)")


def init_app(app: Flask) -> None:
    check_catalogs(app)

    @app.context_processor
    def language_context():
        return {"current_locale": str(get_locale()), "language_names": LANGUAGE_NAMES,
                "languages": app.config["LANGUAGES"]}
