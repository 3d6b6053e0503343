"""Documents through the applicant's pages and the service: uploads of real and hostile files,
replacement and removal, who may upload when, duplicates, and that a refusal leaves nothing —
no file under UPLOAD_DIR, no temporary file, no row."""

from __future__ import annotations

import io
import logging
import tempfile

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import ApplicationEvent, Document
from portal.services import documents
from tests.builders import files
from tests.builders.factories import PASSWORD, ApplicationFactory, DocumentTypeFactory, UserFactory
from tests.helpers import text_of

MB = 1024 * 1024
PAGE = "/apply/documents"


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield folder
    assert list(scratch.iterdir()) == [], "temporary files were left behind"


def stored_files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def document_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


@pytest.fixture
def types(ctx):
    return {
        "passport": DocumentTypeFactory(code="passport", name_en="Passport (photo page)",
                                        name_ru="Паспорт", help_en="The page with your photo."),
        "photo": DocumentTypeFactory(code="photo", name_en="Photo 3x4 cm", allowed_kinds="jpeg,png",
                                     max_size_mb=1),
        "language": DocumentTypeFactory(code="language", name_en="Language certificate",
                                        requirement="optional"),
        "fee": DocumentTypeFactory(code="fee", name_en="Interview fee receipt", requirement="conditional",
                                   condition="interview"),
    }


@pytest.fixture
def applicant(ctx, types, forms, upload_dir):
    application = ApplicationFactory(complete=True)
    db.session.commit()
    forms.login(application.applicant.email, PASSWORD)
    return application


def upload(forms, code: str, data: bytes, name: str, **kwargs):
    return forms.post(f"{PAGE}/{code}", {"file": (io.BytesIO(data), name)}, page=PAGE, **kwargs)


