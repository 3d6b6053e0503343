"""Upload checks in the browser: the applicant types an expiry date that differs from the passport
scan and sees the warning; the officer opens the scan beside the answers and sees the mismatch in
the MRZ table; the applicant opens their own PDF and cannot open another applicant's. axe runs on
every page; the applicant's pages are shot at 360 px."""

import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

from bench.passport_samples import sample
from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, Document, DocumentType, Intake, Programme, ProgrammeLanguage
from portal.services import accounts, documents
from tests.browser.conftest import log_in
from tests.builders import files
from tests.builders.factories import ApplicationFactory
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db]
PASSWORD = "Quiet meadow lantern 1972"
SCAN = sample(2)  # a JPEG data page that reads confidently
WRONG_EXPIRY = SCAN.truth.expires_on + timedelta(days=10)


@pytest.fixture
def drafts(database_url, tmp_path, live_server):
    """Two applicants' drafts; the other one has a PDF of their own already."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        intake = Intake(code="FC96", name="Foundation Course 2096", opens_at=utcnow() - timedelta(days=5),
                        closes_at=utcnow() + timedelta(days=60),
                        course_starts_on=(utcnow() + timedelta(days=250)).date())
        programme = Programme(code="medicine", name_en="General Medicine", name_ru="Лечебное дело",
                              name_az="Müalicə işi", languages=[ProgrammeLanguage(language="en")])
        passport = DocumentType(code="passport", name_en="Passport (photo page)", name_ru="Паспорт",
                                name_az="Pasport", position=0)
        certificate = DocumentType(code="certificate", name_en="School certificate", name_ru="Аттестат",
                                   name_az="Attestat", allowed_kinds="pdf", position=1)
        db.session.add_all([intake, programme, passport, certificate])
        truth = SCAN.truth
        mine = ApplicationFactory(
            applicant=accounts.create_user("scan.applicant@example.com", PASSWORD, verified=True), intake=intake,
            complete=True, programme=programme, passport_number=truth.passport_number, surname=truth.surname,
            given_names=truth.given_names, citizenship=truth.nationality, date_of_birth=truth.date_of_birth,
            sex=truth.sex, passport_expires_on=WRONG_EXPIRY)
        other = ApplicationFactory(applicant=accounts.create_user("other.applicant@example.com", PASSWORD,
                                                                  verified=True), intake=intake, complete=True)
        db.session.flush()
        theirs = documents.store_upload(other, certificate, _file(files.pdf(), "theirs.pdf"), other.applicant)
        accounts.create_user("officer.scan@example.com", PASSWORD, role="officer", verified=True)
        db.session.commit()
        ids = mine.id, theirs.id
        db.engine.dispose()
    return app, ids


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), name)


def test_mismatch_shown_to_both_and_own_files_only(make_page, drafts, tmp_path):
    app, (application_id, theirs_id) = drafts
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "passport.jpg").write_bytes(SCAN.data)
    (folder / "certificate.pdf").write_bytes(files.pdf())

    applicant = make_page(width=360, height=780)
    page = applicant.page
    log_in(applicant, "scan.applicant@example.com", PASSWORD)
    applicant.goto("/apply/documents")
    page.get_by_label("Choose a file: Passport (photo page)", exact=True).set_input_files(str(folder / "passport.jpg"))
    page.get_by_role("button", name="Upload Passport (photo page)", exact=True).click()
    page.get_by_text("passport.jpg uploaded.").wait_for()
    page.get_by_label("Choose a file: School certificate", exact=True).set_input_files(str(folder / "certificate.pdf"))
    page.get_by_role("button", name="Upload School certificate", exact=True).click()
    page.get_by_text("certificate.pdf uploaded.").wait_for()
    applicant.goto("/apply/documents")
    warning = page.locator("#passport-check")
    warning.wait_for()
    expected = (f"Your passport scan says the expiry date is {SCAN.truth.expires_on:%B} {SCAN.truth.expires_on.day}, "
                f"{SCAN.truth.expires_on.year}; you typed {WRONG_EXPIRY:%B} {WRONG_EXPIRY.day}, {WRONG_EXPIRY.year}.")
    assert expected in warning.inner_text()
    applicant.screenshot("upload-checks-warning-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Their own PDF opens inline; another applicant's is 404.
    href = page.get_by_role("link", name="View School certificate").get_attribute("href")
    own = page.request.get(applicant.base_url + href)
    assert own.status == 200 and own.headers["content-type"] == "application/pdf"
    assert own.headers["content-disposition"].startswith("inline")
    assert page.request.get(f"{applicant.base_url}/apply/documents/{theirs_id}/file").status == 404

    # The officer reads the scan beside the answers and sees the mismatch.
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.status, application.reference = "submitted", "FC96-000001"
        passport_id = db.session.query(Document).filter_by(application_id=application_id,
                                                           original_name="passport.jpg").one().id
        db.session.commit()
    officer = make_page()
    log_in(officer, "officer.scan@example.com", PASSWORD)
    officer.goto("/office/applications/FC96-000001")
    officer.page.get_by_role("link", name="Open beside the answers Passport (photo page)").click()
    officer.audit()
    assert f"document={passport_id}" in officer.page.url
    row = officer.page.locator("#viewer tr.mrz-mismatch")
    assert row.count() == 1 and "expiry date" in row.inner_text()
    assert officer.page.locator("#viewer img.viewer-image").is_visible()
    officer.screenshot("office-split-view")
    with app.app_context():
        db.engine.dispose()
