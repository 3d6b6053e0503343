"""The public site in the browser, as a visitor reads it: every public page in English, Russian
and Azerbaijani, on a desktop and on a 360 px phone, passes axe and never scrolls sideways;
Contact Us and Letter to the Rector are filled by their labels (errors first), the acknowledgement
arrives over SMTP; an officer writes, previews and publishes a notice and answers an inquiry.
Screenshots go to test-artifacts/ (public-*.png, office-*.png)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import create_app, demo
from portal.extensions import db
from portal.models import Inquiry
from tests.browser.conftest import translator
from tests.builders.files import pdf as plain_pdf
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]

BROWSER_LOCALE = {"en": "en-GB", "ru": "ru-RU", "az": "az-AZ"}
PINNED = "admission-of-international-applicants-has-started"
PAGES = {
    "home": "/",
    "notices": "/notices/",
    "articles": "/notices/?kind=article",
    "notice": f"/notices/{PINNED}",
    "fallback": "/notices/visa-invitation-letters",  # English and Russian only
    "foreign-students": "/foreign-students",
    "contact": "/contact",
    "rector": "/rector",
    "sitemap": "/sitemap",
}


@pytest.fixture
def demo_site(database_url, tmp_path, live_server):
    """The demo data (accounts, intake, document types, notices, inquiries), committed."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        demo.seed_accounts()
        demo.seed_reference_data()
        db.session.flush()
        demo.seed_notices()
        demo.seed_inquiries()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def no_sideways_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide at a {width}px viewport"


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("locale", ["en", "ru", "az"])
def test_every_public_page_reads_well_in_every_language(make_page, demo_site, locale, width):
    _ = translator(locale)
    audited = make_page(width=width, height=900 if width > 400 else 740, locale=BROWSER_LOCALE[locale])
    page = audited.page
    for name, path in PAGES.items():
        audited.goto(path)
        assert page.locator("html").get_attribute("lang") == locale
        assert page.locator("h1").count() == 1, f"{path} should have exactly one <h1>"
        no_sideways_scroll(page, width)
        audited.screenshot(f"public-{name}-{locale}-{width}")
    audited.goto("/")
    pinned = page.locator(".pinned").first
    assert pinned.get_by_role("link", name=_("More information")).count() == 1
    assert page.get_by_role("link", name=_("Apply now")).count() >= 1
    audited.goto(PAGES["fallback"])
    if locale == "az":  # not written in Azerbaijani: shown in English, and the page says so
        assert page.locator(".fallback-note").is_visible()
        assert page.locator("div[lang='en'] h1").count() == 1
    else:
        assert page.locator(".fallback-note").count() == 0


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_contact_us_errors_then_success_and_acknowledgement(make_page, demo_site, smtp_server, locale):
    _ = translator(locale)
    sink = smtp_server[2]
    audited = make_page(width=360, height=740, locale=BROWSER_LOCALE[locale])
    page = audited.page
    audited.goto("/")
    page.get_by_role("navigation", name=_("Footer")).get_by_role("link", name=_("Contact Us")).click()
    audited.audit()
    honeypot = page.locator("#homepage")
    assert honeypot.get_attribute("tabindex") == "-1" and honeypot.bounding_box()["x"] < 0

    page.get_by_label(_("Your name"), exact=True).fill("Leyla Mammadova")
    page.get_by_label(_("E-mail address"), exact=True).fill("leyla@example")
    page.get_by_label(_("Message"), exact=True).fill("Short")
    page.get_by_role("button", name=_("Send message")).click()
    audited.audit()
    for label in (_("E-mail address"), _("Country"), _("Subject"), _("Message")):
        field = page.get_by_label(label, exact=True)
        assert field.get_attribute("aria-invalid") == "true", label
        error_id = field.get_attribute("aria-describedby").split()[-1]
        assert page.locator(f"#{error_id}").is_visible()
    assert page.get_by_label(_("Your name"), exact=True).get_attribute("aria-invalid") is None
    audited.screenshot(f"public-contact-errors-{locale}-360")

    page.get_by_label(_("E-mail address"), exact=True).fill("leyla@example.com")
    page.get_by_label(_("Country"), exact=True).select_option("TR")
    page.get_by_label(_("Subject"), exact=True).fill("Interview dates")
    page.get_by_label(_("Message"), exact=True).fill("When are the online interviews held this year?")
    page.get_by_role("button", name=_("Send message")).click()
    audited.audit()
    with demo_site.app_context():
        inquiry = db.session.scalars(select(Inquiry).where(Inquiry.email == "leyla@example.com")).one()
        reference = inquiry.reference
    assert reference in page.locator(".flashes").inner_text()
    assert len(sink.messages) == 1 and reference in sink.messages[0]["Subject"]
    audited.screenshot(f"public-contact-sent-{locale}-360")


