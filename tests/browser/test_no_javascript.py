"""The whole applicant journey with JavaScript switched off in the browser: register and verify
from the e-mail, log in, every wizard step, every upload on the documents page (the plain
multipart post, without the progress-bar script; a refusal; a removal), the time zone, review and
submit, a message to the office, and booking an interview. The portal's scripts only enhance;
nothing may need them.

Every page passes axe. axe cannot run inside a context without JavaScript: Playwright's
``evaluate`` still works there, but Chromium runs no timer callbacks while script execution is
disabled, and axe-core schedules its rule queue with ``setTimeout``, so ``axe.run`` never settles
(and script execution cannot be switched back on from a second DevTools session: Chromium keeps
the override per session and disables scripts while any session asks it to). So each page is
audited as it was served to the script-less browser: its DOM, serialised in that browser, is
loaded at the same address in a second, scripted context (with the session's cookies, so styles
and previews load alike, and with the portal's own scripts blocked, so the DOM stays as the
script-less person saw it) and axe runs there.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, DocumentType, Intake, Message, Programme, ProgrammeLanguage
from portal.services import accounts, interview_slots, transitions
from tests.browser.conftest import AuditedPage
from tests.builders import files
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]
PASSWORD = "Quiet meadow lantern 1972"
EMAIL = "no.script@example.com"
OFFICER = "officer.noscript@example.com"
DECLARATIONS = ("I accept the terms of admission", "I consent to the processing of my personal data",
                "I confirm that the information is true and complete", "I apply on my own, without an agent")


class ScriptlessPage(AuditedPage):
    """A page in a context with JavaScript off, audited through a scripted twin (see above)."""

    def __init__(self, audited: AuditedPage, auditor: AuditedPage):
        super().__init__(audited.page, audited.base_url)
        self.auditor = auditor
        auditor.page.route("**/*.js", lambda route: route.abort())  # the DOM stays script-less

    def audit(self):
        self.page.wait_for_load_state("load")
        url, html = self.page.url, self.page.content()
        twin = self.auditor.page
        twin.context.clear_cookies()
        twin.context.add_cookies(self.page.context.cookies())

        def this_page(address: str) -> bool:
            return address == url.split("#")[0]

        def serve(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        twin.route(this_page, serve)
        try:
            twin.goto(url)
            self.auditor.audit()
        finally:
            twin.unroute(this_page, serve)
        self.audited.append(url)


@pytest.fixture
def data_app(database_url, tmp_path, live_server):
    """Committed for the live server: an open intake with an interview and no fee, a track,
    three document types (one optional), and an officer."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        db.session.add(Intake(code="NJ99", name="Foundation Course 2099", opens_at=utcnow() - timedelta(days=5),
                              closes_at=utcnow() + timedelta(days=60), interview_required=True,
                              course_starts_on=(utcnow() + timedelta(days=250)).date()))
        db.session.add(Programme(code="general-medicine", name_en="General Medicine", name_ru="Лечебное дело",
                                 name_az="Müalicə işi",
                                 languages=[ProgrammeLanguage(language=c) for c in ("en", "ru")]))
        db.session.add(DocumentType(code="passport", name_en="Passport (photo page)", position=1))
        db.session.add(DocumentType(code="photo", name_en="Photo 3x4 cm", allowed_kinds="jpeg,png", position=2))
        db.session.add(DocumentType(code="language", name_en="Language certificate", requirement="optional",
                                    position=3))
        accounts.create_user(OFFICER, PASSWORD, role="officer", verified=True)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def click(audited, role: str, name: str):
    audited.page.get_by_role(role, name=name, exact=True).click()
    audited.audit()


def fill(page, fields: dict[str, str]):
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def save_and_continue(audited, expected_path: str):
    click(audited, "button", "Save and continue")
    assert audited.page.url.endswith(expected_path), f"{audited.page.url}: the step was not saved"


def path_in_last_mail(sink) -> str:
    """The link's path: e-mailed links are on PUBLIC_BASE_URL, not on the live server's address."""
    link = re.search(r"https?://\S+", sink.messages[-1].get_body(("plain",)).get_content()).group(0)
    return urlsplit(link).path


def upload(audited, name: str, path):
    page = audited.page
    page.get_by_label(f"Choose a file: {name}", exact=True).set_input_files(str(path))
    with page.expect_navigation():  # a plain form post, answered with a redirect to the checklist
        page.get_by_role("button", name=f"Upload {name}", exact=True).click()
    audited.audit()
    assert f"{name}: {path.name} uploaded." in page.locator(".flashes").inner_text()


def invite_and_publish_a_slot(app) -> str:
    """The office's side, through the services: review, invite (no fee), one slot in three days."""
    with app.test_request_context():
        officer = accounts.find_by_email(OFFICER)
        application = db.session.scalars(select(Application)).one()
        transitions.start_review(application, officer, application.version)
        transitions.invite(application, officer, application.version)
        day = (utcnow().astimezone(ZoneInfo(app.config["INSTITUTION_TIMEZONE"])) + timedelta(days=3)).date()
        interview_slots.publish(officer, day, [time(10, 0)], interview_slots.SlotSpec(
            duration_minutes=30, meeting_url="https://meet.example.org/no-script", capacity=1, language="ru",
            interviewer=officer))
        db.session.commit()
        return application.reference


