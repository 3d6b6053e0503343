"""Upload checks as people see them: the passport scan's MRZ compared with the answers (a gentle,
specific warning to the applicant; a field-by-field table for the officer, beside the scan), "could
not read" said plainly, and scan-quality flags with "keep it anyway". Real scans (bench/passport_samples)
read by real Tesseract through the worker's task."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.passport_samples import sample
from portal.extensions import db
from portal.models import Application, Document
from tests.apply.test_documents import PAGE, applicant, types, upload, upload_dir  # noqa: F401 (fixtures)
from tests.builders import files
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import text_of

SCAN = sample(1)  # a JPEG data page that reads confidently


def type_as(application: Application, typed) -> None:
    application.passport_number, application.surname = typed.passport_number, typed.surname
    application.given_names, application.citizenship = typed.given_names, typed.nationality
    application.date_of_birth, application.sex = typed.date_of_birth, typed.sex
    application.passport_expires_on = typed.expires_on
    db.session.commit()


@pytest.fixture
def typed_wrong_expiry(applicant):  # noqa: F811
    application = applicant
    wrong = replace(SCAN.truth, expires_on=SCAN.truth.expires_on + timedelta(days=10))
    type_as(application, wrong)
    return application, wrong


def test_a_typed_expiry_that_differs_is_shown_to_applicant_and_officer(client, forms, typed_wrong_expiry):
    application, wrong = typed_wrong_expiry
    assert upload(forms, "passport", SCAN.data, "passport.jpg").status_code == 302
    document = db.session.scalar(select(Document))
    db.session.refresh(document)
    assert document.checks["mrz"]["state"] == "read"  # the worker's task ran after the request
    truth_day = f"{SCAN.truth.expires_on:%B} {SCAN.truth.expires_on.day}, {SCAN.truth.expires_on.year}"
    page = text_of(client.get(PAGE))
    assert "Your passport scan says the expiry date is" in page and truth_day in page
    assert "passport number" not in page  # only the field that differs
    assert "Your passport scan says the expiry date" in text_of(client.get("/apply/review"))

    application.status, application.reference = "submitted", "T55-000001"
    db.session.commit()
    forms.logout()
    officer = UserFactory(officer=True)
    db.session.commit()
    forms.login(officer.email, PASSWORD)
    office = client.get(f"/office/applications/T55-000001?document={document.id}")
    assert office.status_code == 200 and "frame-src 'self'" in office.headers["Content-Security-Policy"]
    html = office.get_data(as_text=True)
    assert 'class="mrz-mismatch"' in html and f'src="/office/documents/{document.id}/file"' in html
    assert html.count('class="mrz-match"') >= 5


def test_correcting_the_answer_clears_the_warning(client, forms, typed_wrong_expiry):
    application, _wrong = typed_wrong_expiry
    upload(forms, "passport", SCAN.data, "passport.jpg")
    type_as(application, SCAN.truth)
    page = text_of(client.get(PAGE))
    assert "Your passport scan says" not in page and "Please check" not in page


def test_an_unreadable_scan_is_said_plainly_and_blocks_nothing(client, forms, applicant):  # noqa: F811
    upload(forms, "passport", files.pdf(), "passport.pdf")
    assert "could not read the passport scan automatically" in text_of(client.get(PAGE))


def test_a_small_scan_is_flagged_and_can_be_kept(client, forms, applicant):  # noqa: F811
    upload(forms, "passport", files.jpeg(300, 400), "small.jpg")
    document = db.session.scalar(select(Document))
    page = text_of(client.get(PAGE))
    assert "This scan may be hard to read" in page and "pixels on its short side; at least 700" in page
    forms.post(f"/apply/documents/{document.id}/keep", page=PAGE)
    assert "This scan may be hard to read" not in text_of(client.get(PAGE))
    db.session.refresh(document)
    assert document.checks["quality_kept"] is True and document.checks["quality"][0]["code"] == "too_small"


def test_keep_refuses_another_applicants_file(client, forms, applicant):  # noqa: F811
    upload(forms, "passport", files.jpeg(300, 400), "small.jpg")
    document = db.session.scalar(select(Document))
    forms.logout()
    other = UserFactory()
    db.session.commit()
    forms.login(other.email, PASSWORD)
    assert forms.post(f"/apply/documents/{document.id}/keep", page="/").status_code == 404


def test_office_split_view_refuses_a_foreign_document(client, forms, applicant):  # noqa: F811
    upload(forms, "passport", files.pdf(), "passport.pdf")
    application = applicant
    application.status, application.reference = "submitted", "T55-000002"
    db.session.commit()
    forms.logout()
    officer = UserFactory(officer=True)
    db.session.commit()
    forms.login(officer.email, PASSWORD)
    for bad in ("999999", "99999999999999999999999", "abc"):
        assert client.get(f"/office/applications/T55-000002?document={bad}").status_code == 404
