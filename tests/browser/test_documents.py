"""Documents in the browser: an applicant uploads a PDF and a photo through the checklist (with
the progress-bar script), sees a refusal next to the item, replaces the PDF; an officer opens
both in the inline viewer and rejects one with a reason. Every page passes axe; screenshots at
desktop width and 360 px go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, AuditLog, Document, DocumentType, Intake
from portal.services import accounts
from tests.browser.conftest import log_in
from tests.builders import files
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]
PASSWORD = "Quiet meadow lantern 1972"
APPLICANT = "docs.applicant@example.com"
OFFICER = "docs.officer@example.com"


@pytest.fixture
def data_app(database_url, tmp_path, live_server):
    """Committed data for the live server: an open intake, document types, an applicant with a
    complete draft, an officer."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        intake = Intake(code="FD99", name="Foundation Course 2099", opens_at=utcnow() - timedelta(days=5),
                        closes_at=utcnow() + timedelta(days=60),
                        course_starts_on=(utcnow() + timedelta(days=250)).date())
        db.session.add(intake)
        db.session.add(DocumentType(code="passport", name_en="Passport (photo page)", position=1,
                                    help_en="The page with your photo and personal data."))
        db.session.add(DocumentType(code="photo", name_en="Photo 3x4 cm", allowed_kinds="jpeg,png", position=2))
        db.session.add(DocumentType(code="language", name_en="Language certificate", requirement="optional",
                                    position=3))
        applicant = accounts.create_user(APPLICANT, PASSWORD, verified=True)
        accounts.create_user(OFFICER, PASSWORD, role="officer", verified=True)
        db.session.flush()
        db.session.add(Application(applicant_id=applicant.id, intake=intake, surname="ALIYEVA",
                                   given_names="LEYLA", completed_steps=[], reopened_steps=[]))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()



def upload(audited, label: str, button: str, path):
    page = audited.page
    page.get_by_label(label, exact=True).set_input_files(str(path))
    page.get_by_role("button", name=button, exact=True).click()


def test_upload_replace_and_officer_views(make_page, data_app, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "passport.pdf").write_bytes(files.pdf())
    (folder / "passport-new.pdf").write_bytes(files.pdf(pages=2))
    (folder / "photo.jpg").write_bytes(files.jpeg(300, 400, exif=files.exif_with_gps_and_rotation()))
    (folder / "fake.pdf").write_bytes(files.html_page())

    audited = make_page()
    page = audited.page
    log_in(audited, APPLICANT, PASSWORD)
    audited.goto("/apply/documents")
    assert page.get_by_role("heading", name="Documents", level=1).is_visible()
    audited.screenshot("documents-empty-desktop")

    # A PDF through the progress-bar script, then a photo.
    upload(audited, "Choose a file: Passport (photo page)", "Upload Passport (photo page)", folder / "passport.pdf")
    page.get_by_text("passport.pdf uploaded.").wait_for()
    audited.audit()
    upload(audited, "Choose a file: Photo 3x4 cm", "Upload Photo 3x4 cm", folder / "photo.jpg")
    page.get_by_text("photo.jpg uploaded.").wait_for()
    audited.audit()
    thumb = page.get_by_role("img", name="Preview of photo.jpg")
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")

    # HTML pretending to be a PDF: refused next to its item, focus on the field, nothing saved.
    upload(audited, "Choose a file: Language certificate", "Upload Language certificate", folder / "fake.pdf")
    error = page.locator("#file-language-error")
    error.wait_for(state="visible")
    assert "not a PDF, JPEG or PNG" in error.inner_text()
    assert page.get_by_label("Choose a file: Language certificate", exact=True).get_attribute(
        "aria-invalid") == "true"
    audited.audit()
    audited.screenshot("documents-refused-desktop")

    # An optional document uploaded, then removed after a confirmation page.
    upload(audited, "Choose a file: Language certificate", "Upload Language certificate", folder / "passport.pdf")
    page.get_by_text("passport.pdf uploaded.").wait_for()
    page.get_by_role("link", name="Remove Language certificate").click()
    audited.audit()
    page.get_by_role("button", name="Remove this file").click()
    audited.audit()
    assert "passport.pdf was removed." in page.content()

    # Replace the passport.
    upload(audited, "Replace with a new file: Passport (photo page)", "Upload Passport (photo page)",
           folder / "passport-new.pdf")
    page.get_by_text("passport-new.pdf uploaded.").wait_for()
    audited.audit()
    assert page.get_by_text("passport.pdf", exact=True).count() == 0
    audited.screenshot("documents-uploaded-desktop")
    narrow = make_page(width=360, height=740)
    narrow.page.context.add_cookies(page.context.cookies())
    narrow.goto("/apply/documents")
    assert narrow.page.evaluate("document.documentElement.scrollWidth") <= 360
    narrow.screenshot("documents-uploaded-360")

    with data_app.app_context():
        application = db.session.scalar(select(Application))
        assert len(application.documents) == 2
        application.status, application.reference = "submitted", "FD99-000001"
        db.session.commit()

    # The officer opens both documents in the viewer.
    office = make_page()
    log_in(office, OFFICER, PASSWORD)
    office.goto("/office/applications/FD99-000001")
    office.screenshot("office-application-desktop")
    opage = office.page
    with opage.expect_response(lambda r: r.url.endswith("/file")) as pdf_response:
        opage.get_by_role("link", name="Open Passport (photo page)").click()
    office.audit()
    assert pdf_response.value.status == 200
    assert pdf_response.value.headers["content-type"] == "application/pdf"
    assert opage.locator("iframe.viewer-pdf").is_visible()
    office.screenshot("office-viewer-pdf-desktop")
    opage.get_by_role("link", name="Back to application FD99-000001").click()
    office.audit()
    opage.get_by_role("link", name="Open Photo 3x4 cm").click()
    office.audit()
    image = opage.get_by_role("img", name="Photo 3x4 cm uploaded by the applicant")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [400, 300]  # turned upright
    office.screenshot("office-viewer-photo-desktop")
    phone = make_page(width=360, height=740)
    phone.page.context.add_cookies(opage.context.cookies())
    phone.goto(opage.url)
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot("office-viewer-photo-360")

    # Reject the photo with a reason.
    opage.get_by_role("link", name="Back to application FD99-000001").click()
    office.audit()
    with data_app.app_context():
        photo_id = db.session.scalar(select(Document.id).join(DocumentType).where(DocumentType.code == "photo",
                                                                                 Document.superseded.is_(False)))
    opage.locator(f"#reason-{photo_id}").fill("The background must be white.")
    opage.get_by_role("button", name="Reject Photo 3x4 cm").click()
    office.audit()
    assert "the applicant has been told why" in opage.content()
    office.screenshot("office-application-reviewed-desktop")

    with data_app.app_context():
        actions = [a.action for a in db.session.scalars(select(AuditLog))]
    assert actions.count("document.view") >= 2 and "document.review" in actions