def test_the_whole_journey_without_javascript(make_page, data_app, smtp_server, tmp_path):
    sink = smtp_server[2]
    audited = ScriptlessPage(make_page(javascript=False), make_page())
    page = audited.page
    page.goto("data:text/html,<title>off</title><script>document.title='on'</script>")
    assert page.title() == "off", "the browser context should run no page scripts"

    # Register, verify through the e-mailed link, log in.
    audited.goto("/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Create account").click()
    audited.audit()
    fill(page, {"E-mail address": EMAIL, "Password": PASSWORD, "Repeat password": PASSWORD})
    click(audited, "button", "Create account")
    assert sink.messages[-1]["To"] == EMAIL
    assert sink.messages[-1]["Subject"].strip() == "Confirm your e-mail address"
    audited.goto(path_in_last_mail(sink))
    assert "Thank you: your e-mail address is verified." in page.content()
    if "/auth/login" not in page.url:
        click(audited, "button", "Log out")
        audited.goto("/auth/login")
    fill(page, {"E-mail address": EMAIL, "Password": PASSWORD})
    click(audited, "button", "Log in")
    assert page.url.endswith("/apply/")

    # Every wizard step.
    click(audited, "link", "Start my application")
    page.get_by_label("Programme", exact=True).select_option(label="General Medicine")
    page.get_by_label("Language of instruction", exact=True).select_option(label="Russian")
    save_and_continue(audited, "/apply/step/personal")
    fill(page, {"Surname (as in passport)": "Aliyeva", "Given names (as in passport)": "Leyla",
                "Date of birth": "2007-03-14", "Place of birth": "Tabriz"})
    page.get_by_label("Sex", exact=True).select_option("F")
    page.get_by_label("Citizenship", exact=True).select_option("IR")
    save_and_continue(audited, "/apply/step/passport")
    fill(page, {"Passport number": "K12345678", "Date of issue": "2024-01-10", "Date of expiry": "2036-01-09"})
    page.get_by_label("Issuing country", exact=True).select_option("IR")
    save_and_continue(audited, "/apply/step/contact")
    fill(page, {"Phone number": "+98 912 123 4567", "Home address": "12 Azadi Street", "City": "Tabriz",
                "Emergency contact name": "Mina Aliyeva", "Emergency contact phone": "+98 912 765 4321"})
    page.get_by_label("Country", exact=True).select_option("IR")
    save_and_continue(audited, "/apply/step/education")
    fill(page, {"Secondary school name": "Tabriz High School No. 3", "Year of graduation": str(utcnow().year),
                "Certificate number": "TB-2026-0042", "Biology grade": "140", "Chemistry grade": "88"})
    page.get_by_label("School country", exact=True).select_option("IR")
    page.get_by_label("Grading scale", exact=True).select_option("100")
    click(audited, "button", "Save and continue")  # an error first: shown by the server, beside its field
    assert page.get_by_label("Biology grade", exact=True).get_attribute("aria-invalid") == "true"
    page.get_by_label("Biology grade", exact=True).fill("91.5")
    save_and_continue(audited, "/apply/documents")

    # Every upload, as a plain form post; a refusal comes back as a page with the reason beside it.
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "passport.pdf").write_bytes(files.pdf())
    (folder / "photo.jpg").write_bytes(files.jpeg(300, 400))
    (folder / "certificate.pdf").write_bytes(files.pdf(pages=2))
    (folder / "fake.pdf").write_bytes(files.html_page())
    page.get_by_label("Choose a file: Language certificate", exact=True).set_input_files(str(folder / "fake.pdf"))
    click(audited, "button", "Upload Language certificate")
    assert "not a PDF, JPEG or PNG" in page.locator("#file-language-error").inner_text()
    assert page.locator("#file-language-error").is_visible()
    upload(audited, "Passport (photo page)", folder / "passport.pdf")
    upload(audited, "Photo 3x4 cm", folder / "photo.jpg")
    upload(audited, "Language certificate", folder / "certificate.pdf")
    click(audited, "link", "Remove Language certificate")  # a confirmation page, then a plain post
    click(audited, "button", "Remove this file")
    assert "certificate.pdf was removed." in page.locator(".flashes").inner_text()
    upload(audited, "Language certificate", folder / "certificate.pdf")
    assert page.locator("script[src$='/upload.js']").count() == 1  # offered, and never run:
    assert page.locator(".upload-progress progress").count() == 0
    assert page.get_by_role("img", name="Preview of photo.jpg").evaluate("img => img.naturalWidth > 0")

    # The time zone page proposes one from the citizenship when no script reads the browser's.
    audited.goto("/account/timezone")
    assert page.get_by_label("Your time zone", exact=True).input_value() == "Asia/Tehran"
    click(audited, "button", "Save time zone")
    assert "Your time zone has been saved." in page.content()

    # Review and submit.
    audited.goto("/apply/review")
    for label in DECLARATIONS:
        page.get_by_label(label, exact=True).check()
    click(audited, "button", "Submit application")
    assert "NJ99-00000" in page.content()
    assert sink.messages[-1]["Subject"].strip().startswith("Application received")

    # A message to the office.
    audited.goto("/apply/messages")
    page.get_by_label("Your message", exact=True).fill("Is the interview held online?")
    click(audited, "button", "Send message")
    assert "Your message has been sent to the admissions office." in page.content()
    assert "Is the interview held online?" in page.locator(".thread").inner_text()

    # Invited (no fee), a slot published; the applicant books it.
    reference = invite_and_publish_a_slot(data_app)
    audited.goto("/apply/")
    click(audited, "link", "My interview")
    assert "There is no interview fee for this intake." in page.content()
    page.get_by_role("radio").first.check()
    click(audited, "button", "Book this time")
    assert "Your interview is booked" in page.locator(".flashes").inner_text()
    assert "https://meet.example.org/no-script" in page.content()
    assert sink.messages[-1]["Subject"].strip() == f"Your interview is booked: {reference}"

    with data_app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.status == "interview" and application.reference == reference
        assert len(application.documents) == 3 and application.interview_bookings
        assert db.session.scalar(select(Message.body)) == "Is the interview held online?"
    assert len(audited.audited) >= 20