def file_storage(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


# --- the checklist -------------------------------------------------------------------------

def test_checklist_shows_every_item_with_its_rules(client, applicant):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text_of(response)
    for name in ("Passport (photo page)", "Photo 3x4 cm", "Language certificate", "Interview fee receipt"):
        assert name in page
    assert "The page with your photo." in page
    assert "Required" in page and "Optional" in page and "Missing" in page
    assert "PDF, JPEG, PNG, up to 10 MB" in page and "JPEG, PNG, up to 1 MB" in page
    html = response.get_data(as_text=True)
    assert 'aria-current="step"' in html  # the wizard's progress, on the documents step
    assert html.count('enctype="multipart/form-data"') == 3  # no upload for the interview receipt yet
    assert 'for="file-passport"' in html and 'id="file-passport"' in html
    assert "novalidate" in html and 'src="/static/js/upload.js"' in html


def test_checklist_is_in_the_applicants_language(client, applicant):
    applicant.applicant.locale = "ru"
    db.session.commit()
    assert "Паспорт" in text_of(client.get(PAGE))


def test_no_application_yet_redirects_home(client, forms, ctx, types, upload_dir):
    user = UserFactory()
    db.session.commit()
    forms.login(user.email, PASSWORD)
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/")


# --- uploads that succeed ------------------------------------------------------------------

def test_upload_a_pdf(client, forms, applicant, upload_dir):
    data = files.pdf()
    response = upload(forms, "passport", data, "passport.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/documents#doc-passport")
    document = db.session.scalar(select(Document))
    assert document.original_name == "passport.pdf" and document.content_type == "application/pdf"
    assert document.size == len(data) and len(document.sha256) == 64
    assert document.review_state == "pending" and not document.superseded
    assert document.uploaded_by_id == applicant.applicant_id
    stored = stored_files(upload_dir)
    assert [p.relative_to(upload_dir).as_posix() for p in stored] == [document.storage_key]
    assert stored[0].read_bytes() == data and "passport" not in document.storage_key
    page = client.get(PAGE)
    assert "passport.pdf uploaded" in text_of(page) and "Uploaded, waiting for review" in text_of(page)


def test_upload_a_photo_shows_a_private_preview(client, forms, applicant, upload_dir):
    upload(forms, "photo", files.jpeg(400, 300), "me.jpg")
    document = db.session.scalar(select(Document))
    assert f'src="/apply/documents/{document.id}/preview"' in client.get(PAGE).get_data(as_text=True)
    preview = client.get(f"/apply/documents/{document.id}/preview")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    assert preview.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in preview.headers["Cache-Control"] and "private" in preview.headers["Cache-Control"]
    from PIL import Image

    assert max(Image.open(io.BytesIO(preview.data)).size) <= 320


def test_jpeg_with_html_appended_is_stored_reencoded(client, forms, applicant, upload_dir):
    data = files.jpeg() + b"<html><script>alert(document.cookie)</script></html>"
    assert upload(forms, "photo", data, "photo.jpg").status_code == 302
    (stored,) = stored_files(upload_dir)
    assert b"<script" not in stored.read_bytes() and stored.read_bytes().startswith(b"\xff\xd8")


HOSTILE_NAMES = [
    ("../../x.pdf", "x.pdf"),
    ("паспорт.pdf", "паспорт.pdf"),
    ("p" * 300 + ".pdf", "p" * 116 + ".pdf"),
]


@pytest.mark.parametrize("raw, shown", HOSTILE_NAMES)
def test_hostile_names_are_kept_only_as_safe_display_text(client, forms, applicant, upload_dir, tmp_path,
                                                          raw, shown):
    assert upload(forms, "passport", files.pdf(), raw).status_code == 302
    document = db.session.scalar(select(Document))
    assert document.original_name == shown
    (stored,) = stored_files(upload_dir)
    assert stored.name == document.storage_key.rsplit("/", 1)[-1] and ".pdf" not in stored.name
    assert not (tmp_path / "x.pdf").exists() and not (upload_dir.parent / "x.pdf").exists()


@pytest.mark.parametrize("raw, shown", [*HOSTILE_NAMES, ("pass\r\nport.pdf", "pass port.pdf"),
                                        ('my "pass"\'port\'.pdf', "my passport.pdf"),
                                        ('x.pdf"; filename="evil.html', "x.pdf filenameevil.html")])
def test_hostile_names_from_any_client(ctx, types, upload_dir, raw, shown):
    """Browsers percent-encode quotes and line breaks in multipart names; other clients may not."""
    application = ApplicationFactory(complete=True)
    if shown.endswith(".html"):
        with pytest.raises(documents.DocumentRejected):
            documents.store_upload(application, types["passport"], file_storage(files.pdf(), raw),
                                   application.applicant)
        return
    document = documents.store_upload(application, types["passport"], file_storage(files.pdf(), raw),
                                      application.applicant)
    assert document.original_name == shown


def test_json_upload_for_the_progress_bar(client, forms, applicant, upload_dir):
    response = upload(forms, "passport", files.pdf(), "passport.pdf", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["ok"] is True and response.json["redirect"] == "/apply/documents#doc-passport"


# --- refusals leave nothing ----------------------------------------------------------------

HOSTILE = [
    ("passport", files.html_page(), "passport.pdf", "not a PDF, JPEG or PNG"),
    ("passport", files.pdf_header_then_html(), "passport.pdf", "could not be read"),
    ("passport", files.pdf_with_open_action_js(), "passport.pdf", "JavaScript"),
    ("passport", files.pdf_with_attachment(), "passport.pdf", "attached files"),
    ("passport", files.pdf_encrypted(), "passport.pdf", "protected with a password"),
    ("passport", files.svg(), "photo.svg", "not a PDF, JPEG or PNG"),
    ("passport", files.zip_file(), "documents.zip", "ZIP file"),
    ("passport", files.docx(), "certificate.docx", "DOCX file"),
    ("photo", files.huge_png_header(), "photo.png", "too many pixels"),
    ("photo", files.pdf(), "photo.pdf", "PDF files are not accepted for this document"),
    ("photo", files.pdf(pad_bytes=MB + 50_000), "photo.png", "larger than 1 MB"),
    ("passport", files.pdf(), "passport.jpg", "ends in .jpg"),
    ("passport", b"", "empty.pdf", "The file is empty"),
    # Active content the parsed object graph reveals (refused through the Rector form too):
    ("passport", files.pdf_with_hex_escaped_js_name(), "passport.pdf", "JavaScript"),
    ("passport", files.pdf_with_bookmark_js(), "passport.pdf", "JavaScript"),
    ("passport", files.pdf_with_indirect_script(), "passport.pdf", "JavaScript"),
    ("passport", files.pdf_with_hex_escaped_launch(), "passport.pdf", "JavaScript"),
    ("passport", files.pdf_with_compressed_bookmark_js(), "passport.pdf", "JavaScript"),
]


@pytest.mark.parametrize("code, data, name, expected", HOSTILE)
def test_refusals_are_explained_beside_the_item_and_leave_nothing(client, forms, applicant, upload_dir,
                                                                  code, data, name, expected):
    response = upload(forms, code, data, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert expected in text_of(response)
    item = html[html.index(f'id="doc-{code}"'):]
    item = item[: item.index("</li>")]
    assert expected in item.replace("&#39;", "'") and 'aria-invalid="true"' in item
    assert stored_files(upload_dir) == [] and document_rows() == 0


@pytest.mark.parametrize("code, data, name, expected", HOSTILE[:3])
def test_refusals_in_json_for_the_progress_bar(client, forms, applicant, upload_dir, code, data, name,
                                               expected):
    response = upload(forms, code, data, name, headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.json["ok"] is False and expected in response.json["error"]
    assert stored_files(upload_dir) == [] and document_rows() == 0


def test_no_file_chosen(client, forms, applicant, upload_dir):
    response = forms.post(f"{PAGE}/passport", {}, page=PAGE)
    assert response.status_code == 422 and "Choose a file to upload." in text_of(response)


def test_body_over_the_type_limit_is_refused_before_it_is_read(client, forms, applicant, upload_dir):
    """Content-Length above the photo's 1 MB limit: 413, a friendly page, nothing read or stored."""
    response = upload(forms, "photo", files.pdf(pad_bytes=2 * MB), "photo.png")
    assert response.status_code == 413
    page = text_of(response)
    assert "File too large" in page and "larger than 1 MB" in page and "Nothing was saved." in page
    assert 'href="/apply/documents#doc-photo"' in response.get_data(as_text=True)
    json = upload(forms, "photo", files.pdf(pad_bytes=2 * MB), "photo.png",
                  headers={"Accept": "application/json"})
    assert json.status_code == 413 and "larger than 1 MB" in json.json["error"]
    assert stored_files(upload_dir) == [] and document_rows() == 0


def test_body_over_max_upload_mb_is_refused(client, forms, applicant, upload_dir, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * MB)
    response = upload(forms, "passport", files.pdf(pad_bytes=3 * MB), "passport.pdf")
    assert response.status_code == 413 and "larger than 1 MB" in text_of(response)
    assert stored_files(upload_dir) == []


def test_unknown_document_type_is_404(client, forms, applicant):
    assert upload(forms, "no-such-type", files.pdf(), "a.pdf").status_code == 404


def test_a_failing_database_write_removes_the_stored_file(ctx, types, upload_dir, monkeypatch):
    application = ApplicationFactory(complete=True)

    def broken_flush(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "flush", broken_flush)
    with pytest.raises(RuntimeError):
        documents.store_upload(application, types["passport"], file_storage(files.pdf(), "a.pdf"),
                               application.applicant)
    assert stored_files(upload_dir) == []


def test_a_transaction_that_does_not_commit_takes_its_file_with_it(ctx, types, upload_dir):
    application = ApplicationFactory(complete=True)
    db.session.commit()
    documents.store_upload(application, types["passport"], file_storage(files.pdf(), "a.pdf"),
                           application.applicant)
    assert len(stored_files(upload_dir)) == 1
    db.session.rollback()
    assert stored_files(upload_dir) == [] and document_rows() == 0


def test_virus_scanner_down_fails_closed_through_the_page(client, forms, applicant, upload_dir, app,
                                                         monkeypatch, tmp_path):
    script = tmp_path / "clamdscan"
    script.write_text("#!/bin/sh\necho 'ERROR: Could not connect to clamd' >&2\nexit 2\n")
    script.chmod(0o755)
    monkeypatch.setitem(app.config, "CLAMSCAN_PATH", str(script))
    response = upload(forms, "passport", files.pdf(), "passport.pdf")
    assert response.status_code == 422 and "could not check the file for viruses" in text_of(response)
    assert stored_files(upload_dir) == [] and document_rows() == 0


# --- replace and remove --------------------------------------------------------------------

def test_replacing_before_submission_deletes_the_old_file_and_row(client, forms, applicant, upload_dir):
    upload(forms, "passport", files.pdf(), "first.pdf")
    first = db.session.scalar(select(Document))
    first_key = first.storage_key
    upload(forms, "passport", files.pdf(pages=2), "second.pdf")
    db.session.expire_all()
    (document,) = db.session.scalars(select(Document)).all()
    assert document.original_name == "second.pdf"
    assert [p.relative_to(upload_dir).as_posix() for p in stored_files(upload_dir)] == [document.storage_key]
    assert document.storage_key != first_key


def test_replacing_after_a_change_request_keeps_the_old_one_superseded(ctx, types, upload_dir):
    application = ApplicationFactory(complete=True)
    old = documents.store_upload(application, types["passport"], file_storage(files.pdf(), "old.pdf"),
                                 application.applicant)
    application.status, application.reference = "action_required", "T99-000001"
    application.reopened_steps = ["documents:passport"]
    new = documents.store_upload(application, types["passport"], file_storage(files.pdf(2), "new.pdf"),
                                 application.applicant)
    db.session.commit()
    assert old.superseded and not new.superseded and len(stored_files(upload_dir)) == 2
    assert documents.current_document(application, types["passport"]) is new
    assert any(e.kind == "document" and e.visible_to_applicant for e in application.events)


def test_remove_with_confirmation(client, forms, applicant, upload_dir):
    upload(forms, "passport", files.pdf(), "passport.pdf")
    document = db.session.scalar(select(Document))
    url = f"/apply/documents/{document.id}/remove"
    assert f'href="{url}"' in client.get(PAGE).get_data(as_text=True)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "passport.pdf" in text_of(confirm)
    response = forms.post(url, {}, page=url)
    assert response.status_code == 302
    assert document_rows() == 0 and stored_files(upload_dir) == []


def test_documents_are_locked_after_submission(client, forms, applicant, upload_dir):
    upload(forms, "passport", files.pdf(), "passport.pdf")
    document = db.session.scalar(select(Document))
    applicant.status, applicant.reference = "submitted", "T99-000002"
    db.session.commit()
    html = client.get(PAGE).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' not in html and "/remove" not in html
    assert upload(forms, "passport", files.pdf(2), "again.pdf").status_code == 422
    remove = forms.post(f"/apply/documents/{document.id}/remove", {}, page=PAGE)
    assert remove.status_code == 302 and document_rows() == 1


@pytest.mark.parametrize("status, reopened, code, allowed", [
    ("draft", [], "passport", True),
    ("draft", [], "fee", False),
    ("submitted", [], "passport", False),
    ("under_review", [], "passport", False),
    ("action_required", [], "passport", False),
    ("action_required", ["documents:passport"], "passport", True),
    ("action_required", ["documents:passport"], "photo", False),
    ("action_required", ["documents"], "photo", True),
    ("interview", [], "fee", True),
    ("interview", [], "passport", False),
    ("accepted", [], "passport", False),
    ("withdrawn", [], "passport", False),
])
def test_can_upload(ctx, types, status, reopened, code, allowed):
    application = ApplicationFactory(complete=True, status=status, reopened_steps=reopened)
    assert documents.can_upload(application, types[code]) is allowed


def test_draft_of_a_closed_intake_cannot_upload(ctx, types):
    from datetime import timedelta

    from portal.database import utcnow

    application = ApplicationFactory(complete=True)
    application.intake.closes_at = utcnow() - timedelta(days=1)
    assert documents.can_upload(application, types["passport"]) is False


# --- duplicates ----------------------------------------------------------------------------

def test_identical_file_on_another_applicants_application_is_flagged(ctx, types, upload_dir):
    first = ApplicationFactory(complete=True)
    second = ApplicationFactory(complete=True)
    data = files.pdf()
    a = documents.store_upload(first, types["passport"], file_storage(data, "a.pdf"), first.applicant)
    same_person = documents.store_upload(first, types["language"], file_storage(data, "a.pdf"),
                                         first.applicant)
    assert not a.flagged_duplicate and not same_person.flagged_duplicate
    b = documents.store_upload(second, types["passport"], file_storage(data, "b.pdf"), second.applicant)
    db.session.commit()
    assert b.flagged_duplicate and a.flagged_duplicate
    flags = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.kind == "flag")).all()
    assert {f.application_id for f in flags} == {first.id, second.id}
    assert not any(f.visible_to_applicant for f in flags)


# --- access --------------------------------------------------------------------------------

def test_another_applicants_document_is_not_found_and_logged(client, forms, ctx, types, upload_dir, caplog):
    owner = ApplicationFactory(complete=True)
    document = documents.store_upload(owner, types["photo"], file_storage(files.jpeg(), "a.jpg"),
                                      owner.applicant)
    intruder = ApplicationFactory(complete=True)
    db.session.commit()
    forms.login(intruder.applicant.email, PASSWORD)
    caplog.set_level(logging.WARNING, logger="portal.apply.lookups")
    for url in (f"/apply/documents/{document.id}/preview", f"/apply/documents/{document.id}/remove",
                "/apply/documents/999999/preview", "/apply/documents/99999999999999999999999/preview",
                "/apply/history/99999999999999999999999"):
        assert client.get(url).status_code == 404
    assert forms.post(f"/apply/documents/{document.id}/remove", {}, page=PAGE).status_code == 404
    assert f"asked for document {document.id}" in caplog.text
    assert intruder.applicant.email not in caplog.text and owner.applicant.email not in caplog.text
    assert document_rows() == 1


def test_anonymous_users_are_sent_to_login(client, ctx, types):
    for url in (PAGE, "/apply/documents/1/preview", "/office/documents/1", "/office/documents/1/file",
                "/office/applications/T00-000001", "/office/applications/T00-000001/documents.zip"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), url


def test_staff_cannot_use_the_applicant_pages(client, forms, ctx, types):
    forms.login(UserFactory(officer=True).email, PASSWORD)
    assert client.get(PAGE).status_code == 403


def test_the_storage_folder_is_never_served(client, forms, applicant, upload_dir):
    upload(forms, "passport", files.pdf(), "passport.pdf")
    key = db.session.scalar(select(Document.storage_key))
    for url in (f"/instance/uploads/{key}", f"/uploads/{key}", f"/static/../instance/uploads/{key}",
                f"/static/%2e%2e/instance/uploads/{key}", f"/static/..%2finstance/uploads/{key}",
                f"/static/{key}", f"/{key}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not response.data.startswith(b"%PDF")
