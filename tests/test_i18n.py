"""Translations: every string in the sources is translated in every shipped locale, and the
language is chosen from the user's setting, then the session, then the browser."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from portal.config import LANGUAGES
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import text_of

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("portal/**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract"),
           ("templates/**.txt", "jinja2.ext:babel_extract")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def source_messages() -> dict[str, str]:
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def messages():
    found = source_messages()
    assert len(found) > 50, "the extractor found almost nothing: is the method map right?"
    return found


@pytest.mark.parametrize("locale", [code for code in LANGUAGES if code != "en"])
def test_every_source_string_is_translated(messages, locale):
    path = ROOT / "portal" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    problems = []
    for msgid, where in sorted(messages.items()):
        entry = catalog.get(msgid)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            (entry.string,) if entry is not None else ())
        if not strings or not all(strings):
            problems.append(f"missing: {msgid!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif any(sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(s)) for s in strings):
            problems.append(f"placeholders differ: {msgid!r}")
    assert not problems, f"{locale} catalog: run `make i18n-update`, then translate:\n" + "\n".join(problems)


def test_accept_language_picks_the_page_language(client):
    assert 'lang="az"' in client.get("/", headers={"Accept-Language": "az,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="ru"' in client.get("/", headers={"Accept-Language": "ru-RU"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_session_choice_beats_the_browser(client, forms):
    forms.post("/language", {"language": "az", "next": "/sitemap"}, page="/")
    page = client.get("/", headers={"Accept-Language": "ru"})
    assert 'lang="az"' in page.get_data(as_text=True)
    assert "Saytın xəritəsi" in text_of(page)


def test_users_setting_beats_the_session_and_is_saved(client, forms, ctx):
    from portal.extensions import db

    user = UserFactory(locale="ru")
    forms.login(user.email, PASSWORD)
    assert 'lang="ru"' in client.get("/", headers={"Accept-Language": "az"}).get_data(as_text=True)
    forms.post("/language", {"language": "az"}, page="/")
    db.session.refresh(user)
    assert user.locale == "az"


def test_unknown_language_is_ignored(client, forms):
    response = forms.post("/language", {"language": "xx", "next": "//evil.example.com"}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
