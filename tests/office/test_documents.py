"""Documents for the admissions office: the application page, the inline viewer and the file's
headers, accept / reject with a reason (the applicant sees it and is e-mailed), the ZIP, the
audit log, and ``flask --app wsgi documents verify``."""

from __future__ import annotations

import io
import os
import time
import zipfile
from urllib.parse import quote

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import ApplicationEvent, AuditLog, Document, OutboundEmail
from portal.services import documents
from portal.uploads import get_storage
from tests.builders import files
from tests.builders.factories import PASSWORD, ApplicationFactory, DocumentTypeFactory, UserFactory
from tests.helpers import text_of


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def submitted(ctx, upload_dir):
    """A submitted application with a PDF (Cyrillic name) and a photo."""
    passport = DocumentTypeFactory(code="passport", name_en="Passport (photo page)")
    photo = DocumentTypeFactory(code="photo", name_en="Photo 3x4 cm")
    application = ApplicationFactory(complete=True)
    pdf = documents.store_upload(application, passport, FileStorage(io.BytesIO(files.pdf()), "паспорт.pdf"),
                                 application.applicant)
    jpg = documents.store_upload(application, photo, FileStorage(io.BytesIO(files.jpeg()), "me.jpg"),
                                 application.applicant)
    application.status, application.reference = "submitted", "T77-000001"
    db.session.commit()
    return application, pdf, jpg


@pytest.fixture
def officer(forms, ctx):
    user = UserFactory(officer=True)
    db.session.commit()
    forms.login(user.email, PASSWORD)
    return user


def audit_actions(document_id=None) -> list[str]:
    query = select(AuditLog).where(AuditLog.action.not_like("auth.%")).order_by(AuditLog.id)  # not logins
    return [a.action for a in db.session.scalars(query)
            if document_id is None or a.target_id == str(document_id)]


def test_application_page_lists_the_documents(client, submitted, officer):
    application, pdf, jpg = submitted
    response = client.get("/office/applications/T77-000001")
    assert response.status_code == 200
    page = text_of(response)
    assert "ALIYEVA LEYLA" in page and "Submitted" in page
    assert "Passport (photo page)" in page and "паспорт.pdf" in page and "me.jpg" in page
    assert "Waiting for review" in page
    html = response.get_data(as_text=True)
    for doc in (pdf, jpg):
        assert f'href="/office/documents/{doc.id}"' in html
        assert f'action="/office/documents/{doc.id}/review"' in html and f'for="reason-{doc.id}"' in html
    assert 'href="/office/applications/T77-000001/documents.zip"' in html
    assert audit_actions() == ["application.view"]  # viewing the page is logged; listing opens no document


def test_unknown_reference_is_404(client, submitted, officer):
    assert client.get("/office/applications/T77-999999").status_code == 404


@pytest.mark.parametrize("url", ["/office/documents/99999999999999999999999",
                                 "/office/documents/9223372036854775808/file", "/office/documents/0"])
def test_an_id_no_row_can_have_is_404(client, submitted, officer, url):
    assert client.get(url).status_code == 404


def test_applicants_cannot_open_office_document_pages(client, forms, submitted):
    application, pdf, _jpg = submitted
    forms.login(application.applicant.email, PASSWORD)
    for url in (f"/office/documents/{pdf.id}", f"/office/documents/{pdf.id}/file",
                "/office/applications/T77-000001", "/office/applications/T77-000001/documents.zip"):
        assert client.get(url).status_code == 403, url


def test_viewer_page_frames_the_file_from_this_site_only(client, submitted, officer):
    _application, pdf, jpg = submitted
    response = client.get(f"/office/documents/{pdf.id}")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert f'<iframe class="viewer-pdf" src="/office/documents/{pdf.id}/file"' in response.get_data(as_text=True)
    image = client.get(f"/office/documents/{jpg.id}").get_data(as_text=True)
    assert f'<img class="viewer-image" src="/office/documents/{jpg.id}/file"' in image


def test_file_is_served_inline_with_strict_headers_and_audited(client, submitted, officer):
    _application, pdf, _jpg = submitted
    response = client.get(f"/office/documents/{pdf.id}/file")
    assert response.status_code == 200 and response.data == files.pdf()
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'self'" in csp and "script-src" not in csp
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert f"filename*=UTF-8''{quote('паспорт.pdf')}" in disposition
    assert "\r" not in disposition and "\n" not in disposition
    assert audit_actions(pdf.id) == ["document.view"]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "document.view"))
    assert entry.actor_id == officer.id and entry.details == {"application": "T77-000001"}