def test_letter_to_the_rector_with_a_pdf(make_page, demo_site, smtp_server, tmp_path):
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(plain_pdf())
    not_pdf = tmp_path / "photo.pdf"
    not_pdf.write_bytes(b"\x89PNG\r\n\x1a\n not a pdf at all")
    audited = make_page()
    page = audited.page
    audited.goto("/rector")
    fields = {"Your name": "Rahim Karimov", "E-mail address": "rahim@example.com", "Subject": "Dormitory",
              "Your letter": "Is there a dormitory for Foundation Course students?"}
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Country", exact=True).select_option("UZ")
    page.get_by_label("Attachment (optional)", exact=True).set_input_files(str(not_pdf))
    page.get_by_role("button", name="Send letter").click()
    audited.audit()
    assert "The attachment must be a PDF file." in page.locator("#attachment-error").inner_text()
    assert page.get_by_label("Subject", exact=True).input_value() == "Dormitory"  # the rest is kept
    page.get_by_label("Attachment (optional)", exact=True).set_input_files(str(letter))
    page.get_by_role("button", name="Send letter").click()
    audited.audit()
    assert "Thank you. Your message has been sent." in page.locator(".flashes").inner_text()
    with demo_site.app_context():
        stored = db.session.scalars(select(Inquiry).where(Inquiry.email == "rahim@example.com")).one()
        assert stored.kind == "rector" and stored.attachment_name == "letter.pdf"


def log_in(audited, email: str, password: str, next_path: str) -> None:
    page = audited.page
    audited.goto(f"/auth/login?next={next_path}")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    audited.audit()


@pytest.mark.parametrize("width", [1280, 360])
def test_officer_publishes_a_notice_and_answers_an_inquiry(make_page, demo_site, smtp_server, width):
    sink = smtp_server[2]
    email, _role, password = demo.DEMO_ACCOUNTS[0]
    audited = make_page(width=width, height=900)
    page = audited.page
    log_in(audited, email, password, "/office/notices/")
    assert page.url.endswith("/office/notices/")
    no_sideways_scroll(page, width)  # a wide table scrolls inside its own frame
    audited.screenshot(f"office-notices-{width}")
    page.get_by_role("link", name="New notice").click()
    audited.audit()
    page.get_by_label("Kind", exact=True).select_option("article")
    english = page.get_by_role("group", name="English")
    english.get_by_label("Title", exact=True).fill("Open day for international applicants")
    english.get_by_label("Summary", exact=True).fill("Visit the campus online.")
    english.get_by_label("Text (Markdown)", exact=True).fill(
        "Join us **online**.\n\n<script>alert(1)</script>\n\n[Programme](javascript:alert(1))")
    page.get_by_role("button", name="Preview").click()
    audited.audit()
    preview = page.locator(".preview")
    assert preview.locator("strong").inner_text() == "online"
    assert preview.locator("script").count() == 0 and preview.locator("a[href^='javascript']").count() == 0
    audited.screenshot(f"office-notice-preview-{width}")
    page.get_by_role("button", name="Save").click()
    audited.audit()
    page.get_by_role("button", name="Publish").click()
    audited.audit()
    audited.goto("/")
    assert page.get_by_role("link", name="Open day for international applicants").count() == 1

    audited.goto("/office/notices/")
    page.get_by_role("navigation", name="Admissions office").get_by_role("link", name="Inbox").click()
    audited.audit()
    no_sideways_scroll(page, width)
    page.get_by_label("Kind", exact=True).select_option("rector")
    page.get_by_role("button", name="Filter").click()
    audited.audit()
    audited.screenshot(f"office-inbox-{width}")
    page.locator("table a").first.click()
    audited.audit()
    page.get_by_label("Your reply", exact=True).fill("Yes: every Foundation Course student gets a place.")
    page.get_by_role("button", name="Send reply").click()
    audited.audit()
    assert "Your reply has been sent" in page.locator(".flashes").inner_text()
    audited.screenshot(f"office-inquiry-{width}")
    reply = sink.messages[-1]
    assert reply["To"] == "rahim.karimov@example.com"
    assert "every Foundation Course student" in reply.get_body(("plain",)).get_content()
