"""Take the README's screenshots: a throwaway database with demo data, a live server, Chromium.

    .venv/bin/python -m scripts.screenshots      (needs requirements-dev.txt and Debian's chromium)
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import flask_migrate
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_ACCOUNTS, demo_intake

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shots.db'}",
                      "MAIL_BACKEND": "locmem", "RATELIMIT_ENABLED": False, "SECRET_KEY": "screenshots-only"})
    with app.app_context():
        flask_migrate.upgrade()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for width, suffix in ((1280, "desktop"), (360, "phone")):
            shoot(browser, base, width, suffix)
        browser.close()
    server.shutdown()
    print(f"screenshots written to {OUT}")


def shoot(browser, base: str, width: int, suffix: str) -> None:
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(base + "/")
    page.screenshot(path=str(OUT / f"home-{suffix}.png"), full_page=True)
    page.get_by_role("button", name="Русский").click()
    page.goto(base + "/auth/register")
    page.get_by_label("Адрес электронной почты").fill("student@example.com")
    page.get_by_label("Пароль", exact=True).fill("password1234")
    page.get_by_label("Повторите пароль").fill("password")
    page.get_by_role("button", name="Создать учётную запись").click()
    page.screenshot(path=str(OUT / f"register-errors-ru-{suffix}.png"), full_page=True)
    page.get_by_role("button", name="Azərbaycanca").click()
    email, _role, password = DEMO_ACCOUNTS[2]
    page.goto(base + "/auth/login")
    page.get_by_label("E-poçt ünvanı").fill(email)
    page.get_by_label("Şifrə").fill(password)
    page.get_by_role("button", name="Daxil olun").click()
    page.get_by_role("button", name="Azərbaycanca").click()  # the account's own language setting wins
    page.screenshot(path=str(OUT / f"applicant-az-{suffix}.png"), full_page=True)
    page.goto(base + "/apply/step/passport")
    page.screenshot(path=str(OUT / f"wizard-az-{suffix}.png"), full_page=True)
    page.context.close()
    office = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    email, _role, password = DEMO_ACCOUNTS[0]
    office.goto(base + "/auth/login")
    office.get_by_label("E-mail address").fill(email)
    office.get_by_label("Password").fill(password)
    office.get_by_role("button", name="Log in").click()
    office.screenshot(path=str(OUT / f"office-list-{suffix}.png"), full_page=True)
    office.goto(base + f"/office/applications/{demo_intake().code}-000001")
    office.screenshot(path=str(OUT / f"office-application-{suffix}.png"), full_page=True)
    office.context.close()


if __name__ == "__main__":
    main()
