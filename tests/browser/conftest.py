"""Browser tests: Playwright driving Debian's Chromium against a live portal on loopback.

Each page a test visits is audited with axe-core (axe-playwright-python ships it, no network);
serious or critical violations fail the test. Mail goes through a real aiosmtpd server.
Chromium missing: the tests are skipped, loudly (CI installs it, so CI never skips them).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from babel.support import Translations
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import run_worker_tasks, settings_for, truncate_all

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "portal" / "translations"
SKIP_REASON = f"Chromium not found at {CHROMIUM}: BROWSER TESTS NOT RUN (apt-get install -y chromium)"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter):
    if not Path(CHROMIUM).exists():
        terminalreporter.write_sep("!", SKIP_REASON, red=True, bold=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class AuditedPage:
    """A Playwright page that runs axe on every page it lands on (call ``audit()``)."""

    def __init__(self, page, base_url: str):
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.base_url = base_url
        self.axe = Axe()
        self.audited: list[str] = []

    def goto(self, path_or_url: str):
        self.page.goto(path_or_url if "://" in path_or_url else self.base_url + path_or_url)
        self.audit()

    def audit(self):
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        where = self.page.url
        self.audited.append(where)
        assert not serious, f"axe violations on {where}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
            for v in serious)

    def screenshot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def followed_by_the_worker(app):
    """The portal, each response of which is followed by the worker's tasks (its e-mail), so a
    page's mail is in the SMTP server when the page has loaded, as with a prompt worker."""
    def wsgi(environ, start_response):
        response = app(environ, start_response)  # the request's contexts are gone: it committed
        run_worker_tasks(app)
        return response

    return wsgi


@pytest.fixture
def live_server(database_url, tmp_path, smtp_server):
    """The portal served by a real WSGI server thread, delivering mail to ``smtp_server``."""
    host, port, _sink = smtp_server
    app = create_app(settings_for(database_url, tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER=host,
                                  MAIL_PORT=port, MAIL_TIMEOUT=5))
    server = make_server("127.0.0.1", 0, followed_by_the_worker(app), threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # e-mail links are built from it, as in production
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(5)
        truncate_all(app)  # the live server committed for real
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def make_page(browser, live_server):
    contexts = []

    def make(width: int = 1280, height: int = 900, locale: str = "en-GB", javascript: bool = True) -> AuditedPage:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return AuditedPage(context.new_page(), live_server)

    yield make
    for context in contexts:
        context.close()


def translator(locale: str):
    """gettext for one locale, so tests find fields by the labels a person sees."""
    if locale == "en":
        return lambda s: s
    translations = Translations.load(str(TRANSLATIONS), [locale])
    return translations.gettext


def fill_and_submit(audited, fields: dict, button: str):
    """Fill fields found by their labels, press the button, and audit the page it leads to."""
    page = audited.page
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name=button, exact=True).click()
    audited.audit()


def log_in(audited, email: str, password: str, _=lambda text: text):
    """Log in as a person would, by the labels of the page's language (``_`` translates them)."""
    audited.goto("/auth/login")
    fill_and_submit(audited, {_("E-mail address"): email, _("Password"): password}, _("Log in"))
