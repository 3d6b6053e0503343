"""Applicants open their own uploaded files inline (/apply/documents/<id>/file) with the same safe
headers as the office's viewer; another person's file, or one that does not exist, is 404."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Document
from tests.apply.test_documents import PAGE, applicant, types, upload, upload_dir  # noqa: F401 (fixtures)
from tests.builders import files
from tests.builders.factories import PASSWORD, ApplicationFactory, UserFactory


def test_owner_views_own_pdf_inline_with_safe_headers(client, forms, applicant):  # noqa: F811
    pdf = files.pdf()
    upload(forms, "passport", pdf, "паспорт.pdf")
    document = db.session.scalar(select(Document))
    assert f'href="/apply/documents/{document.id}/file"' in client.get(PAGE).get_data(as_text=True)
    response = client.get(f"/apply/documents/{document.id}/file")
    assert response.status_code == 200 and response.mimetype == "application/pdf" and response.data == pdf
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff" and "no-store" in headers["Cache-Control"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("inline;") and "filename*=UTF-8''" in disposition


def test_owner_views_own_image(client, forms, applicant):  # noqa: F811
    upload(forms, "photo", files.jpeg(300, 400), "me.jpg")
    document = db.session.scalar(select(Document))
    response = client.get(f"/apply/documents/{document.id}/file")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_nobody_else_opens_it(client, forms, applicant):  # noqa: F811
    upload(forms, "passport", files.pdf(), "passport.pdf")
    document = db.session.scalar(select(Document))
    url = f"/apply/documents/{document.id}/file"
    forms.logout()
    assert client.get(url).status_code == 302  # anonymous: to the login page
    other = ApplicationFactory(complete=True).applicant
    db.session.commit()
    forms.login(other.email, PASSWORD)
    assert client.get(url).status_code == 404
    for bad in ("0", "99999999999999999999999", "abc"):
        assert client.get(f"/apply/documents/{bad}/file").status_code == 404
    forms.logout()
    officer = UserFactory(officer=True)
    db.session.commit()
    forms.login(officer.email, PASSWORD)
    assert client.get(url).status_code == 403  # staff use the office's viewer (audited)