def test_image_file_is_sandboxed_and_download_is_an_attachment(client, submitted, officer):
    _application, _pdf, jpg = submitted
    response = client.get(f"/office/documents/{jpg.id}/file")
    assert response.mimetype == "image/jpeg" and "sandbox" in response.headers["Content-Security-Policy"]
    download = client.get(f"/office/documents/{jpg.id}/file?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename=me.jpg' in download.headers["Content-Disposition"]
    assert audit_actions(jpg.id) == ["document.view", "document.download"]


def test_reject_needs_a_reason_then_tells_the_applicant(client, forms, submitted, officer):
    application, pdf, _jpg = submitted
    page = "/office/applications/T77-000001"
    url = f"/office/documents/{pdf.id}/review"
    response = forms.post(url, {"reason": "  ", "reject": "1"}, page=page, follow=True)
    assert "Give a reason for the rejection" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Document, pdf.id).review_state == "pending"

    reason = "The photo page is cut off at the bottom; scan the whole page."
    response = forms.post(url, {"reason": reason, "reject": "1"}, page=page, follow=True)
    assert "the applicant has been told why" in text_of(response)
    db.session.expire_all()
    document = db.session.get(Document, pdf.id)
    assert (document.review_state, document.review_reason, document.reviewed_by_id) == (
        "rejected", reason, officer.id)
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "document_rejected")).one()
    assert mail.recipient == application.applicant.email and reason in mail.body_text
    assert mail.subject == "A document was not accepted: Passport (photo page)"
    assert "/apply/documents" in mail.body_text and reason in mail.body_html
    event = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.kind == "document")).one()
    assert event.visible_to_applicant and reason in event.body
    assert "document.review" in audit_actions(pdf.id)

    # The applicant sees the reason beside the item.
    forms.logout()
    forms.login(application.applicant.email, PASSWORD)
    checklist = text_of(client.get("/apply/documents"))
    assert "Not accepted" in checklist and reason in checklist


def test_accept(client, forms, submitted, officer):
    _application, _pdf, jpg = submitted
    response = forms.post(f"/office/documents/{jpg.id}/review", {"accept": "1"},
                          page="/office/applications/T77-000001")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#document-{jpg.id}")
    db.session.expire_all()
    assert db.session.get(Document, jpg.id).review_state == "accepted"
    (mail,) = db.session.scalars(select(OutboundEmail)).all()
    assert mail.template == "document_accepted" and "accepted" in mail.body_text


def test_review_refused_for_superseded_documents_and_drafts(ctx, submitted):
    application, pdf, _jpg = submitted
    officer = UserFactory(officer=True)
    pdf.superseded = True
    with pytest.raises(documents.ReviewError):
        documents.review_document(pdf, officer, accepted=True, reason=None)
    draft = ApplicationFactory(complete=True)
    doc = documents.store_upload(draft, pdf.document_type, FileStorage(io.BytesIO(files.pdf(3)), "x.pdf"),
                                 draft.applicant)
    with pytest.raises(documents.ReviewError):
        documents.review_document(doc, officer, accepted=True, reason=None)
    with pytest.raises(documents.ReviewError):
        documents.review_document(_jpg, draft.applicant, accepted=True, reason=None)


def test_zip_of_all_current_documents(client, submitted, officer):
    application, pdf, jpg = submitted
    response = client.get("/office/applications/T77-000001/documents.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "T77-000001-documents.zip" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.namelist() == ["01-passport.pdf", "02-photo.jpg"]
        assert archive.read("01-passport.pdf") == files.pdf()
        assert archive.read("02-photo.jpg") == get_storage().open(jpg.storage_key).read()
    assert audit_actions() == ["documents.download_zip"]
    zipped = db.session.scalar(select(AuditLog).where(AuditLog.action == "documents.download_zip"))
    assert zipped.details["documents"] == [pdf.id, jpg.id]


def test_drafts_are_not_reachable_by_staff(client, officer, ctx, upload_dir):
    draft = ApplicationFactory(complete=True)
    doc_type = DocumentTypeFactory(code="passport")
    doc = documents.store_upload(draft, doc_type, FileStorage(io.BytesIO(files.pdf()), "x.pdf"),
                                 draft.applicant)
    db.session.commit()
    assert client.get(f"/office/documents/{doc.id}").status_code == 404
    assert client.get(f"/office/documents/{doc.id}/file").status_code == 404


# --- documents verify ----------------------------------------------------------------------

@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_verify_reports_and_repairs(runner, submitted, upload_dir):
    _application, pdf, _jpg = submitted
    result = runner.invoke(args=["documents", "verify"])
    assert result.exit_code == 0, result.output
    assert "0 orphan file(s), 0 deleted; 0 missing file(s)." in result.output

    storage = get_storage()
    old_orphan = storage.save(io.BytesIO(b"left by a crash"))
    new_orphan = storage.save(io.BytesIO(b"an upload committing right now"))
    two_hours_ago = time.time() - 7200
    os.utime(upload_dir / old_orphan, (two_hours_ago, two_hours_ago))
    (upload_dir / pdf.storage_key).unlink()

    result = runner.invoke(args=["documents", "verify"])
    assert result.exit_code == 1
    assert f"orphan file (no document row): {old_orphan}" in result.output
    assert f"missing file for document {pdf.id}: {pdf.storage_key}" in result.output
    assert storage.exists(old_orphan)  # nothing deleted without --repair

    result = runner.invoke(args=["documents", "verify", "--repair"])
    assert result.exit_code == 1  # the missing file remains a problem
    assert f"{old_orphan}: deleted" in result.output and not storage.exists(old_orphan)
    assert storage.exists(new_orphan) and f"{new_orphan}: kept" in result.output


def test_verify_keeps_letters_to_the_rector(runner, ctx, upload_dir):
    from portal.models import Inquiry

    storage = get_storage()
    key = storage.save(io.BytesIO(files.pdf()))
    two_hours_ago = time.time() - 7200
    os.utime(upload_dir / key, (two_hours_ago, two_hours_ago))
    db.session.add(Inquiry(kind="rector", name="Amina Yusuf", email="amina@example.com", country="NG",
                           subject="Scholarship", body="Dear Rector", attachment_key=key, attachment_name="letter.pdf",
                           attachment_size=100, attachment_sha256="0" * 64))
    db.session.commit()
    result = runner.invoke(args=["documents", "verify", "--repair"])
    assert result.exit_code == 0, result.output
    assert storage.exists(key)
