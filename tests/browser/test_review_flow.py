"""The office at work, end to end in the browser: an officer filters the list, opens an application,
views a document, asks for a change to one document and one step; the applicant changes exactly
those and resubmits; the officer accepts. The e-mails arrive at a real SMTP server at each step,
and every page passes axe."""

import io
import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, DocumentType, Intake, Programme, ProgrammeLanguage
from portal.services import accounts, documents, submission
from tests.browser.conftest import log_in
from tests.builders import files
from tests.builders.factories import ApplicationFactory
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]
PASSWORD = "Quiet meadow lantern 1972"
OFFICER = "officer.review@example.com"


@pytest.fixture
def submitted(database_url, tmp_path, live_server):
    """A submitted application with two documents, and an officer; committed for the live server."""
    app = create_app(settings_for(database_url, tmp_path))  # the live server's UPLOAD_DIR too
    with app.test_request_context():
        intake = Intake(code="FC98", name="Foundation Course 2098", opens_at=utcnow() - timedelta(days=5),
                        closes_at=utcnow() + timedelta(days=60),
                        course_starts_on=(utcnow() + timedelta(days=250)).date(),
                        interview_required=False)  # decided straight after the review (interviews: own test)
        programme = Programme(code="dentistry", name_en="Dentistry", name_ru="Стоматология", name_az="Stomatologiya",
                              languages=[ProgrammeLanguage(language="en")])
        passport = DocumentType(code="passport", name_en="Passport (photo page)", name_ru="Паспорт",
                                name_az="Pasport", position=0)
        photo = DocumentType(code="photo", name_en="Photo 3x4 cm", name_ru="Фото", name_az="Foto",
                             allowed_kinds="jpeg,png", position=1)
        db.session.add_all([intake, programme, passport, photo])
        applicant = accounts.create_user("review.applicant@example.com", PASSWORD, verified=True)
        accounts.create_user(OFFICER, PASSWORD, role="officer", verified=True)
        application = ApplicationFactory(applicant=applicant, intake=intake, complete=True, programme=programme,
                                         surname="OKONKWO", given_names="CHIDI")
        db.session.flush()
        documents.store_upload(application, passport, FileStorage(io.BytesIO(files.pdf()), "passport.pdf"),
                               applicant)
        documents.store_upload(application, photo, FileStorage(io.BytesIO(files.jpeg()), "photo.jpg"), applicant)
        submission.submit(application, applicant, application.version, [])
        db.session.commit()
        reference = application.reference
        db.engine.dispose()
    return reference



def click(audited, role, name, **kwargs):
    audited.page.get_by_role(role, name=name, **kwargs).click()
    audited.audit()


def test_officer_requests_a_change_applicant_fixes_it_officer_accepts(make_page, smtp_server, submitted,
                                                                      database_url, tmp_path):
    sink = smtp_server[2]
    officer = make_page()
    page = officer.page
    log_in(officer, OFFICER, PASSWORD)
    assert page.url.endswith("/office/")

    # Filter the list, open the application, view a document.
    page.get_by_label("Status", exact=True).select_option(label="Submitted: waiting for the admissions office")
    page.get_by_label("Search", exact=True).fill("OKON")
    click(officer, "button", "Show applications")
    assert "status=submitted" in page.url
    click(officer, "link", submitted)
    officer.screenshot("office-application")
    click(officer, "link", "Open Passport (photo page)")
    assert page.locator("iframe, object, embed, img").count() >= 1
    page.go_back()
    officer.audit()

    # Start the review, then ask for a new passport scan and a new contact address.
    click(officer, "button", "Start review")
    assert sink.messages[-1]["Subject"].strip() == f"Your application {submitted} is under review"
    page.get_by_text("Request changes", exact=True).first.click()
    page.get_by_label("Contact", exact=True).check()
    page.get_by_label("Passport (photo page)", exact=True).check()
    page.get_by_label("Message to the applicant", exact=True).fill("Please upload a sharper passport scan and "
                                                                    "give your new address.")
    click(officer, "button", "Request changes")
    assert "Action required" in page.content()
    mail = sink.messages[-1]
    assert mail["Subject"].strip() == f"Action required on your application {submitted}"
    assert "sharper passport scan" in mail.get_body(("plain",)).get_content()

    # The applicant changes exactly those two things and resubmits.
    applicant = make_page()
    apage = applicant.page
    log_in(applicant, "review.applicant@example.com", PASSWORD)
    assert "Please upload a sharper passport scan" in apage.content()
    apage.goto(applicant.base_url + "/apply/step/personal")
    assert apage.locator("fieldset[disabled]").count() == 1  # not reopened: locked
    applicant.goto("/apply/step/contact")
    apage.get_by_label("City", exact=True).fill("Lagos")
    click(applicant, "button", "Save and continue")
    applicant.goto("/apply/documents")
    apage.get_by_label(re.compile("Replace with a new file.*Passport")).set_input_files(
        files=[{"name": "passport-sharper.pdf", "mimeType": "application/pdf", "buffer": files.pdf(pages=2)}])
    apage.get_by_role("button", name=re.compile("Upload.*Passport")).click()
    apage.get_by_text("passport-sharper.pdf uploaded.").wait_for()  # the script reloads the checklist
    applicant.audit()
    assert "passport-sharper.pdf" in apage.content()
    applicant.goto("/apply/review")
    for label in ("I accept the terms of admission", "I consent to the processing of my personal data",
                  "I confirm that the information is true and complete", "I apply on my own, without an agent"):
        apage.get_by_label(label, exact=True).check()
    click(applicant, "button", "Submit application")
    assert sink.messages[-1]["Subject"].strip() == f"Changes received: {submitted}"

    # The officer sees the resubmission and accepts.
    officer.goto(f"/office/applications/{submitted}")
    assert "Lagos" in page.content() and "passport-sharper.pdf" in page.content()
    click(officer, "button", "Start review")
    page.get_by_text("Decide", exact=True).first.click()
    page.get_by_label("Accept", exact=True).check()
    click(officer, "button", "Record decision")
    assert [m["Subject"].strip() for m in sink.messages[-2:]] == [f"You have been accepted: {submitted}",
                                                                 f"Your letters are ready: {submitted}"]
    officer.screenshot("office-accepted")

    app = create_app(settings_for(database_url, tmp_path))
    with app.app_context():
        application = db.session.query(Application).filter_by(reference=submitted).one()
        assert application.status == "accepted" and application.city == "Lagos"
        assert application.surname == "OKONKWO"
        db.engine.dispose()
