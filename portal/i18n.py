"""Languages: the user's setting, then the session's choice, then the browser's Accept-Language.

The configured locales are checked at start-up against the compiled catalogs, so a missing
``.mo`` file is a start-up error, not an English page that silently claims to be Russian.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pycountry
from babel import Locale
from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

# The languages of the interface, each named in itself (the language switcher, a person's setting).
# The languages a track is taught in are another table: portal/models/reference.py.
INTERFACE_LANGUAGES = {"en": "English", "ru": "Русский", "az": "Azərbaycanca"}


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


@functools.lru_cache(maxsize=8)
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).territories
    pairs = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def is_country(code: str | None) -> bool:
    """An ISO 3166-1 alpha-2 code (what every country field stores)."""
    return bool(code) and pycountry.countries.get(alpha_2=code) is not None


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166-1 countries (pycountry), named in the page's language (Babel/CLDR), sorted."""
    return list(_countries(str(get_locale())))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return dict(_countries(str(get_locale()))).get(code, code)
