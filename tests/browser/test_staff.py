"""Staff accounts in the browser: an admin invites an officer (one wrong answer first), the
invitation arrives at a real SMTP server, the officer chooses a password through the link (a weak
one first) and lands in the office; the admin deactivates them and their open session ends at
the next click; reactivated, they log in again; the audit log shows it all. Every page passes
axe; the users list and the audit log are photographed at 1280 and 360 px."""

from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.extensions import db
from portal.services import accounts
from tests.browser.conftest import fill_and_submit, log_in
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]
PASSWORD = "Quiet meadow lantern 1972"
OFFICER_PASSWORD = "Copper lighthouse meadow 2030"
ADMIN = "registrar@example.com"
OFFICER = "new.officer@example.com"


@pytest.fixture
def data_app(database_url, tmp_path, live_server):
    """Committed data for the live server: one admin."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        accounts.create_user(ADMIN, PASSWORD, role="admin", verified=True)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()




def office_nav(audited, name: str):
    audited.page.get_by_role("navigation", name="Admissions office").get_by_role("link", name=name).click()
    audited.audit()


def last_link(sink) -> str:
    text = sink.messages[-1].get_body(("plain",)).get_content()
    return re.search(r"https?://\S+", text).group(0)


def test_invite_accept_deactivate_reactivate(make_page, data_app, smtp_server):
    sink = smtp_server[2]
    admin = make_page()
    page = admin.page
    log_in(admin, ADMIN, PASSWORD)
    assert page.url.endswith("/office/")

    # The admin invites an officer: a malformed address is explained next to its field first.
    office_nav(admin, "Users")
    assert page.get_by_role("heading", name="Staff accounts").is_visible()
    page.get_by_role("link", name="Invite a staff member").click()
    admin.audit()
    page.get_by_label("Role", exact=True).select_option("officer")
    page.get_by_label("Language of e-mails and pages", exact=True).select_option("en")
    fill_and_submit(admin, {"E-mail address": "new.officer@"}, "Send invitation")
    email_field = page.get_by_label("E-mail address", exact=True)
    assert email_field.get_attribute("aria-invalid") == "true"
    assert "valid e-mail address" in page.locator("#" + email_field.get_attribute("aria-describedby")).inner_text()
    fill_and_submit(admin, {"E-mail address": OFFICER}, "Send invitation")
    assert "an invitation has been sent" in page.content()
    assert page.get_by_text("invitation not accepted yet").first.is_visible()
    officer_detail = page.url

    # The invitation arrives over SMTP; the officer chooses a password (a weak one first).
    message = sink.messages[-1]
    assert message["To"] == OFFICER and message["Subject"].strip() == "Your invitation to the admissions office"
    officer = make_page()
    officer_page = officer.page
    officer.goto(last_link(sink))
    assert officer_page.url.endswith("/auth/invite/accept")  # the token left the address bar
    assert officer_page.get_by_role("heading", name="Choose your password").is_visible()
    fill_and_submit(officer, {"Password": "password1234", "Repeat password": "password1234"}, "Set my password")
    assert officer_page.get_by_label("Password", exact=True).get_attribute("aria-invalid") == "true"
    assert "too common" in officer_page.content()
    fill_and_submit(officer, {"Password": OFFICER_PASSWORD, "Repeat password": OFFICER_PASSWORD},
                    "Set my password")
    assert "Your password is set" in officer_page.content()
    fill_and_submit(officer, {"E-mail address": OFFICER, "Password": OFFICER_PASSWORD}, "Log in")
    assert officer_page.url.endswith("/office/")
    nav = officer_page.get_by_role("navigation", name="Admissions office")
    assert nav.get_by_role("link", name="Users").count() == 0  # not for officers

    # The admin deactivates the officer: the officer's next click lands on the login page.
    admin.goto(officer_detail)
    assert page.get_by_text("invitation not accepted yet").count() == 0
    admin.screenshot("staff-user-detail-1280")
    page.get_by_role("button", name="Deactivate account").click()
    admin.audit()
    assert "is deactivated" in page.content()
    officer.goto("/office/")
    assert "/auth/login" in officer_page.url
    fill_and_submit(officer, {"E-mail address": OFFICER, "Password": OFFICER_PASSWORD}, "Log in")
    assert "This account is disabled" in officer_page.content()

    # Reactivated, the officer logs in again.
    page.get_by_role("button", name="Reactivate account").click()
    admin.audit()
    assert "is active again" in page.content()
    fill_and_submit(officer, {"Password": OFFICER_PASSWORD}, "Log in")
    assert officer_page.url.endswith("/office/")

    # The users list and the audit log, filtered by the officer's address.
    office_nav(admin, "Users")
    admin.screenshot("staff-users-1280")
    office_nav(admin, "Audit log")
    table = page.get_by_role("table")
    for action in ("user.invite", "user.invite_accept", "user.deactivate", "user.reactivate", "auth.login"):
        assert table.get_by_text(action, exact=True).count() >= 1, action
    admin.screenshot("staff-audit-1280")
    fill_and_submit(admin, {"Actor's e-mail": OFFICER}, "Filter")
    assert re.search(r"actor=new\.officer(@|%40)example\.com", page.url)
    actions = [a.strip() for a in table.locator("code").all_inner_texts()]
    assert actions and set(actions) <= {"user.invite_accept", "auth.login"}, actions
    assert len(admin.audited) >= 12 and len(officer.audited) >= 7


def test_users_and_audit_at_360_px(make_page, data_app):
    audited = make_page(width=360, height=740)
    page = audited.page
    log_in(audited, ADMIN, PASSWORD)
    for path, name in (("/office/users", "staff-users-360"), ("/office/audit", "staff-audit-360"),
                       ("/office/users/new", "staff-invite-360")):
        audited.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 360, f"{path} is {scroll_width}px wide at a 360px viewport"
        audited.screenshot(name)
