"""A person's whole account journey in the browser, in each language, found by labels and
button names as they read them: register, verify from the e-mail, log in, change the password,
reset a forgotten password. Every page visited passes axe."""

import re

import pytest

from tests.browser.conftest import fill_and_submit, translator

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]

LANGUAGE_BUTTON = {"en": "English", "ru": "Русский", "az": "Azərbaycanca"}
FIRST_PASSWORD = "Quiet meadow lantern 1972"
SECOND_PASSWORD = "Silver harbour compass 2031"
THIRD_PASSWORD = "Golden valley thunder 1989"


def last_link(sink) -> str:
    text = sink.messages[-1].get_body(("plain",)).get_content()
    return re.search(r"https?://\S+", text).group(0)



@pytest.mark.parametrize("locale", ["en", "ru", "az"])
def test_register_verify_login_change_and_reset(make_page, smtp_server, locale):
    _ = translator(locale)
    sink = smtp_server[2]
    email = f"student.{locale}@example.com"
    audited = make_page()
    page = audited.page

    audited.goto("/")
    page.get_by_role("button", name=LANGUAGE_BUTTON[locale]).click()
    audited.audit()
    assert page.locator("html").get_attribute("lang") == locale

    # Register: a too-short password is explained next to its field, then corrected.
    page.get_by_role("navigation", name=_("Account")).get_by_role("link", name=_("Create account")).click()
    audited.audit()
    fill_and_submit(audited, {_("E-mail address"): email, _("Password"): "short one",
                              _("Repeat password"): "short one"}, _("Create account"))
    password_field = page.get_by_label(_("Password"), exact=True)
    assert password_field.get_attribute("aria-invalid") == "true"
    error_id = password_field.get_attribute("aria-describedby").split()[-1]
    assert "12" in page.locator(f"#{error_id}").inner_text()
    assert page.get_by_label(_("E-mail address"), exact=True).input_value() == email  # kept
    fill_and_submit(audited, {_("Password"): FIRST_PASSWORD, _("Repeat password"): FIRST_PASSWORD},
                    _("Create account"))
    assert page.url.endswith("/auth/login")  # not logged in: the same answer as for a taken address
    audited.audit()
    audited.screenshot(f"registered-{locale}")

    # The verification e-mail arrives over SMTP, in the chosen language.
    assert sink.messages[-1]["Subject"].strip() == _("Confirm your e-mail address")
    audited.goto(last_link(sink))
    assert _("Thank you: your e-mail address is verified.") in page.content()

    # Log in (a wrong password first).
    page.get_by_role("navigation", name=_("Account")).get_by_role("link", name=_("Log in")).click()
    audited.audit()
    fill_and_submit(audited, {_("E-mail address"): email, _("Password"): "not my password at all"},
                    _("Log in"))
    assert _("The e-mail address or password is not correct.") in page.content()
    fill_and_submit(audited, {_("Password"): FIRST_PASSWORD}, _("Log in"))
    assert page.url.endswith("/apply/")

    # Change the password (the current one is required).
    page.get_by_role("link", name=email).click()
    audited.audit()
    page.get_by_role("link", name=_("Change password")).click()
    audited.audit()
    fill_and_submit(audited, {_("Current password"): FIRST_PASSWORD, _("New password"): SECOND_PASSWORD,
                              _("Repeat password"): SECOND_PASSWORD}, _("Change password"))
    assert _("Your password has been changed. Other devices have been logged out.") in page.content()
    assert sink.messages[-1]["Subject"].strip() == _("Your password was changed")
    page.get_by_role("button", name=_("Log out")).click()
    audited.audit()

    # Forgot the password: reset through the e-mailed link, which then works only once.
    audited.goto("/auth/login")
    page.get_by_role("link", name=_("Forgot your password?")).click()
    audited.audit()
    fill_and_submit(audited, {_("E-mail address"): email}, _("Send reset link"))
    reset_link = last_link(sink)
    audited.goto(reset_link)
    fill_and_submit(audited, {_("New password"): THIRD_PASSWORD, _("Repeat password"): THIRD_PASSWORD},
                    _("Set new password"))
    fill_and_submit(audited, {_("E-mail address"): email, _("Password"): THIRD_PASSWORD}, _("Log in"))
    assert page.url.endswith("/apply/")
    audited.goto(reset_link)
    assert _("This link has already been used. Ask for a new one if you still need it.") in page.content()
    assert len(audited.audited) >= 15


def test_keyboard_only_login_and_narrow_screen(make_page):
    """Tab order reaches the form; the layout works at 360 px without horizontal scrolling."""
    audited = make_page(width=360, height=740)
    page = audited.page
    audited.goto("/auth/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"page is {scroll_width}px wide at a 360px viewport"
    page.get_by_label("E-mail address").focus()
    page.keyboard.type("nobody@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password guess")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    audited.audit()
    assert "The e-mail address or password is not correct." in page.content()
    audited.screenshot("login-360")
